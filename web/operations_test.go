package web_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestOperationsEndpoints(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
