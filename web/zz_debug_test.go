package web_test

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"timebank/ledger"
	"timebank/pkg/config"
	"timebank/pkg/dbtest"
	"timebank/web"
)

func TestZZDebug(t *testing.T) {
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	l := ledger.New(db, rdb, ledger.Options{RedisPrefix: prefix})
	cfg, _ := config.Load(func(string) string { return "" })
	app, _ := web.New(web.Deps{Config: cfg, DB: db, Redis: rdb, Ledger: l, Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	do := func(method, path, body string, h ...string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer dev-operator-token")
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i < len(h); i += 2 {
			req.Header.Set(h[i], h[i+1])
		}
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		t.Logf("%s %s -> %d %s", method, path, resp.StatusCode, b)
	}
	do("POST", "/api/v1/accounts", `{"code":"org:1:issued","kind":"issuer","allow_negative":true}`)
	do("POST", "/api/v1/accounts", `{"code":"vol:1","kind":"volunteer"}`)
	do("POST", "/api/v1/transactions", `{"kind":"earn","memo":"为老服务","postings":[{"account":"org:1:issued","amount":-120},{"account":"vol:1","amount":120}]}`, "Idempotency-Key", "e-1")
	do("POST", "/api/v1/transactions", `{"kind":"earn","postings":[{"account":"org:1:issued","amount":-120},{"account":"vol:1","amount":120}]}`, "Idempotency-Key", "e-2")
}
