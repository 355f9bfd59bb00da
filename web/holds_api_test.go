package web_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"timebank/ledger"
	"timebank/web/problem"
)

func TestHoldsAPI(t *testing.T) {
	t.Parallel()
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
