package web_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"timebank/ledger"
	"timebank/web/problem"
)

func TestLedgerAPI(t *testing.T) {
	t.Parallel()
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
	bucket, field, _ := ledger.RedisKeys(a.prefix, "vol:1")
	if n, err := a.rdb.HDel(t.Context(), bucket, field).Result(); err != nil || n != 1 {
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
