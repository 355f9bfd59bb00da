package ledger_test

import (
	"encoding/json"
	"errors"
	"maps"
	"math/big"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"timebank/fields"
	"timebank/ledger"
)

// FuzzTransactionRequestValidate decodes arbitrary bytes as a transaction request (the idempotency
// key, the author and optionally a raw memo or reference come from the fuzzer too, since JSON cannot
// carry invalid UTF-8) and checks that Validate never panics and never accepts a request that is not
// truly valid.
//
//	go test ./ledger -run XXX -fuzz FuzzTransactionRequestValidate -fuzztime 30s
func FuzzTransactionRequestValidate(f *testing.F) {
	valid := `{"kind":"transfer","memo":"lunch","reference":"r-1","postings":[{"account":"vol:1","amount":-60},{"account":"store:1:redeemed","amount":60}]}`
	for _, seed := range []struct {
		body, key, by, raw string
		where              uint8
	}{
		{valid, "k-1", "operator", "", 0},
		{`{"kind":"earn","postings":[{"account":"org:1:issued","amount":-1000000000000},{"account":"vol:1","amount":999999999999},{"account":"vol:2","amount":1}]}`, "k-2", "operator", "", 0},
		{`{"kind":"adjust","postings":[{"account":"a","amount":1000000000001},{"account":"b","amount":-1000000000001}]}`, "k", "x", "", 0},
		{`{"kind":"transfer","postings":[{"account":"vol:1","amount":5},{"account":"vol:1","amount":-5}]}`, "k", "x", "", 0},
		{`{"kind":"transfer","postings":[{"account":"vol:1","amount":5},{"account":"vol:2","amount":-4}]}`, "k", "x", "", 0},
		{`{"kind":"transfer","postings":[{"account":"vol:1","amount":0},{"account":"vol:2","amount":0}]}`, "k", "x", "", 0},
		{`{"kind":"transfer","postings":[{"account":"Vol:1","amount":5},{"account":"vol:2","amount":-5}]}`, "k", "x", "", 0},
		{`{"kind":"transfer","postings":[{"account":"vol:1","amount":9223372036854775807},{"account":"vol:2","amount":-9223372036854775808}]}`, "k", "x", "", 0},
		{`{"kind":"reverse","postings":[{"account":"vol:1","amount":5},{"account":"vol:2","amount":-5}]}`, "k", "x", "", 0},
		{`{"kind":"transfer","memo":"a\u0000b","postings":[{"account":"vol:1","amount":5},{"account":"vol:2","amount":-5}]}`, "k", "x", "", 0},
		{valid, "ledger:reverse:1", "x", "", 0},
		{valid, "key with space", "x", "", 0},
		{valid, "k", "", "", 0},
		{valid, "k", "x", "\xff\xfe", 1},
		{valid, "k", "x", "ok\x00", 2},
		{valid, "k", "x", strings.Repeat("é", 501), 1},
		{`{"kind":"transfer","postings":[{"account":"vol:1","amount":5}]}`, "k", "x", "", 0},
		{`{"kind":"transfer","postings":null}`, "k", "x", "", 0},
		{`[1,2,3]`, "k", "x", "", 0},
		{`{"kind":`, "k", "x", "", 0},
	} {
		f.Add([]byte(seed.body), seed.key, seed.by, seed.raw, seed.where)
	}
	f.Fuzz(func(t *testing.T, body []byte, key, createdBy, raw string, where uint8) {
		var r ledger.TransactionRequest
		_ = json.Unmarshal(body, &r) // a partly decoded request must not make Validate panic either
		r.IdempotencyKey, r.CreatedBy = key, createdBy
		switch where % 3 {
		case 1:
			r.Memo = raw
		case 2:
			r.Reference = raw
		}
		before := cloneRequest(r)
		err := r.Validate()
		if !sameRequest(before, r) {
			t.Fatalf("Validate changed the request: %+v → %+v", before, r)
		}
		if err != nil {
			return
		}
		// Accepted: it must truly be valid.
		switch r.Kind {
		case ledger.TxEarn, ledger.TxRedeem, ledger.TxTransfer, ledger.TxDonate, ledger.TxExpire, ledger.TxAdjust:
		default:
			t.Fatalf("accepted kind %q", r.Kind)
		}
		if n := len(r.Postings); n < 2 || n > 64 {
			t.Fatalf("accepted %d postings", n)
		}
		sum := new(big.Int)
		seen := map[string]bool{}
		for i, p := range r.Postings {
			if p.Amount == 0 || p.Amount > ledger.MaxAmount || p.Amount < -ledger.MaxAmount {
				t.Fatalf("accepted posting %d with amount %d", i, p.Amount)
			}
			if !ledger.ValidCode(p.Account) {
				t.Fatalf("accepted posting %d with account %q", i, p.Account)
			}
			if seen[p.Account] {
				t.Fatalf("accepted account %q twice", p.Account)
			}
			seen[p.Account] = true
			sum.Add(sum, big.NewInt(p.Amount))
		}
		if sum.Sign() != 0 {
			t.Fatalf("accepted postings summing to %s: %+v", sum, r.Postings)
		}
		for field, s := range map[string]string{"memo": r.Memo, "reference": r.Reference} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Fatalf("accepted %s %q", field, s)
			}
		}
		if utf8.RuneCountInString(r.Memo) > 500 || utf8.RuneCountInString(r.Reference) > 200 {
			t.Fatalf("accepted memo of %d and reference of %d characters",
				utf8.RuneCountInString(r.Memo), utf8.RuneCountInString(r.Reference))
		}
		if r.IdempotencyKey == "" || len(r.IdempotencyKey) > 200 || strings.HasPrefix(r.IdempotencyKey, "ledger:") {
			t.Fatalf("accepted idempotency key %q", r.IdempotencyKey)
		}
		for _, c := range []byte(r.IdempotencyKey) {
			if c < 0x21 || c > 0x7e {
				t.Fatalf("accepted idempotency key %q", r.IdempotencyKey)
			}
		}
		if r.CreatedBy == "" {
			t.Fatal("accepted a request without author")
		}
	})
}

func cloneRequest(r ledger.TransactionRequest) ledger.TransactionRequest {
	r.Postings = append([]ledger.PostingRequest(nil), r.Postings...)
	return r
}

func sameRequest(a, b ledger.TransactionRequest) bool {
	if a.Kind != b.Kind || a.Memo != b.Memo || a.Reference != b.Reference || a.IdempotencyKey != b.IdempotencyKey ||
		a.CreatedBy != b.CreatedBy || len(a.Postings) != len(b.Postings) {
		return false
	}
	for i := range a.Postings {
		if a.Postings[i] != b.Postings[i] {
			return false
		}
	}
	return true
}

// The fuzz target's seeds, checked by hand: the valid ones are accepted (so the target's checks do
// run), each invalid one is refused for its reason.
func TestTransactionRequestValidateExamples(t *testing.T) {
	ok := func(postings ...ledger.PostingRequest) ledger.TransactionRequest {
		return ledger.TransactionRequest{Kind: ledger.TxTransfer, IdempotencyKey: "k-1", CreatedBy: "operator", Postings: postings}
	}
	p := func(a string, n int64) ledger.PostingRequest { return ledger.PostingRequest{Account: a, Amount: n} }
	many := make([]ledger.PostingRequest, 65)
	for i := range many {
		many[i] = p("vol:"+strings.Repeat("a", i+1), 1)
	}
	many[0].Amount = -64
	for _, c := range []struct {
		name   string
		r      ledger.TransactionRequest
		reason string // "" when valid
	}{
		{"two postings", ok(p("vol:1", -60), p("store:1:redeemed", 60)), ""},
		{"max amounts", ok(p("org:1", -ledger.MaxAmount), p("vol:1", ledger.MaxAmount-1), p("vol:2", 1)), ""},
		{"64 postings", ok(append([]ledger.PostingRequest{p("vol:z", -63)}, many[1:64]...)...), ""},
		{"65 postings", ok(many...), "too_many"},
		{"one posting", ok(p("vol:1", 0)), "too_few"},
		{"zero amount", ok(p("vol:1", 0), p("vol:2", 0)), "zero"},
		{"above max", ok(p("vol:1", ledger.MaxAmount+1), p("vol:2", -ledger.MaxAmount-1)), "range"},
		{"unbalanced", ok(p("vol:1", 5), p("vol:2", -4)), "unbalanced"},
		{"duplicate", ok(p("vol:1", 5), p("vol:1", -5)), "duplicate"},
		{"bad code", ok(p("Vol:1", 5), p("vol:2", -5)), "format"},
	} {
		err := c.r.Validate()
		var ve *fields.Error
		switch {
		case c.reason == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.reason != "" && (!errors.As(err, &ve) || !slices.Contains(slices.Collect(maps.Values(ve.Fields())), c.reason)):
			t.Errorf("%s: want %s, got %v", c.name, c.reason, err)
		}
	}
}
