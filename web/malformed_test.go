package web_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"timebank/ledger"
)

// sweepCase is one hostile request. want is the exact status when not 0 (otherwise any 4xx). wire
// sends it with wire, for what fasthttp refuses before the handlers..
type sweepCase struct {
	name, method, path, body string
	headers                  []string
	want                     int
	wire                     bool
}

// Every malformed request gets a 4xx problem+json, never a 5xx, and changes nothing.
func TestMalformedRequestsAre4xx(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.mustCreate(t, `{"code":"org:1:issued","kind":"issuer","allow_negative":true}`)
	a.mustCreate(t, `{"code":"vol:1","kind":"volunteer"}`)
	a.mustCreate(t, `{"code":"shop:1","kind":"store"}`)
	codes := []string{"org:1:issued", "vol:1", "shop:1"}
	var earn ledger.Result
	a.do(t, "POST", "/api/v1/transactions", txBody("earn", "org:1:issued", -120, "vol:1", 120), "Idempotency-Key", "e-1").decode(t, &earn)
	exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	var held ledger.HoldResult
	a.do(t, "POST", "/api/v1/holds", fmt.Sprintf(`{"from":"vol:1","to":"shop:1","amount":10,"expires_at":%q}`, exp),
		"Idempotency-Key", "h-1").decode(t, &held)
	if earn.Transaction.ID == 0 || held.Hold.ID == 0 {
		t.Fatalf("set-up failed: %+v %+v", earn, held)
	}
	tx := strconv.FormatInt(earn.Transaction.ID, 10)
	hold := strconv.FormatInt(held.Hold.ID, 10)
	before := a.books(t, codes...)

	ok2 := `{"account":"vol:1","amount":-1},{"account":"shop:1","amount":1}`
	withPostings := func(prefix string) string { return `{` + prefix + `"postings":[` + ok2 + `]}` }
	many := make([]string, 65)
	for i := range many {
		many[i] = fmt.Sprintf(`{"account":"vol:%d","amount":%d}`, i, map[bool]int{true: 1, false: -1}[i%2 == 0])
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(`{"kind":"transfer","postings":[` + `{"account":"vol:1","amount":-1},{"account":"shop:1","amount":2}]}`))
	_ = zw.Close()
	holdWith := func(fields string) string {
		return `{"from":"vol:1","to":"shop:1","amount":1,` + fields + `}`
	}
	const T, A, H = "/api/v1/transactions", "/api/v1/accounts", "/api/v1/holds"
	cases := []sweepCase{
		// Bodies of POST /transactions.
		{name: "truncated JSON", method: "POST", path: T, body: `{"kind":"earn","postings":[{"account":"vol:1"`, want: 400},
		{name: "empty object", method: "POST", path: T, body: `{}`, want: 400},
		{name: "array instead of object", method: "POST", path: T, body: `[]`, want: 400},
		{name: "array of transactions", method: "POST", path: T, body: `[` + withPostings(`"kind":"transfer",`) + `]`, want: 400},
		{name: "null", method: "POST", path: T, body: `null`, want: 400},
		{name: "string", method: "POST", path: T, body: `"earn"`, want: 400},
		{name: "empty body", method: "POST", path: T, headers: []string{"Content-Type", "application/json"}, want: 400},
		{name: "postings is an object", method: "POST", path: T, body: `{"kind":"transfer","postings":{"account":"vol:1","amount":1}}`, want: 400},
		{name: "postings as arrays", method: "POST", path: T, body: `{"kind":"transfer","postings":[["vol:1",-1],["shop:1",1]]}`, want: 400},
		{name: "huge number", method: "POST", path: T, body: `{"kind":"transfer","postings":[{"account":"vol:1","amount":-100000000000000000000000000000},{"account":"shop:1","amount":100000000000000000000000000000}]}`, want: 400},
		{name: "int64 extremes", method: "POST", path: T, body: `{"kind":"transfer","postings":[{"account":"vol:1","amount":-9223372036854775808},{"account":"shop:1","amount":9223372036854775807}]}`, want: 400},
		{name: "above the amount limit", method: "POST", path: T, body: `{"kind":"transfer","postings":[{"account":"vol:1","amount":-1000000000001},{"account":"shop:1","amount":1000000000001}]}`, want: 400},
		{name: "float amount", method: "POST", path: T, body: `{"kind":"transfer","postings":[{"account":"vol:1","amount":-1.5},{"account":"shop:1","amount":1.5}]}`, want: 400},
		{name: "whole float amount", method: "POST", path: T, body: `{"kind":"transfer","postings":[{"account":"vol:1","amount":-1.0},{"account":"shop:1","amount":1.0}]}`, want: 400},
		{name: "exponent amount", method: "POST", path: T, body: `{"kind":"transfer","postings":[{"account":"vol:1","amount":-1e0},{"account":"shop:1","amount":1e0}]}`, want: 400},
		{name: "string amount", method: "POST", path: T, body: `{"kind":"transfer","postings":[{"account":"vol:1","amount":"-1"},{"account":"shop:1","amount":"1"}]}`, want: 400},
		{name: "zero amounts", method: "POST", path: T, body: `{"kind":"transfer","postings":[{"account":"vol:1","amount":-0},{"account":"shop:1","amount":0}]}`, want: 400},
		{name: "NUL in memo", method: "POST", path: T, body: withPostings(`"kind":"transfer","memo":"a\u0000b",`), want: 400},
		{name: "memo too long", method: "POST", path: T, body: withPostings(`"kind":"transfer","memo":"` + strings.Repeat("字", 501) + `",`), want: 400},
		{name: "invalid UTF-8 in account", method: "POST", path: T, body: "{\"kind\":\"transfer\",\"postings\":[{\"account\":\"vol:\xff\",\"amount\":-1},{\"account\":\"shop:1\",\"amount\":1}]}", want: 400},
		{name: "invalid UTF-8 in kind", method: "POST", path: T, body: withPostings("\"kind\":\"earn\xc3\x28\","), want: 400},
		{name: "invalid UTF-8 in key", method: "POST", path: T, body: withPostings(`"kind":"transfer",`), headers: []string{"Idempotency-Key", "k\xff\xfe"}, want: 400},
		{name: "UTF-8 BOM", method: "POST", path: T, body: "\xef\xbb\xbf" + withPostings(`"kind":"transfer",`), want: 400},
		{name: "unknown field", method: "POST", path: T, body: withPostings(`"kind":"transfer","amount":5,`), want: 400},
		{name: "unknown posting field", method: "POST", path: T, body: `{"kind":"transfer","postings":[{"account":"vol:1","amount":-1,"slot":3},{"account":"shop:1","amount":1}]}`, want: 400},
		{name: "trailing data", method: "POST", path: T, body: withPostings(`"kind":"transfer",`) + ` {}`, want: 400},
		{name: "one posting", method: "POST", path: T, body: `{"kind":"transfer","postings":[{"account":"vol:1","amount":0}]}`, want: 400},
		{name: "65 postings", method: "POST", path: T, body: `{"kind":"transfer","postings":[` + strings.Join(many, ",") + `]}`, want: 400},
		{name: "account twice", method: "POST", path: T, body: `{"kind":"transfer","postings":[{"account":"vol:1","amount":-1},{"account":"vol:1","amount":1}]}`, want: 400},
		{name: "unbalanced", method: "POST", path: T, body: `{"kind":"transfer","postings":[{"account":"vol:1","amount":-1},{"account":"shop:1","amount":2}]}`, want: 400},
		{name: "kind reverse", method: "POST", path: T, body: withPostings(`"kind":"reverse",`), want: 400},
		{name: "malformed account code", method: "POST", path: T, body: `{"kind":"transfer","postings":[{"account":"VOL 1","amount":-1},{"account":"shop:1","amount":1}]}`, want: 400},
		{name: "deep nesting", method: "POST", path: T, body: strings.Repeat(`{"kind":`, 20000), want: 400},
		{name: "deep arrays", method: "POST", path: T, body: strings.Repeat("[", 100000), want: 400},
		{name: "reserved key", method: "POST", path: T, body: withPostings(`"kind":"transfer",`), headers: []string{"Idempotency-Key", "ledger:reverse:" + tx}, want: 400},
		{name: "key too long", method: "POST", path: T, body: withPostings(`"kind":"transfer",`), headers: []string{"Idempotency-Key", strings.Repeat("k", 201)}, want: 400},
		{name: "no key", method: "POST", path: T, body: withPostings(`"kind":"transfer",`), headers: []string{"Idempotency-Key", ""}, want: 400},
		{name: "text/plain", method: "POST", path: T, body: withPostings(`"kind":"transfer",`), headers: []string{"Content-Type", "text/plain"}, want: 415},
		{name: "form", method: "POST", path: T, body: "kind=transfer", headers: []string{"Content-Type", "application/x-www-form-urlencoded"}, want: 415},
		{name: "broken gzip", method: "POST", path: T, body: "not gzip", headers: []string{"Content-Encoding", "gzip"}, want: 415},
		{name: "unbalanced gzip", method: "POST", path: T, body: gz.String(), headers: []string{"Content-Encoding", "gzip"}, want: 415},
		{name: "overdraft", method: "POST", path: T, body: txBody("transfer", "vol:1", -111, "shop:1", 111), want: 422},
		{name: "unknown account", method: "POST", path: T, body: txBody("transfer", "vol:1", -1, "vol:404", 1), want: 404},
		{name: "2 MB body", method: "POST", path: T, body: `{"kind":"transfer","memo":"` + strings.Repeat("x", 2<<20) + `"}`, want: 413, wire: true},
		{name: "2 MB of garbage", method: "POST", path: T, body: strings.Repeat("\x00", 2<<20), want: 413, wire: true},

		// POST /accounts.
		{name: "empty code", method: "POST", path: A, body: `{"code":"","kind":"volunteer"}`, want: 400},
		{name: "code with spaces", method: "POST", path: A, body: `{"code":"vol 2","kind":"volunteer"}`, want: 400},
		{name: "code too long", method: "POST", path: A, body: `{"code":"` + strings.Repeat("a", 101) + `","kind":"volunteer"}`, want: 400},
		{name: "unknown kind", method: "POST", path: A, body: `{"code":"vol:2","kind":"admin"}`, want: 400},
		{name: "guarded with slots", method: "POST", path: A, body: `{"code":"vol:2","kind":"volunteer","slots":4}`, want: 400},
		{name: "too many slots", method: "POST", path: A, body: `{"code":"org:2","kind":"issuer","allow_negative":true,"slots":65}`, want: 400},
		{name: "slots overflow", method: "POST", path: A, body: `{"code":"org:2","kind":"issuer","allow_negative":true,"slots":9223372036854775808}`, want: 400},
		{name: "allow_negative as string", method: "POST", path: A, body: `{"code":"vol:2","kind":"volunteer","allow_negative":"yes"}`, want: 400},
		{name: "existing account", method: "POST", path: A, body: `{"code":"vol:1","kind":"volunteer"}`, want: 409},

		// Path and query parameters.
		{name: "id not a number", method: "GET", path: T + "/abc", want: 400},
		{name: "id above int64", method: "GET", path: T + "/99999999999999999999", want: 400},
		{name: "negative id", method: "GET", path: T + "/-1", want: 400},
		{name: "zero id", method: "GET", path: T + "/0", want: 400},
		{name: "fractional id", method: "GET", path: T + "/1.5", want: 400},
		{name: "hex id", method: "GET", path: T + "/0x10", want: 400},
		{name: "largest id", method: "GET", path: T + "/9223372036854775807", want: 404},
		{name: "bad escape in code", method: "GET", path: A + "/%ZZ/balance", want: 400},
		{name: "truncated escape in code", method: "GET", path: A + "/vol%3/balance", want: 400},
		{name: "NUL in code", method: "GET", path: A + "/vol%00/balance", want: 400},
		{name: "invalid UTF-8 in code", method: "GET", path: A + "/%FF", want: 400},
		{name: "invalid UTF-8 in entries code", method: "GET", path: A + "/%C3%28/entries", want: 400},
		{name: "code too long in path", method: "GET", path: A + "/" + strings.Repeat("a", 101), want: 400},
		{name: "8 KB path", method: "GET", path: A + "/" + strings.Repeat("a", 8<<10), want: 431, wire: true},
		{name: "negative limit", method: "GET", path: A + "/vol:1/entries?limit=-5", want: 400},
		{name: "zero limit", method: "GET", path: A + "/vol:1/entries?limit=0", want: 400},
		{name: "limit above the page", method: "GET", path: A + "/vol:1/entries?limit=201", want: 400},
		{name: "limit overflow", method: "GET", path: A + "/vol:1/entries?limit=99999999999999999999", want: 400},
		{name: "after not a number", method: "GET", path: A + "/vol:1/entries?after=x", want: 400},
		{name: "negative after", method: "GET", path: A + "/vol:1/entries?after=-1", want: 400},
		{name: "after overflow", method: "GET", path: A + "/vol:1/entries?after=99999999999999999999", want: 400},

		// Holds.
		{name: "expiry not a time", method: "POST", path: H, body: holdWith(`"expires_at":"yesterday"`), want: 400},
		{name: "expiry a number", method: "POST", path: H, body: holdWith(`"expires_at":1700000000`), want: 400},
		{name: "expiry in the past", method: "POST", path: H, body: holdWith(`"expires_at":"2001-01-01T00:00:00Z"`), want: 400},
		{name: "expiry zero", method: "POST", path: H, body: holdWith(`"expires_at":"0001-01-01T00:00:00Z"`), want: 400},
		{name: "expiry too far", method: "POST", path: H, body: holdWith(`"expires_at":"9999-12-31T23:59:59Z"`), want: 400},
		{name: "expiry bad offset", method: "POST", path: H, body: holdWith(`"expires_at":"2030-01-01T00:00:00+99:00"`), want: 400},
		{name: "hold to itself", method: "POST", path: H, body: fmt.Sprintf(`{"from":"vol:1","to":"vol:1","amount":1,"expires_at":%q}`, exp), want: 400},
		{name: "hold of zero", method: "POST", path: H, body: fmt.Sprintf(`{"from":"vol:1","to":"shop:1","amount":0,"expires_at":%q}`, exp), want: 400},
		{name: "hold of a float", method: "POST", path: H, body: fmt.Sprintf(`{"from":"vol:1","to":"shop:1","amount":0.5,"expires_at":%q}`, exp), want: 400},
		{name: "hold NUL memo", method: "POST", path: H, body: holdWith(fmt.Sprintf(`"expires_at":%q,"memo":"\u0000"`, exp)), want: 400},
		{name: "hold unknown kind", method: "POST", path: H, body: holdWith(fmt.Sprintf(`"expires_at":%q,"kind":"reverse"`, exp)), want: 400},
		{name: "hold overdraft", method: "POST", path: H, body: fmt.Sprintf(`{"from":"vol:1","to":"shop:1","amount":111,"expires_at":%q}`, exp), want: 422},
		{name: "hold from unknown", method: "POST", path: H, body: fmt.Sprintf(`{"from":"vol:404","to":"shop:1","amount":1,"expires_at":%q}`, exp), want: 404},
		{name: "commit negative", method: "POST", path: H + "/" + hold + "/commit", body: `{"amount":-3}`, want: 400},
		{name: "commit float", method: "POST", path: H + "/" + hold + "/commit", body: `{"amount":1.5}`, want: 400},
		{name: "commit above the hold", method: "POST", path: H + "/" + hold + "/commit", body: `{"amount":11}`, want: 400},
		{name: "commit unknown field", method: "POST", path: H + "/" + hold + "/commit", body: `{"amount":1,"to":"vol:1"}`, want: 400},
		{name: "commit as text", method: "POST", path: H + "/" + hold + "/commit", body: `{"amount":1}`, headers: []string{"Content-Type", "text/plain"}, want: 415},
		{name: "commit unknown hold", method: "POST", path: H + "/999999/commit", want: 404},
		{name: "commit bad id", method: "POST", path: H + "/abc/commit", want: 400},
		{name: "void zero id", method: "POST", path: H + "/0/void", want: 400},
		{name: "void unknown hold", method: "POST", path: H + "/9223372036854775807/void", want: 404},

		// Reversals.
		{name: "reverse NUL memo", method: "POST", path: T + "/" + tx + "/reverse", body: `{"memo":"\u0000"}`, want: 400},
		{name: "reverse memo too long", method: "POST", path: T + "/" + tx + "/reverse", body: `{"memo":"` + strings.Repeat("m", 501) + `"}`, want: 400},
		{name: "reverse unknown field", method: "POST", path: T + "/" + tx + "/reverse", body: `{"reason":"x"}`, want: 400},
		{name: "reverse as text", method: "POST", path: T + "/" + tx + "/reverse", body: `{}`, headers: []string{"Content-Type", "text/plain"}, want: 415},
		{name: "reverse bad id", method: "POST", path: T + "/abc/reverse", want: 400},

		// Routes and authentication.
		{name: "unknown route", method: "GET", path: "/api/v1/nothing-here", want: 404},
		{name: "unknown method", method: "DELETE", path: T + "/" + tx},
		{name: "PUT an account", method: "PUT", path: A + "/vol:1", body: `{"code":"vol:1","kind":"issuer"}`},
		{name: "no token", method: "POST", path: T, body: withPostings(`"kind":"transfer",`), headers: []string{"Authorization", ""}, want: 401},
		{name: "wrong token", method: "GET", path: A + "/vol:1/balance", headers: []string{"Authorization", "Bearer nope"}, want: 401},
		{name: "lower-case scheme", method: "GET", path: A + "/vol:1/balance", headers: []string{"Authorization", "bearer nope"}, want: 401},
		{name: "token in query", method: "GET", path: A + "/vol:1/balance?token=" + operatorToken, headers: []string{"Authorization", ""}, want: 401},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			headers := append([]string{"Idempotency-Key", fmt.Sprintf("sweep-%d", i)}, c.headers...)
			req := request(c.method, c.path, []byte(c.body), headers...)
			var r reply
			if c.wire {
				r = a.wire(t, req)
			} else {
				r = a.send(t, req)
			}
			bad := ""
			switch {
			case r.Status < 400 || r.Status > 499:
				bad = "not a 4xx"
			case c.want != 0 && r.Status != c.want:
				bad = fmt.Sprintf("want %d", c.want)
			case r.Header.Get("Content-Type") != "application/problem+json":
				bad = "not problem+json"
			}
			if bad != "" {
				t.Fatalf("%s: %s", bad, r)
			}
			checkProblem(t, r, "")
			if now := a.books(t, codes...); now != before {
				t.Fatalf("changed the books:\n before %s\n after  %s", before, now)
			}
		})
	}
	a.verify(t)
}

// A cursor is a posting id, a bigint: a client may page with any value up to 2^63−1.
func TestEntriesCursorBeyondInt32(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.mustCreate(t, `{"code":"vol:1","kind":"volunteer"}`)
	for _, after := range []string{"2147483647", "2147483648", "9223372036854775807"} {
		r := a.do(t, "GET", "/api/v1/accounts/vol:1/entries?after="+after, "")
		var page struct {
			Entries []ledger.Entry `json:"entries"`
		}
		r.decode(t, &page)
		if r.Status != 200 || len(page.Entries) != 0 {
			t.Fatalf("after=%s: %s", after, r)
		}
	}
}

// The body limit (1 MiB) holds for what the handlers read, not just for the bytes on the wire.
func TestCompressedBodyWithinLimit(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.mustCreate(t, `{"code":"org:1:issued","kind":"issuer","allow_negative":true}`)
	a.mustCreate(t, `{"code":"vol:1","kind":"volunteer"}`)
	before := a.books(t, "org:1:issued", "vol:1")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(bytes.Repeat([]byte(" "), 3<<20)) // JSON allows leading white space
	_, _ = zw.Write([]byte(txBody("earn", "org:1:issued", -1, "vol:1", 1)))
	_ = zw.Close()
	r := a.send(t, request("POST", "/api/v1/transactions", gz.Bytes(), "Idempotency-Key", "gz", "Content-Encoding", "gzip"))
	if r.Status < 400 {
		t.Fatalf("a %d-byte gzip body that inflates to 3 MiB was accepted: %s", gz.Len(), r)
	}
	checkProblem(t, r, "")
	if now := a.books(t, "org:1:issued", "vol:1"); now != before {
		t.Fatalf("changed the books:\n before %s\n after  %s", before, now)
	}
}

// A memo with bytes that are not UTF-8 is refused, not silently rewritten.
func TestInvalidUTF8MemoIsRefused(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.mustCreate(t, `{"code":"org:1:issued","kind":"issuer","allow_negative":true}`)
	a.mustCreate(t, `{"code":"vol:1","kind":"volunteer"}`)
	body := "{\"kind\":\"earn\",\"memo\":\"\xff\xfe\",\"postings\":[{\"account\":\"org:1:issued\",\"amount\":-1},{\"account\":\"vol:1\",\"amount\":1}]}"
	r := a.do(t, "POST", "/api/v1/transactions", body, "Idempotency-Key", "utf8")
	if p := wantProblem(t, r, 400, "invalid-request"); len(p.Errors) == 0 || p.Errors[0].Reason != "encoding" {
		t.Fatalf("errors %+v", p.Errors)
	}
}
