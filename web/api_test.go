package web_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"timebank/ledger"
	"timebank/pkg/app"
	"timebank/pkg/config"
	"timebank/pkg/dbtest"
	"timebank/web"
	"timebank/web/problem"
)

const operatorToken = "dev-operator-token" // set by the tests' configuration: there is no default

// metricsToken is the scraper's token in the tests' configuration.
const metricsToken = "test-metrics-token-0001"

// testApp is the real app over a fresh PostgreSQL database and a Redis key prefix of its own.
type testApp struct {
	app    *fiber.App
	db     *sqlx.DB
	l      *ledger.Ledger
	rdb    redis.UniversalClient
	prefix string
}

func newApp(t *testing.T) *testApp {
	t.Helper()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.OperatorToken, cfg.MetricsToken = operatorToken, metricsToken
	cfg.RedisPrefix = prefix
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := app.New(cfg, discard, db, rdb)
	if err != nil {
		t.Fatal(err)
	}
	a, err := web.New(svc)
	if err != nil {
		t.Fatal(err)
	}
	return &testApp{app: a, db: db, l: svc.Ledger, rdb: rdb, prefix: prefix}
}

// reply is a response, read whole.
type reply struct {
	Status int
	Header http.Header
	Raw    []byte
}

func (r reply) String() string {
	b := r.Raw
	if len(b) > 600 {
		b = b[:600]
	}
	return fmt.Sprintf("%d %s %s", r.Status, r.Header.Get("Content-Type"), b)
}

// decode parses the JSON body into v.
func (r reply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Raw, v); err != nil {
		t.Fatalf("body is not the expected JSON (%v): %s", err, r)
	}
}

// request builds a request with the operator token and, when there is a body, Content-Type
// application/json. headers are name, value pairs that override those; an empty value removes the
// header. The path is sent as is, so it may hold any escape (valid or not).
func request(method, path string, body []byte, headers ...string) *http.Request {
	req := httptest.NewRequest(method, "/", bytes.NewReader(body))
	req.RequestURI = path
	req.Header.Set("Authorization", "Bearer "+operatorToken)
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	return req
}

// send runs the request through app.Test.
func (a *testApp) send(t *testing.T, req *http.Request) reply {
	t.Helper()
	resp, err := a.app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.RequestURI, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{Status: resp.StatusCode, Header: resp.Header, Raw: b}
}

func (a *testApp) do(t *testing.T, method, path, body string, headers ...string) reply {
	t.Helper()
	return a.send(t, request(method, path, []byte(body), headers...))
}

// memConn is a connection that reads a request from memory and keeps what is written to it.
type memConn struct {
	r *bytes.Reader
	w bytes.Buffer
}

func (c *memConn) Read(b []byte) (int, error)       { return c.r.Read(b) }
func (c *memConn) Write(b []byte) (int, error)      { return c.w.Write(b) }
func (c *memConn) Close() error                     { return nil }
func (c *memConn) LocalAddr() net.Addr              { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080} }
func (c *memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000} }
func (c *memConn) SetDeadline(time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }

// wire serves the request on a connection of its own and reads the response, even when fasthttp
// refuses the request while reading it (body or header too large), before any handler runs:
// app.Test returns that read error instead of the response the server wrote.
func (a *testApp) wire(t *testing.T, req *http.Request) reply {
	t.Helper()
	a.send(t, request("GET", "/healthz", nil)) // app.Test builds the route tree first
	if req.ContentLength > 0 {
		req.Header.Set("Content-Length", strconv.FormatInt(req.ContentLength, 10))
	}
	dump, err := httputil.DumpRequest(req, true)
	if err != nil {
		t.Fatal(err)
	}
	conn := &memConn{r: bytes.NewReader(dump)}
	_ = a.app.Server().ServeConn(conn) // the read error, if any, is in the response
	resp, err := http.ReadResponse(bufio.NewReader(&conn.w), req)
	if err != nil {
		t.Fatalf("%s %.80s: no response: %v", req.Method, req.RequestURI, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{Status: resp.StatusCode, Header: resp.Header, Raw: b}
}

// wantProblem checks that r is an application/problem+json document of the status whose type ends
// in /problems/{slug} (any slug when empty), and returns it.
func wantProblem(t *testing.T, r reply, status int, slug string) problem.Problem {
	t.Helper()
	if r.Status != status {
		t.Fatalf("want %d %s, got %s", status, slug, r)
	}
	return checkProblem(t, r, slug)
}

// checkProblem checks the problem document whatever its status.
func checkProblem(t *testing.T, r reply, slug string) problem.Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json: %s", ct, r)
	}
	var p problem.Problem
	if err := json.Unmarshal(r.Raw, &p); err != nil {
		t.Fatalf("problem is not JSON (%v): %s", err, r)
	}
	if p.Status != r.Status {
		t.Errorf("problem status %d, HTTP status %d", p.Status, r.Status)
	}
	if !strings.Contains(p.Type, "/problems/") || (slug != "" && !strings.HasSuffix(p.Type, "/problems/"+slug)) {
		t.Errorf("problem type %q, want …/problems/%s", p.Type, slug)
	}
	if p.Title == "" || strings.HasPrefix(p.Title, "problem.") {
		t.Errorf("problem title %q is missing or untranslated", p.Title)
	}
	for _, e := range p.Errors {
		if e.Field == "" && e.Reason != "type" || e.Reason == "" || e.Message == "" || strings.HasPrefix(e.Message, "reason.") {
			t.Errorf("field error %+v is incomplete or untranslated", e)
		}
	}
	if id := r.Header.Get("X-Request-Id"); id != "" && p.RequestID != id {
		t.Errorf("problem request_id %q, X-Request-Id %q", p.RequestID, id)
	}
	return p
}

// books describes the state of the ledger as seen through the accounts: every balance in PostgreSQL
// and as the API serves it, and the write counters. A refused write must leave it as it was.
func (a *testApp) books(t *testing.T, codes ...string) string {
	t.Helper()
	st := a.l.Stats()
	var b strings.Builder
	fmt.Fprintf(&b, "tx=%d postings=%d holds=%d", st.Transactions, st.Postings, st.Holds)
	for _, c := range codes {
		pg, err := a.l.PostgresBalance(t.Context(), c)
		if err != nil {
			t.Fatalf("balance %s: %v", c, err)
		}
		served, err := a.l.Balance(t.Context(), c)
		if err != nil {
			t.Fatalf("balance %s: %v", c, err)
		}
		fmt.Fprintf(&b, " %s=%d/%d/v%d(served %d/%d/v%d)", c, pg.Posted, pg.Pending, pg.Version,
			served.Posted, served.Pending, served.Version)
	}
	return b.String()
}

func (a *testApp) verify(t *testing.T) {
	t.Helper()
	rep, err := a.l.Verify(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("ledger verify: %v", rep.Problems)
	}
}

func (a *testApp) mustCreate(t *testing.T, body string) {
	t.Helper()
	if r := a.do(t, "POST", "/api/v1/accounts", body); r.Status != http.StatusCreated {
		t.Fatalf("create account %s: %s", body, r)
	}
}

func balanceOf(t *testing.T, bals []ledger.Balance, code string) ledger.Balance {
	t.Helper()
	for _, b := range bals {
		if b.Account == code {
			if b.Source != ledger.SourceRedis && b.Source != ledger.SourcePostgres {
				t.Errorf("balance of %s has source %q", code, b.Source)
			}
			return b
		}
	}
	t.Fatalf("no balance of %s in %+v", code, bals)
	return ledger.Balance{}
}

func txBody(kind string, postings ...any) string {
	var ps []string
	for i := 0; i+1 < len(postings); i += 2 {
		ps = append(ps, fmt.Sprintf(`{"account":%q,"amount":%d}`, postings[i], postings[i+1]))
	}
	return fmt.Sprintf(`{"kind":%q,"postings":[%s]}`, kind, strings.Join(ps, ","))
}

func TestLedgerAPI(t *testing.T) {
	a := newApp(t)
	for _, acc := range []string{
		`{"code":"org:1:issued","kind":"issuer","allow_negative":true}`,
		`{"code":"vol:1","kind":"volunteer"}`,
		`{"code":"vol:2","kind":"volunteer"}`,
		`{"code":"shop:1","kind":"store"}`,
	} {
		a.mustCreate(t, acc)
	}
	codes := []string{"org:1:issued", "vol:1", "vol:2", "shop:1"}

	r := a.do(t, "POST", "/api/v1/accounts", `{"code":"vol:3","kind":"volunteer"}`)
	if r.Status != 201 || r.Header.Get("Location") != "/api/v1/accounts/vol:3" {
		t.Fatalf("create: %s (Location %q)", r, r.Header.Get("Location"))
	}
	var acc ledger.Account
	a.send(t, request("GET", "/api/v1/accounts/vol%3A1", nil)).decode(t, &acc)
	if acc.Code != "vol:1" || acc.Kind != "volunteer" || acc.AllowNegative || acc.Slots != 1 {
		t.Fatalf("account: %+v", acc)
	}
	wantProblem(t, a.do(t, "POST", "/api/v1/accounts", `{"code":"vol:1","kind":"volunteer"}`), 409, "account-exists")
	wantProblem(t, a.do(t, "GET", "/api/v1/accounts/vol:404", ""), 404, "account-not-found")

	// Earn: 201 with Location and the new balances.
	earn := `{"kind":"earn","memo":"为老服务","postings":[{"account":"org:1:issued","amount":-120},{"account":"vol:1","amount":120}]}`
	r = a.do(t, "POST", "/api/v1/transactions", earn, "Idempotency-Key", "e-1")
	var first ledger.Result
	r.decode(t, &first)
	if r.Status != 201 || first.Replayed || first.Transaction.ID == 0 ||
		r.Header.Get("Location") != "/api/v1/transactions/"+strconv.FormatInt(first.Transaction.ID, 10) {
		t.Fatalf("post: %s (Location %q)", r, r.Header.Get("Location"))
	}
	if r.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("a first post says Idempotent-Replayed")
	}
	if b := balanceOf(t, first.Balances, "vol:1"); b.Posted != 120 || b.Available != 120 || b.Pending != 0 {
		t.Fatalf("balance after earn: %+v", b)
	}
	if b := balanceOf(t, first.Balances, "org:1:issued"); b.Posted != -120 {
		t.Fatalf("issuer after earn: %+v", b)
	}
	if len(first.Transaction.Postings) != 2 || first.Transaction.Memo != "为老服务" || first.Transaction.CreatedBy != "operator" {
		t.Fatalf("transaction: %+v", first.Transaction)
	}

	// Replay: 200, Idempotent-Replayed, the same transaction; the order of the postings does not matter.
	reordered := `{"kind":"earn","memo":"为老服务","postings":[{"account":"vol:1","amount":120},{"account":"org:1:issued","amount":-120}]}`
	for _, body := range []string{earn, reordered} {
		r = a.do(t, "POST", "/api/v1/transactions", body, "Idempotency-Key", "e-1")
		var again ledger.Result
		r.decode(t, &again)
		if r.Status != 200 || r.Header.Get("Idempotent-Replayed") != "true" || !again.Replayed ||
			again.Transaction.ID != first.Transaction.ID {
			t.Fatalf("replay: %s", r)
		}
		balanceOf(t, again.Balances, "vol:1")
	}

	// Every refused write below leaves the books as they are.
	before := a.books(t, codes...)
	refused := func(what string, r reply, status int, slug string) problem.Problem {
		t.Helper()
		p := wantProblem(t, r, status, slug)
		if now := a.books(t, codes...); now != before {
			t.Fatalf("%s changed the books:\n before %s\n after  %s", what, before, now)
		}
		return p
	}
	other := strings.Replace(earn, "120", "121", 2)
	refused("key reuse", a.do(t, "POST", "/api/v1/transactions", other, "Idempotency-Key", "e-1"), 409, "idempotency-conflict")

	over := txBody("transfer", "vol:1", -121, "vol:2", 121)
	p := refused("overdraft", a.do(t, "POST", "/api/v1/transactions", over, "Idempotency-Key", "t-over"), 422, "insufficient-funds")
	if p.Account != "vol:1" || !strings.Contains(p.Detail, "vol:1") {
		t.Errorf("insufficient funds names %q (%q), want vol:1", p.Account, p.Detail)
	}
	p = refused("unknown account", a.do(t, "POST", "/api/v1/transactions", txBody("transfer", "vol:1", -1, "vol:9", 1),
		"Idempotency-Key", "t-unknown"), 404, "account-not-found")
	if p.Account != "vol:9" {
		t.Errorf("unknown account names %q, want vol:9", p.Account)
	}
	p = refused("unbalanced", a.do(t, "POST", "/api/v1/transactions", txBody("transfer", "vol:1", -5, "vol:2", 4),
		"Idempotency-Key", "t-unbalanced"), 400, "invalid-request")
	if len(p.Errors) == 0 || p.Errors[0].Field != "postings" || p.Errors[0].Reason != "unbalanced" {
		t.Errorf("unbalanced: errors %+v", p.Errors)
	}
	valid := txBody("transfer", "vol:1", -30, "vol:2", 30)
	p = refused("no key", a.do(t, "POST", "/api/v1/transactions", valid), 400, "invalid-request")
	if len(p.Errors) == 0 || p.Errors[0].Field != "Idempotency-Key" || p.Errors[0].Reason != "required" {
		t.Errorf("missing key: errors %+v", p.Errors)
	}
	p = refused("text/plain", a.do(t, "POST", "/api/v1/transactions", valid, "Idempotency-Key", "t-ct", "Content-Type", "text/plain"), 415, "")
	if len(p.Errors) == 0 || p.Errors[0].Reason != "content_type" {
		t.Errorf("wrong content type: errors %+v", p.Errors)
	}
	refused("no content type", a.do(t, "POST", "/api/v1/transactions", valid, "Idempotency-Key", "t-ct", "Content-Type", ""), 415, "")
	p = refused("unknown field", a.do(t, "POST", "/api/v1/transactions",
		`{"kind":"transfer","extra":1,"postings":[{"account":"vol:1","amount":-30},{"account":"vol:2","amount":30}]}`,
		"Idempotency-Key", "t-extra"), 400, "invalid-request")
	if len(p.Errors) == 0 || p.Errors[0].Field != "extra" || p.Errors[0].Reason != "unknown_field" {
		t.Errorf("unknown field: errors %+v", p.Errors)
	}
	for _, auth := range []string{"", "Bearer wrong-token", "Bearer " + operatorToken + "x", "Basic ZGV2OmRldg==", operatorToken} {
		r := a.do(t, "POST", "/api/v1/transactions", valid, "Idempotency-Key", "t-auth", "Authorization", auth)
		refused("Authorization "+auth, r, 401, "unauthorized")
		if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("401 without WWW-Authenticate: %v", r.Header)
		}
	}
	refused("GET without token", a.do(t, "GET", "/api/v1/accounts/vol:1/balance", "", "Authorization", ""), 401, "unauthorized")

	// A transfer that is allowed.
	r = a.do(t, "POST", "/api/v1/transactions", valid, "Idempotency-Key", "t-1")
	var transfer ledger.Result
	r.decode(t, &transfer)
	if r.Status != 201 || balanceOf(t, transfer.Balances, "vol:1").Available != 90 || balanceOf(t, transfer.Balances, "vol:2").Available != 30 {
		t.Fatalf("transfer: %s", r)
	}

	// Balance: from Redis; from PostgreSQL once the Redis key is gone; from Redis again after that read
	// put it back.
	balance := func() ledger.Balance {
		t.Helper()
		var b ledger.Balance
		r := a.do(t, "GET", "/api/v1/accounts/vol:1/balance", "")
		if r.Status != 200 {
			t.Fatalf("balance: %s", r)
		}
		r.decode(t, &b)
		if b.Account != "vol:1" || b.Posted != 90 || b.Available != 90 || b.Version != 2 {
			t.Fatalf("balance: %+v", b)
		}
		return b
	}
	if b := balance(); b.Source != "redis" {
		t.Fatalf("balance source %q, want redis", b.Source)
	}
	if n, err := a.rdb.Del(t.Context(), a.prefix+"bal:vol:1").Result(); err != nil || n != 1 {
		t.Fatalf("delete the Redis balance: %d %v", n, err)
	}
	if b := balance(); b.Source != "postgres" {
		t.Fatalf("balance source %q after the Redis key was deleted, want postgres", b.Source)
	}
	if b := balance(); b.Source != "redis" {
		t.Fatalf("balance source %q after the repair, want redis", b.Source)
	}
	wantProblem(t, a.do(t, "GET", "/api/v1/accounts/vol:404/balance", ""), 404, "account-not-found")

	// Entries, newest first, one per page.
	type page struct {
		Entries []ledger.Entry `json:"entries"`
		Next    string         `json:"next"`
	}
	var p1, p2, all page
	a.do(t, "GET", "/api/v1/accounts/vol%3A1/entries?limit=1", "").decode(t, &p1)
	if len(p1.Entries) != 1 || p1.Entries[0].Amount != -30 || p1.Entries[0].TransactionID != transfer.Transaction.ID || p1.Next == "" {
		t.Fatalf("first page: %+v", p1)
	}
	a.do(t, "GET", "/api/v1/accounts/vol:1/entries?limit=1&after="+p1.Next, "").decode(t, &p2)
	if len(p2.Entries) != 1 || p2.Entries[0].Amount != 120 || p2.Entries[0].Memo != "为老服务" ||
		p2.Entries[0].ID >= p1.Entries[0].ID || p2.Next != "" {
		t.Fatalf("second page: %+v", p2)
	}
	a.do(t, "GET", "/api/v1/accounts/vol:1/entries", "").decode(t, &all)
	if len(all.Entries) != 2 || all.Next != "" || all.Entries[0].BalanceAfter != 90 || all.Entries[1].BalanceAfter != 120 {
		t.Fatalf("all entries: %+v", all)
	}

	// A transaction.
	var tx ledger.Transaction
	r = a.do(t, "GET", "/api/v1/transactions/"+strconv.FormatInt(first.Transaction.ID, 10), "")
	r.decode(t, &tx)
	if r.Status != 200 || tx.ID != first.Transaction.ID || tx.Kind != "earn" || tx.IdempotencyKey != "e-1" || len(tx.Postings) != 2 {
		t.Fatalf("transaction: %s", r)
	}
	wantProblem(t, a.do(t, "GET", "/api/v1/transactions/999999", ""), 404, "transaction-not-found")

	// Reversals: the earn cannot be undone (vol:1 spent 30 of it); the transfer can, once.
	before = a.books(t, codes...)
	p = refused("reversal of spent credits", a.do(t, "POST", fmt.Sprintf("/api/v1/transactions/%d/reverse", first.Transaction.ID), ""),
		422, "insufficient-funds")
	if p.Account != "vol:1" {
		t.Errorf("reversal overdraft names %q", p.Account)
	}
	revPath := fmt.Sprintf("/api/v1/transactions/%d/reverse", transfer.Transaction.ID)
	r = a.do(t, "POST", revPath, `{"memo":"录入错误"}`)
	var rev ledger.Result
	r.decode(t, &rev)
	if r.Status != 201 || rev.Transaction.Kind != "reverse" || rev.Transaction.Reverses == nil ||
		*rev.Transaction.Reverses != transfer.Transaction.ID || balanceOf(t, rev.Balances, "vol:1").Available != 120 {
		t.Fatalf("reverse: %s", r)
	}
	r = a.do(t, "POST", revPath, "")
	var revAgain ledger.Result
	r.decode(t, &revAgain)
	if r.Status != 200 || r.Header.Get("Idempotent-Replayed") != "true" || revAgain.Transaction.ID != rev.Transaction.ID {
		t.Fatalf("reverse replay: %s", r)
	}
	before = a.books(t, codes...)
	refused("reversal of a reversal", a.do(t, "POST", fmt.Sprintf("/api/v1/transactions/%d/reverse", rev.Transaction.ID), ""), 409, "not-reversible")
	refused("reversal of nothing", a.do(t, "POST", "/api/v1/transactions/999999/reverse", ""), 404, "transaction-not-found")
	a.do(t, "GET", "/api/v1/transactions/"+strconv.FormatInt(transfer.Transaction.ID, 10), "").decode(t, &tx)
	if tx.ReversedBy == nil || *tx.ReversedBy != rev.Transaction.ID {
		t.Fatalf("reversed transaction: %+v", tx)
	}
	a.verify(t)
}

func TestHoldsAPI(t *testing.T) {
	a := newApp(t)
	a.mustCreate(t, `{"code":"org:1:issued","kind":"issuer","allow_negative":true}`)
	a.mustCreate(t, `{"code":"vol:1","kind":"volunteer"}`)
	a.mustCreate(t, `{"code":"shop:1","kind":"store"}`)
	codes := []string{"org:1:issued", "vol:1", "shop:1"}
	if r := a.do(t, "POST", "/api/v1/transactions", txBody("earn", "org:1:issued", -100, "vol:1", 100), "Idempotency-Key", "e-1"); r.Status != 201 {
		t.Fatalf("earn: %s", r)
	}
	in := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339Nano) }
	holdBody := func(amount int64, expires string) string {
		return fmt.Sprintf(`{"from":"vol:1","to":"shop:1","amount":%d,"expires_at":%q,"memo":"大米一袋"}`, amount, expires)
	}
	exp := in(time.Hour)
	body := holdBody(50, exp)

	r := a.do(t, "POST", "/api/v1/holds", body, "Idempotency-Key", "h-1")
	var held ledger.HoldResult
	r.decode(t, &held)
	id := strconv.FormatInt(held.Hold.ID, 10)
	if r.Status != 201 || held.Replayed || held.Hold.Status != "pending" || held.Hold.Kind != "redeem" ||
		r.Header.Get("Location") != "/api/v1/holds/"+id {
		t.Fatalf("hold: %s", r)
	}
	if b := balanceOf(t, held.Balances, "vol:1"); b.Posted != 100 || b.Pending != 50 || b.Available != 50 {
		t.Fatalf("balance after hold: %+v", b)
	}
	r = a.do(t, "POST", "/api/v1/holds", body, "Idempotency-Key", "h-1")
	var again ledger.HoldResult
	r.decode(t, &again)
	if r.Status != 200 || r.Header.Get("Idempotent-Replayed") != "true" || !again.Replayed || again.Hold.ID != held.Hold.ID {
		t.Fatalf("hold replay: %s", r)
	}

	before := a.books(t, codes...)
	refused := func(what string, r reply, status int, slug string) problem.Problem {
		t.Helper()
		p := wantProblem(t, r, status, slug)
		if now := a.books(t, codes...); now != before {
			t.Fatalf("%s changed the books:\n before %s\n after  %s", what, before, now)
		}
		return p
	}
	refused("key reuse", a.do(t, "POST", "/api/v1/holds", holdBody(49, exp), "Idempotency-Key", "h-1"), 409, "idempotency-conflict")
	p := refused("hold above available", a.do(t, "POST", "/api/v1/holds", holdBody(51, exp), "Idempotency-Key", "h-over"), 422, "insufficient-funds")
	if p.Account != "vol:1" {
		t.Errorf("insufficient funds names %q", p.Account)
	}
	refused("no key", a.do(t, "POST", "/api/v1/holds", holdBody(1, exp)), 400, "invalid-request")
	refused("text/plain", a.do(t, "POST", "/api/v1/holds", holdBody(1, exp), "Idempotency-Key", "h-ct", "Content-Type", "text/plain"), 415, "")
	refused("unknown source", a.do(t, "POST", "/api/v1/holds",
		fmt.Sprintf(`{"from":"vol:9","to":"shop:1","amount":1,"expires_at":%q}`, exp), "Idempotency-Key", "h-404"), 404, "account-not-found")
	p = refused("past expiry", a.do(t, "POST", "/api/v1/holds", holdBody(1, in(-time.Minute)), "Idempotency-Key", "h-past"), 400, "invalid-request")
	if len(p.Errors) == 0 || p.Errors[0].Field != "expires_at" || p.Errors[0].Reason != "past" {
		t.Errorf("past expiry: %+v", p.Errors)
	}
	refused("no token", a.do(t, "POST", "/api/v1/holds", holdBody(1, exp), "Idempotency-Key", "h-auth", "Authorization", ""), 401, "unauthorized")

	var h ledger.Hold
	a.do(t, "GET", "/api/v1/holds/"+id, "").decode(t, &h)
	if h.ID != held.Hold.ID || h.Status != "pending" || h.Amount != 50 || h.From != "vol:1" || h.To != "shop:1" {
		t.Fatalf("get hold: %+v", h)
	}
	wantProblem(t, a.do(t, "GET", "/api/v1/holds/999999", ""), 404, "hold-not-found")

	// Commit 30 of the 50: the rest is released.
	r = a.do(t, "POST", "/api/v1/holds/"+id+"/commit", `{"amount":30}`)
	var commit ledger.Result
	r.decode(t, &commit)
	if r.Status != 201 || commit.Transaction.HoldID == nil || *commit.Transaction.HoldID != held.Hold.ID {
		t.Fatalf("commit: %s", r)
	}
	if b := balanceOf(t, commit.Balances, "vol:1"); b.Posted != 70 || b.Pending != 0 || b.Available != 70 {
		t.Fatalf("vol:1 after commit: %+v", b)
	}
	if b := balanceOf(t, commit.Balances, "shop:1"); b.Posted != 30 {
		t.Fatalf("shop:1 after commit: %+v", b)
	}
	r = a.do(t, "POST", "/api/v1/holds/"+id+"/commit", `{"amount":30}`)
	var commitAgain ledger.Result
	r.decode(t, &commitAgain)
	if r.Status != 200 || r.Header.Get("Idempotent-Replayed") != "true" || commitAgain.Transaction.ID != commit.Transaction.ID {
		t.Fatalf("commit replay: %s", r)
	}
	before = a.books(t, codes...)
	refused("commit again with another amount", a.do(t, "POST", "/api/v1/holds/"+id+"/commit", ""), 409, "hold-resolved")
	refused("void of a committed hold", a.do(t, "POST", "/api/v1/holds/"+id+"/void", ""), 409, "hold-resolved")
	refused("commit of an unknown hold", a.do(t, "POST", "/api/v1/holds/999999/commit", `{"amount":1}`), 404, "hold-not-found")
	refused("void of an unknown hold", a.do(t, "POST", "/api/v1/holds/999999/void", ""), 404, "hold-not-found")
	a.do(t, "GET", "/api/v1/holds/"+id, "").decode(t, &h)
	if h.Status != "committed" || h.CommittedAmount == nil || *h.CommittedAmount != 30 ||
		h.TransactionID == nil || *h.TransactionID != commit.Transaction.ID || h.ResolvedAt == nil {
		t.Fatalf("committed hold: %+v", h)
	}

	// A hold committed above its amount is refused; voiding releases it; voiding again is a replay.
	r = a.do(t, "POST", "/api/v1/holds", holdBody(5, exp), "Idempotency-Key", "h-2")
	var second ledger.HoldResult
	r.decode(t, &second)
	id2 := strconv.FormatInt(second.Hold.ID, 10)
	if r.Status != 201 {
		t.Fatalf("second hold: %s", r)
	}
	before = a.books(t, codes...)
	p = refused("commit above the hold", a.do(t, "POST", "/api/v1/holds/"+id2+"/commit", `{"amount":6}`), 400, "invalid-request")
	if len(p.Errors) == 0 || p.Errors[0].Field != "amount" || p.Errors[0].Reason != "exceeds_hold" {
		t.Errorf("commit above the hold: %+v", p.Errors)
	}
	refused("commit of zero", a.do(t, "POST", "/api/v1/holds/"+id2+"/commit", `{"amount":0}`), 400, "invalid-request")
	r = a.do(t, "POST", "/api/v1/holds/"+id2+"/void", "")
	var void ledger.HoldResult
	r.decode(t, &void)
	if r.Status != 200 || void.Replayed || void.Hold.Status != "voided" || balanceOf(t, void.Balances, "vol:1").Available != 70 {
		t.Fatalf("void: %s", r)
	}
	r = a.do(t, "POST", "/api/v1/holds/"+id2+"/void", "")
	r.decode(t, &void)
	if r.Status != 200 || !void.Replayed {
		t.Fatalf("void replay: %s", r)
	}
	before = a.books(t, codes...)
	refused("commit of a voided hold", a.do(t, "POST", "/api/v1/holds/"+id2+"/commit", ""), 409, "hold-resolved")

	// A hold whose expiry has passed cannot be committed, even before the expiry worker releases it.
	soon := time.Now().Add(time.Second)
	r = a.do(t, "POST", "/api/v1/holds", holdBody(7, soon.UTC().Format(time.RFC3339Nano)), "Idempotency-Key", "h-3")
	var third ledger.HoldResult
	r.decode(t, &third)
	if r.Status != 201 {
		t.Fatalf("short hold: %s", r)
	}
	time.Sleep(time.Until(soon) + 300*time.Millisecond)
	before = a.books(t, codes...)
	refused("commit of an expired hold", a.do(t, "POST", fmt.Sprintf("/api/v1/holds/%d/commit", third.Hold.ID), ""), 409, "hold-expired")
	a.verify(t)
}

func TestOperationsEndpoints(t *testing.T) {
	a := newApp(t)
	a.mustCreate(t, `{"code":"org:1:issued","kind":"issuer","allow_negative":true}`)
	a.mustCreate(t, `{"code":"vol:1","kind":"volunteer"}`)
	if r := a.do(t, "POST", "/api/v1/transactions", txBody("earn", "org:1:issued", -60, "vol:1", 60), "Idempotency-Key", "e-1"); r.Status != 201 {
		t.Fatalf("earn: %s", r)
	}

	var health struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	r := a.do(t, "GET", "/healthz", "", "Authorization", "")
	r.decode(t, &health)
	if r.Status != 200 || health.Status != "ok" {
		t.Fatalf("healthz: %s", r)
	}
	r = a.do(t, "GET", "/readyz", "", "Authorization", "")
	r.decode(t, &health)
	if r.Status != 200 || health.Status != "ok" || health.Checks["postgres"] != "ok" || health.Checks["redis"] != "ok" {
		t.Fatalf("readyz: %s", r)
	}

	if r = a.do(t, "GET", "/metrics", "", "Authorization", ""); r.Status != 404 {
		t.Fatalf("metrics without the scraper's token: %s", r)
	}
	if r = a.do(t, "GET", "/metrics", ""); r.Status != 404 {
		t.Fatalf("metrics with the operator's token: %s", r)
	}
	r = a.do(t, "GET", "/metrics", "", "Authorization", "Bearer "+metricsToken)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics: %s", r)
	}
	text := string(r.Raw)
	for _, want := range []string{
		"# TYPE timebank_http_requests_total counter",
		`,route="/api/v1/transactions",status="201"} 1`,
		"timebank_http_request_duration_seconds_bucket{",
		"# TYPE timebank_ledger_postings_total counter",
		// Beside the service's own: the Go runtime, the process, and the PostgreSQL and Redis pools.
		"# TYPE go_goroutines gauge",
		"# TYPE process_cpu_seconds_total counter",
		`go_sql_open_connections{db_name="postgres"} `,
		`go_sql_wait_duration_seconds_total{db_name="postgres"} `,
		"# TYPE timebank_redis_pool_hits_total counter",
		"# TYPE timebank_redis_pool_idle_connections gauge",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	m := regexp.MustCompile(`(?m)^timebank_ledger_postings_total (\d+)$`).FindStringSubmatch(text)
	if m == nil || m[1] != "2" {
		t.Errorf("timebank_ledger_postings_total: %v", m)
	}

	// The caller's request id is echoed, in the header and in problems.
	r = a.do(t, "GET", "/api/v1/accounts/vol:404", "", "X-Request-Id", "support-4711")
	if p := wantProblem(t, r, 404, "account-not-found"); p.RequestID != "support-4711" || r.Header.Get("X-Request-Id") != "support-4711" {
		t.Errorf("request id: %q %q", p.RequestID, r.Header.Get("X-Request-Id"))
	}
	r = a.do(t, "GET", "/healthz", "", "X-Request-Id", "bad id with spaces")
	if id := r.Header.Get("X-Request-Id"); id == "" || strings.Contains(id, " ") {
		t.Errorf("an insane request id was echoed: %q", id)
	}
}

// The method label of a request series is the method of the requests it counts.
func TestMetricsMethodLabel(t *testing.T) {
	a := newApp(t)
	a.mustCreate(t, `{"code":"vol:1","kind":"volunteer"}`)
	for range 3 {
		a.do(t, "GET", "/healthz", "")
	}
	r := a.do(t, "GET", "/metrics", "", "Authorization", "Bearer "+metricsToken)
	for _, family := range []string{`timebank_store_batches_total{kind="place"} 0`, `timebank_store_batched_orders_total{kind="fulfil"} 0`,
		"# TYPE timebank_store_batch_fallbacks_total counter"} {
		if !strings.Contains(string(r.Raw), family) {
			t.Errorf("metrics lack %s", family)
		}
	}
	want := `timebank_http_requests_total{method="POST",route="/api/v1/accounts",status="201"} 1`
	if !strings.Contains(string(r.Raw), want) {
		got := regexp.MustCompile(`(?m)^timebank_http_requests_total\{.*route="/api/v1/accounts".*$`).FindString(string(r.Raw))
		t.Fatalf("metrics lack %s (the series found: %q)", want, got)
	}
}

// Problems speak Chinese unless the caller asks for English.
func TestProblemLanguage(t *testing.T) {
	a := newApp(t)
	a.mustCreate(t, `{"code":"vol:1","kind":"volunteer"}`)
	a.mustCreate(t, `{"code":"vol:2","kind":"volunteer"}`)
	cat := map[string]map[string]string{}
	for _, lang := range []string{"en", "zh-CN"} {
		b, err := os.ReadFile("i18n/locales/" + lang + "/core.json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		cat[lang] = m
	}
	han := regexp.MustCompile(`\p{Han}`)
	if !han.MatchString(cat["zh-CN"]["problem.insufficient-funds"]) || han.MatchString(cat["en"]["problem.insufficient-funds"]) {
		t.Fatalf("catalogues are not Chinese and English")
	}
	over := txBody("transfer", "vol:1", -1, "vol:2", 1)
	unbalanced := txBody("transfer", "vol:1", -1, "vol:2", 2)
	for i, c := range []struct {
		name    string
		headers []string
		lang    string
	}{
		{"no header", nil, "zh-CN"},
		{"en", []string{"Accept-Language", "en"}, "en"},
		{"en-GB with weights", []string{"Accept-Language", "fr-CH, fr;q=0.9, en-GB;q=0.8"}, "en"},
		{"zh-TW", []string{"Accept-Language", "zh-TW,en;q=0.5"}, "zh-CN"},
		{"unknown language", []string{"Accept-Language", "de"}, "zh-CN"},
		{"cookie", []string{"Cookie", "lang=en"}, "en"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := a.do(t, "POST", "/api/v1/transactions", over, append([]string{"Idempotency-Key", "k-" + c.lang + strconv.Itoa(i)}, c.headers...)...)
			p := wantProblem(t, r, 422, "insufficient-funds")
			if want := cat[c.lang]["problem.insufficient-funds"]; p.Title != want {
				t.Errorf("title %q, want %q", p.Title, want)
			}
			if want := cat[c.lang]["detail.account"] + " vol:1"; p.Detail != want {
				t.Errorf("detail %q, want %q", p.Detail, want)
			}
			if got := r.Header.Get("Content-Language"); got != c.lang {
				t.Errorf("Content-Language %q, want %q", got, c.lang)
			}
			r = a.do(t, "POST", "/api/v1/transactions", unbalanced, append([]string{"Idempotency-Key", "u-" + c.lang + strconv.Itoa(i)}, c.headers...)...)
			p = wantProblem(t, r, 400, "invalid-request")
			if len(p.Errors) != 1 || p.Errors[0].Message != cat[c.lang]["reason.unbalanced"] ||
				p.Detail != "postings: "+cat[c.lang]["reason.unbalanced"] {
				t.Errorf("field error %+v, detail %q", p.Errors, p.Detail)
			}
			r = a.do(t, "GET", "/api/v1/accounts/vol:1", "", append([]string{"Authorization", ""}, c.headers...)...)
			if p := wantProblem(t, r, 401, "unauthorized"); p.Title != cat[c.lang]["problem.unauthorized"] {
				t.Errorf("401 title %q", p.Title)
			}
		})
	}
}

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
	a := newApp(t)
	a.mustCreate(t, `{"code":"org:1:issued","kind":"issuer","allow_negative":true}`)
	a.mustCreate(t, `{"code":"vol:1","kind":"volunteer"}`)
	body := "{\"kind\":\"earn\",\"memo\":\"\xff\xfe\",\"postings\":[{\"account\":\"org:1:issued\",\"amount\":-1},{\"account\":\"vol:1\",\"amount\":1}]}"
	r := a.do(t, "POST", "/api/v1/transactions", body, "Idempotency-Key", "utf8")
	if p := wantProblem(t, r, 400, "invalid-request"); len(p.Errors) == 0 || p.Errors[0].Reason != "encoding" {
		t.Fatalf("errors %+v", p.Errors)
	}
}
