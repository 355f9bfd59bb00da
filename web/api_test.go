package web_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"timebank/ledger"
	"timebank/pkg/config"
	"timebank/pkg/dbtest"
	"timebank/web"
)

type testApp struct {
	app *fiber.App
	l   *ledger.Ledger
}

func newApp(t *testing.T) *testApp {
	t.Helper()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	l := ledger.New(db, rdb, ledger.Options{RedisPrefix: prefix})
	app, err := web.New(web.Deps{Config: cfg, DB: db, Redis: rdb, Ledger: l, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return &testApp{app: app, l: l}
}

// do sends a request with the operator token and returns the status, headers and decoded body.
func (a *testApp) do(t *testing.T, method, path, body string, headers ...string) (int, http.Header, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer dev-operator-token")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := a.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, resp.Header, out
}

func TestLedgerAPI(t *testing.T) {
	a := newApp(t)
	for _, acc := range []string{
		`{"code":"org:1:issued","kind":"issuer","allow_negative":true}`,
		`{"code":"vol:1","kind":"volunteer"}`, `{"code":"vol:2","kind":"volunteer"}`,
	} {
		if st, _, body := a.do(t, "POST", "/api/v1/accounts", acc); st != 201 {
			t.Fatalf("create %s: %d %v", acc, st, body)
		}
	}
	earn := `{"kind":"earn","memo":"为老服务","postings":[{"account":"org:1:issued","amount":-120},{"account":"vol:1","amount":120}]}`
	st, h, body := a.do(t, "POST", "/api/v1/transactions", earn, "Idempotency-Key", "e-1")
	if st != 201 || h.Get("Location") == "" || body["replayed"] != false {
		t.Fatalf("post: %d %v", st, body)
	}
	st, h, body = a.do(t, "POST", "/api/v1/transactions", earn, "Idempotency-Key", "e-1")
	if st != 200 || h.Get("Idempotent-Replayed") != "true" || body["replayed"] != true {
		t.Fatalf("replay: %d %v", st, body)
	}
	other := strings.Replace(earn, "120", "121", 2)
	if st, h, body = a.do(t, "POST", "/api/v1/transactions", other, "Idempotency-Key", "e-1"); st != 409 ||
		h.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("key reuse: %d %v", st, body)
	}
	over := `{"kind":"transfer","postings":[{"account":"vol:1","amount":-121},{"account":"vol:2","amount":121}]}`
	st, _, body = a.do(t, "POST", "/api/v1/transactions", over, "Idempotency-Key", "t-1", "Accept-Language", "en")
	if st != 422 || !strings.HasSuffix(body["type"].(string), "insufficient-funds") || body["account"] != "vol:1" ||
		body["title"] != "Not enough available credits" {
		t.Fatalf("overdraft: %d %v", st, body)
	}
	st, _, body = a.do(t, "POST", "/api/v1/transactions", over, "Idempotency-Key", "t-2")
	if body["title"] != "可用时间币不足" {
		t.Fatalf("Chinese by default: %v", body)
	}
	unknown := `{"kind":"transfer","postings":[{"account":"vol:1","amount":-1},{"account":"vol:9","amount":1}]}`
	if st, _, body = a.do(t, "POST", "/api/v1/transactions", unknown, "Idempotency-Key", "t-3"); st != 404 {
		t.Fatalf("unknown account: %d %v", st, body)
	}
	if st, _, body = a.do(t, "GET", "/api/v1/accounts/vol:1/balance", ""); st != 200 || body["posted"] != 120.0 || body["source"] != "redis" {
		t.Fatalf("balance: %d %v", st, body)
	}
	st, _, body = a.do(t, "GET", "/api/v1/accounts/vol%3A1/entries?limit=1", "")
	if st != 200 || len(body["entries"].([]any)) != 1 {
		t.Fatalf("entries: %d %v", st, body)
	}
}

// Every malformed request gets a 4xx problem and changes nothing.
func TestMalformedRequestsAre4xx(t *testing.T) {
	a := newApp(t)
	a.do(t, "POST", "/api/v1/accounts", `{"code":"org:1:issued","kind":"issuer","allow_negative":true}`)
	a.do(t, "POST", "/api/v1/accounts", `{"code":"vol:1","kind":"volunteer"}`)
	cases := []struct{ method, path, body string }{
		{"POST", "/api/v1/transactions", `{"kind":"earn","postings":[{"account":"vol:1","amount":5}]}`},
		{"POST", "/api/v1/transactions", `{"kind":"earn","postings":[{"account":"vol:1","amount":5},{"account":"org:1:issued","amount":-4}]}`},
		{"POST", "/api/v1/transactions", `{"kind":"earn","postings":[{"account":"vol:1","amount":1.5},{"account":"org:1:issued","amount":-1.5}]}`},
		{"POST", "/api/v1/transactions", `{"kind":"earn","postings":[{"account":"vol:1","amount":9223372036854775807},{"account":"org:1:issued","amount":1}]}`},
		{"POST", "/api/v1/transactions", `{"kind":"earn","memo":"a\u0000b","postings":[{"account":"vol:1","amount":1},{"account":"org:1:issued","amount":-1}]}`},
		{"POST", "/api/v1/transactions", "{\"kind\":\"earn\",\"memo\":\"\xff\xfe\",\"postings\":[]}"},
		{"POST", "/api/v1/transactions", `{"kind":"earn"`},
		{"POST", "/api/v1/transactions", `[]`},
		{"POST", "/api/v1/transactions", `{"kind":"earn","postings":[]} {}`},
		{"POST", "/api/v1/transactions", `{"kind":"steal","postings":[{"account":"vol:1","amount":1},{"account":"org:1:issued","amount":-1}]}`},
		{"POST", "/api/v1/transactions", `{"kind":"earn","extra":1,"postings":[{"account":"vol:1","amount":1},{"account":"org:1:issued","amount":-1}]}`},
		{"POST", "/api/v1/transactions", `{"kind":"earn","postings":[{"account":"vol:1","amount":1},{"account":"vol:1","amount":-1}]}`},
		{"POST", "/api/v1/transactions", `{"kind":"earn","postings":[{"account":"VOL 1","amount":1},{"account":"org:1:issued","amount":-1}]}`},
		{"POST", "/api/v1/accounts", `{"code":"vol:1","kind":"volunteer"}`},
		{"POST", "/api/v1/accounts", `{"code":"vol:x","kind":"volunteer","slots":4}`},
		{"POST", "/api/v1/accounts", `{"code":"","kind":"volunteer"}`},
		{"GET", "/api/v1/transactions/abc", ""},
		{"GET", "/api/v1/transactions/99999999999999999999", ""},
		{"GET", "/api/v1/transactions/-1", ""},
		{"GET", "/api/v1/accounts/vol%25ZZ/balance", ""},
		{"GET", "/api/v1/accounts/vol:1/entries?limit=-5", ""},
		{"GET", "/api/v1/accounts/vol:1/entries?after=x", ""},
		{"POST", "/api/v1/holds", `{"from":"vol:1","to":"org:1:issued","amount":1,"expires_at":"yesterday"}`},
		{"POST", "/api/v1/holds", `{"from":"vol:1","to":"org:1:issued","amount":1,"expires_at":"2001-01-01T00:00:00Z"}`},
		{"POST", "/api/v1/holds/1/commit", `{"amount":-3}`},
		{"POST", "/api/v1/holds/0/void", ""},
		{"GET", "/api/v1/nothing-here", ""},
		{"DELETE", "/api/v1/transactions/1", ""},
	}
	for _, c := range cases {
		st, h, body := a.do(t, c.method, c.path, c.body, "Idempotency-Key", "bad-"+c.path)
		if st < 400 || st > 499 || h.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s %q: %d %s %v", c.method, c.path, c.body, st, h.Get("Content-Type"), body)
		}
	}
	// Without the token: 401.
	req := httptest.NewRequest("GET", "/api/v1/accounts/vol:1", nil)
	if resp, _ := a.app.Test(req, -1); resp.StatusCode != 401 {
		t.Errorf("no token: %d", resp.StatusCode)
	}
	// Nothing moved.
	if b, _ := a.l.PostgresBalance(t.Context(), "vol:1"); b.Posted != 0 || b.Version != 0 {
		t.Fatalf("a refused request changed a balance: %+v", b)
	}
}

// The OpenAPI document lists exactly the routes the app registers.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	a := newApp(t)
	st, _, doc := a.do(t, "GET", "/api/v1/openapi.json", "")
	if st != 200 {
		t.Fatalf("openapi.json: %d", st)
	}
	documented := map[string]bool{}
	for path, ops := range doc["paths"].(map[string]any) {
		for method := range ops.(map[string]any) {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	param := regexp.MustCompile(`:([a-z_]+)`)
	registered := map[string]bool{}
	for _, r := range a.app.GetRoutes(true) {
		if r.Method == "HEAD" || r.Method == "USE" || r.Path == "/" {
			continue
		}
		registered[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
	}
	var missing, extra []string
	for k := range registered {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !registered[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("routes not in openapi.json: %v\ndocumented but not registered: %v", missing, extra)
	}
}
