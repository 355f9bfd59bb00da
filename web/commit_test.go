package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"timebank/ledger"
	"timebank/pkg/dbtest"
)

// A write whose commit fails after its statement has run (a backend killed in between) is not
// acknowledged: the API answers 503 with Retry-After, changes nothing, and the client's retry under
// the same idempotency key then writes it once.
func TestNoAcknowledgementWithoutCommitAPI(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	refuse := dbtest.RefuseCommits(t, a.db)
	a.mustCreate(t, `{"code":"org:1:issued","kind":"issuer","allow_negative":true}`)
	a.mustCreate(t, `{"code":"vol:1","kind":"volunteer"}`)
	a.mustCreate(t, `{"code":"shop:1","kind":"store"}`)
	codes := []string{"org:1:issued", "vol:1", "shop:1"}
	var earned ledger.Result
	a.do(t, "POST", "/api/v1/transactions", txBody("earn", "org:1:issued", -100, "vol:1", 100), "Idempotency-Key", "e-0")
	a.do(t, "POST", "/api/v1/transactions", txBody("earn", "org:1:issued", -3, "shop:1", 3), "Idempotency-Key", "e-1").decode(t, &earned)
	exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339Nano)
	hold := func(amount int) string {
		return fmt.Sprintf(`{"from":"vol:1","to":"shop:1","amount":%d,"expires_at":%q}`, amount, exp)
	}
	var h1, h2 ledger.HoldResult
	a.do(t, "POST", "/api/v1/holds", hold(10), "Idempotency-Key", "h-1").decode(t, &h1)
	a.do(t, "POST", "/api/v1/holds", hold(20), "Idempotency-Key", "h-2").decode(t, &h2)
	if h1.Hold.ID == 0 || h2.Hold.ID == 0 {
		t.Fatalf("holds not placed: %+v %+v", h1, h2)
	}

	writes := []struct {
		name, path, body, key string
		status                int // once commits succeed again
	}{
		{"account", "/api/v1/accounts", `{"code":"vol:2","kind":"volunteer"}`, "", http.StatusCreated},
		{"transaction", "/api/v1/transactions", txBody("transfer", "vol:1", -5, "shop:1", 5), "t-1", http.StatusCreated},
		{"reversal", fmt.Sprintf("/api/v1/transactions/%d/reverse", earned.Transaction.ID), "", "", http.StatusCreated},
		{"hold", "/api/v1/holds", hold(7), "h-3", http.StatusCreated},
		{"hold commit", fmt.Sprintf("/api/v1/holds/%d/commit", h1.Hold.ID), "", "", http.StatusCreated},
		{"hold void", fmt.Sprintf("/api/v1/holds/%d/void", h2.Hold.ID), "", "", http.StatusOK},
	}
	send := func(i int) reply {
		w := writes[i]
		if w.key == "" {
			return a.do(t, "POST", w.path, w.body)
		}
		return a.do(t, "POST", w.path, w.body, "Idempotency-Key", w.key)
	}

	before := a.books(t, codes...)
	refuse(true)
	for i, w := range writes {
		r := send(i)
		p := wantProblem(t, r, http.StatusServiceUnavailable, "unavailable")
		if r.Header.Get("Retry-After") == "" || p.RequestID == "" {
			t.Errorf("%s: a 503 without Retry-After or request id: %s", w.name, r)
		}
	}
	refuse(false)
	if now := a.books(t, codes...); now != before {
		t.Fatalf("refused commits changed the books:\n was %s\n now %s", before, now)
	}
	if _, err := a.l.Account(t.Context(), "vol:2"); err == nil {
		t.Fatal("an account whose commit was refused exists")
	}

	// The retries go through, each once.
	for i, w := range writes {
		if r := send(i); r.Status != w.status || r.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("%s retried: %s", w.name, r)
		}
	}
	var n int
	if err := a.db.Get(&n, `SELECT count(*) FROM ledger_transactions WHERE idempotency_key IN ('t-1', 'e-1')
		OR reverses = $1`, earned.Transaction.ID); err != nil || n != 3 {
		t.Fatalf("transactions after the retries: %d (%v), want 3", n, err)
	}
	a.verify(t)
}
