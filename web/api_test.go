package web_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
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
	dbtest.Listen(t, svc.Invalidation)
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
