package ledger_test

import (
	"context"
	"errors"
	"testing"

	"timebank/ledger"
)

func TestPostAndBalances(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "vol:1", ledger.KindVolunteer, false)
	e.account(t, "vol:2", ledger.KindVolunteer, false)

	res := e.fund(t, "org:1:issued", "vol:1", 600)
	if res.Replayed || len(res.Transaction.Postings) != 2 || res.Transaction.Postings[1].BalanceAfter != 600 {
		t.Fatalf("unexpected result %+v", res)
	}
	if len(res.Balances) != 2 {
		t.Fatalf("want 2 balances, got %+v", res.Balances)
	}
	for _, b := range res.Balances {
		switch b.Account {
		case "vol:1":
			if b.Posted != 600 || b.Available != 600 || b.Version != 1 || b.Source != ledger.SourceRedis {
				t.Fatalf("vol:1 balance %+v", b)
			}
		case "org:1:issued":
			if b.Posted != -600 || b.Version != 1 {
				t.Fatalf("issuer balance %+v", b)
			}
		}
	}
	e.fund(t, "vol:1", "vol:2", 200)
	if b, _ := e.l.Balance(ctx, "vol:1"); b.Posted != 400 || b.Version != 2 || b.Source != ledger.SourceRedis {
		t.Fatalf("vol:1 after transfer: %+v", b)
	}
	_, err := e.l.Post(ctx, transfer("vol:2", "vol:1", 201))
	if !errors.Is(err, ledger.ErrInsufficientFunds) || ledger.AccountOf(err) != "vol:2" {
		t.Fatalf("overdraft: want insufficient funds on vol:2, got %v", err)
	}
	_, err = e.l.Post(ctx, transfer("vol:2", "vol:404", 1))
	if !errors.Is(err, ledger.ErrAccountNotFound) || ledger.AccountOf(err) != "vol:404" {
		t.Fatalf("unknown account: got %v", err)
	}
	entries, next, err := e.l.Entries(ctx, "vol:1", 0, 1)
	if err != nil || len(entries) != 1 || entries[0].Amount != -200 || entries[0].BalanceAfter != 400 || next == 0 {
		t.Fatalf("entries page 1: %+v next=%d err=%v", entries, next, err)
	}
	entries, next, err = e.l.Entries(ctx, "vol:1", next, 1)
	if err != nil || len(entries) != 1 || entries[0].Amount != 600 || next != 0 {
		t.Fatalf("entries page 2: %+v next=%d err=%v", entries, next, err)
	}
	e.verify(t)
}

func TestIdempotentReplayAndConflict(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "vol:1", ledger.KindVolunteer, false)
	req := transfer("org:1:issued", "vol:1", 60)
	first, err := e.l.Post(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.l.Post(ctx, req)
	if err != nil || !again.Replayed || again.Transaction.ID != first.Transaction.ID {
		t.Fatalf("replay: %+v %v", again, err)
	}
	other := req
	other.Postings = []ledger.PostingRequest{{Account: "org:1:issued", Amount: -61}, {Account: "vol:1", Amount: 61}}
	if _, err := e.l.Post(ctx, other); !errors.Is(err, ledger.ErrIdempotencyConflict) {
		t.Fatalf("reuse with other body: want conflict, got %v", err)
	}
	if b := e.pgBalance(t, "vol:1"); b.Posted != 60 {
		t.Fatalf("posted twice: %+v", b)
	}
	e.verify(t)
}

func TestReverse(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "vol:1", ledger.KindVolunteer, false)
	orig := e.fund(t, "org:1:issued", "vol:1", 90)
	rev, err := e.l.Reverse(ctx, orig.Transaction.ID, "test", "")
	if err != nil || rev.Replayed || rev.Transaction.Reverses == nil || *rev.Transaction.Reverses != orig.Transaction.ID {
		t.Fatalf("reverse: %+v %v", rev, err)
	}
	again, err := e.l.Reverse(ctx, orig.Transaction.ID, "someone else", "")
	if err != nil || !again.Replayed || again.Transaction.ID != rev.Transaction.ID {
		t.Fatalf("second reverse: %+v %v", again, err)
	}
	if _, err := e.l.Reverse(ctx, rev.Transaction.ID, "test", ""); !errors.Is(err, ledger.ErrNotReversible) {
		t.Fatalf("reverse a reversal: %v", err)
	}
	got, err := e.l.Transaction(ctx, orig.Transaction.ID)
	if err != nil || got.ReversedBy == nil || *got.ReversedBy != rev.Transaction.ID {
		t.Fatalf("original should point to its reversal: %+v %v", got, err)
	}
	if b := e.pgBalance(t, "vol:1"); b.Posted != 0 {
		t.Fatalf("after reversal: %+v", b)
	}
	// A reversal that would overdraw fails and changes nothing.
	second := e.fund(t, "org:1:issued", "vol:1", 30)
	e.account(t, "vol:2", ledger.KindVolunteer, false)
	e.fund(t, "vol:1", "vol:2", 30)
	if _, err := e.l.Reverse(ctx, second.Transaction.ID, "test", ""); !errors.Is(err, ledger.ErrInsufficientFunds) {
		t.Fatalf("reverse spent credits: %v", err)
	}
	e.verify(t)
}
