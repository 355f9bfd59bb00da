package ledger_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"timebank/fields"
	"timebank/ledger"
)

const (
	holdVol   = "vol:1"
	holdStore = "store:1:redeemed"
)

// wantBalance checks an account's posted and pending minutes in PostgreSQL and that Redis agrees.
func (e *env) wantBalance(t *testing.T, code string, posted, pending int64) {
	t.Helper()
	b := e.pgBalance(t, code)
	if b.Posted != posted || b.Pending != pending || b.Available != posted-pending {
		t.Fatalf("%s: %+v, want posted %d pending %d", code, b, posted, pending)
	}
	sameProjection(t, e.db, e.rdb, e.prefix, code)
}

func (e *env) placeHold(t *testing.T, amount int64, expires time.Time) ledger.HoldResult {
	t.Helper()
	res, err := e.l.Hold(context.Background(), holdReq(holdVol, holdStore, amount, expires))
	if err != nil {
		t.Fatalf("hold %d: %v", amount, err)
	}
	if res.Replayed || res.Hold.Status != ledger.HoldPending || res.Hold.Amount != amount {
		t.Fatalf("hold %d: %+v", amount, res)
	}
	return res
}

func (e *env) holdTransactions(t *testing.T, id int64) int {
	t.Helper()
	var n int
	if err := e.db.Get(&n, `SELECT count(*) FROM ledger_transactions WHERE hold_id = $1`, id); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestHoldThenFullCommit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.shop(t, 100)
	h := e.placeHold(t, 40, time.Now().Add(time.Hour))
	if len(h.Balances) != 1 || h.Balances[0].Posted != 100 || h.Balances[0].Pending != 40 || h.Balances[0].Available != 60 {
		t.Fatalf("balance returned by the hold: %+v", h.Balances)
	}
	e.wantBalance(t, holdVol, 100, 40)

	res, err := e.l.CommitHold(ctx, h.Hold.ID, nil, "clerk")
	if err != nil || res.Replayed {
		t.Fatalf("commit: %+v %v", res, err)
	}
	tx := res.Transaction
	if tx.HoldID == nil || *tx.HoldID != h.Hold.ID || tx.Kind != ledger.TxRedeem || len(tx.Postings) != 2 {
		t.Fatalf("commit transaction: %+v", tx)
	}
	for _, p := range tx.Postings {
		if (p.Account == holdVol && p.Amount != -40) || (p.Account == holdStore && p.Amount != 40) {
			t.Fatalf("commit postings: %+v", tx.Postings)
		}
	}
	got, err := e.l.GetHold(ctx, h.Hold.ID)
	if err != nil || got.Status != ledger.HoldCommitted || got.CommittedAmount == nil || *got.CommittedAmount != 40 ||
		got.TransactionID == nil || *got.TransactionID != tx.ID || got.ResolvedAt == nil {
		t.Fatalf("hold after commit: %+v %v", got, err)
	}
	e.wantBalance(t, holdVol, 60, 0)
	e.wantBalance(t, holdStore, 40, 0)

	// The same call again is a replay: same transaction, nothing moves twice.
	again, err := e.l.CommitHold(ctx, h.Hold.ID, nil, "clerk")
	if err != nil || !again.Replayed || again.Transaction.ID != tx.ID {
		t.Fatalf("commit replay: %+v %v", again, err)
	}
	all := int64(40)
	if again, err := e.l.CommitHold(ctx, h.Hold.ID, &all, "clerk"); err != nil || !again.Replayed || again.Transaction.ID != tx.ID {
		t.Fatalf("commit replay with the explicit full amount: %+v %v", again, err)
	}
	if n := e.holdTransactions(t, h.Hold.ID); n != 1 {
		t.Fatalf("%d transactions for the hold", n)
	}
	e.wantBalance(t, holdVol, 60, 0)
	e.wantBalance(t, holdStore, 40, 0)
	e.verify(t)
}

func TestHoldThenPartialCommit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.shop(t, 100)
	h := e.placeHold(t, 50, time.Now().Add(time.Hour))
	part := int64(20)
	res, err := e.l.CommitHold(ctx, h.Hold.ID, &part, "clerk")
	if err != nil || res.Replayed {
		t.Fatalf("partial commit: %+v %v", res, err)
	}
	// 20 moved, the other 30 held minutes are available again.
	e.wantBalance(t, holdVol, 80, 0)
	e.wantBalance(t, holdStore, 20, 0)
	if b := e.pgBalance(t, holdVol); b.Available != 80 {
		t.Fatalf("the rest of the hold should be available again: %+v", b)
	}
	got, _ := e.l.GetHold(ctx, h.Hold.ID)
	if got.Status != ledger.HoldCommitted || got.CommittedAmount == nil || *got.CommittedAmount != 20 || got.Amount != 50 {
		t.Fatalf("hold after partial commit: %+v", got)
	}
	again, err := e.l.CommitHold(ctx, h.Hold.ID, &part, "clerk")
	if err != nil || !again.Replayed || again.Transaction.ID != res.Transaction.ID {
		t.Fatalf("partial commit replay: %+v %v", again, err)
	}
	// Committing the hold again for another amount is not a replay: the hold is resolved.
	if _, err := e.l.CommitHold(ctx, h.Hold.ID, nil, "clerk"); !errors.Is(err, ledger.ErrHoldResolved) {
		t.Fatalf("commit of the rest after a partial commit: %v", err)
	}
	e.wantBalance(t, holdVol, 80, 0)
	if n := e.holdTransactions(t, h.Hold.ID); n != 1 {
		t.Fatalf("%d transactions for the hold", n)
	}
	e.verify(t)
}

func TestHoldVoidAndReplays(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.shop(t, 100)
	h := e.placeHold(t, 30, time.Now().Add(time.Hour))
	e.wantBalance(t, holdVol, 100, 30)
	v, err := e.l.VoidHold(ctx, h.Hold.ID)
	if err != nil || v.Replayed || v.Hold.Status != ledger.HoldVoided || v.Hold.ResolvedAt == nil {
		t.Fatalf("void: %+v %v", v, err)
	}
	e.wantBalance(t, holdVol, 100, 0)
	again, err := e.l.VoidHold(ctx, h.Hold.ID)
	if err != nil || !again.Replayed || again.Hold.Status != ledger.HoldVoided {
		t.Fatalf("void replay: %+v %v", again, err)
	}
	e.wantBalance(t, holdVol, 100, 0) // released once, not twice
	if b := e.pgBalance(t, holdVol); b.Version != 3 {
		t.Fatalf("fund, hold and void are three changes; a replay is none: %+v", b)
	}
	if _, err := e.l.CommitHold(ctx, h.Hold.ID, nil, "clerk"); !errors.Is(err, ledger.ErrHoldResolved) {
		t.Fatalf("commit after void: want ErrHoldResolved, got %v", err)
	}
	if n := e.holdTransactions(t, h.Hold.ID); n != 0 {
		t.Fatalf("a voided hold posted %d transactions", n)
	}
	e.wantBalance(t, holdVol, 100, 0)
	e.wantBalance(t, holdStore, 0, 0)

	// A committed hold cannot be voided.
	c := e.placeHold(t, 10, time.Now().Add(time.Hour))
	if _, err := e.l.CommitHold(ctx, c.Hold.ID, nil, "clerk"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.l.VoidHold(ctx, c.Hold.ID); !errors.Is(err, ledger.ErrHoldResolved) {
		t.Fatalf("void after commit: %v", err)
	}
	if _, err := e.l.VoidHold(ctx, 1<<40); !errors.Is(err, ledger.ErrHoldNotFound) {
		t.Fatalf("void of an unknown hold: %v", err)
	}
	e.wantBalance(t, holdVol, 90, 0)
	e.verify(t)
}

func TestHoldCommitAboveHeldIsInvalid(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.shop(t, 100)
	h := e.placeHold(t, 30, time.Now().Add(time.Hour))
	over := int64(31)
	_, err := e.l.CommitHold(ctx, h.Hold.ID, &over, "clerk")
	var ve *fields.Error
	if !errors.Is(err, ledger.ErrInvalid) || !errors.As(err, &ve) || ve.Reason("amount") == "" {
		t.Fatalf("commit above the hold: want ErrInvalid on amount, got %v", err)
	}
	for _, bad := range []int64{0, -5} {
		if _, err := e.l.CommitHold(ctx, h.Hold.ID, &bad, "clerk"); !errors.Is(err, ledger.ErrInvalid) {
			t.Fatalf("commit of %d: want ErrInvalid, got %v", bad, err)
		}
	}
	// Nothing happened: the hold is still pending and can be committed in full.
	if got, _ := e.l.GetHold(ctx, h.Hold.ID); got.Status != ledger.HoldPending {
		t.Fatalf("hold after refused commits: %+v", got)
	}
	e.wantBalance(t, holdVol, 100, 30)
	if _, err := e.l.CommitHold(ctx, h.Hold.ID, nil, "clerk"); err != nil {
		t.Fatal(err)
	}
	e.wantBalance(t, holdVol, 70, 0)
	e.verify(t)
}

func TestHoldAboveAvailableIsRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.shop(t, 100)
	if _, err := e.l.Hold(ctx, holdReq(holdVol, holdStore, 101, time.Now().Add(time.Hour))); !errors.Is(err, ledger.ErrInsufficientFunds) {
		t.Fatalf("hold above the balance: %v", err)
	}
	e.placeHold(t, 60, time.Now().Add(time.Hour))
	if _, err := e.l.Hold(ctx, holdReq(holdVol, holdStore, 41, time.Now().Add(time.Hour))); !errors.Is(err, ledger.ErrInsufficientFunds) ||
		ledger.AccountOf(err) != holdVol {
		t.Fatalf("hold above what is available: %v", err)
	}
	e.placeHold(t, 40, time.Now().Add(time.Hour))
	var n int
	if err := e.db.Get(&n, `SELECT count(*) FROM ledger_holds`); err != nil || n != 2 {
		t.Fatalf("refused holds left rows: %d %v", n, err)
	}
	e.wantBalance(t, holdVol, 100, 100)
	e.verify(t)
}

func TestHoldExpiresByWorker(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.shop(t, 100)
	h := e.placeHold(t, 70, time.Now().Add(time.Second))
	e.wantBalance(t, holdVol, 100, 70)

	// Wait until PostgreSQL's clock has passed the expiry (the ledger compares with now() there).
	deadline := time.Now().Add(30 * time.Second)
	for {
		var passed bool
		if err := e.db.Get(&passed, `SELECT expires_at < now() FROM ledger_holds WHERE id = $1`, h.Hold.ID); err != nil {
			t.Fatal(err)
		}
		if passed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the hold's expiry never passed")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Expired but not yet released by the worker: it cannot be committed any more.
	if _, err := e.l.CommitHold(ctx, h.Hold.ID, nil, "clerk"); !errors.Is(err, ledger.ErrHoldExpired) {
		t.Fatalf("commit of an expired hold before the worker: want ErrHoldExpired, got %v", err)
	}
	e.wantBalance(t, holdVol, 100, 70) // still held until the worker releases it

	n, err := e.l.ExpireHolds(ctx, 100)
	if err != nil || n != 1 {
		t.Fatalf("ExpireHolds: %d %v", n, err)
	}
	got, err := e.l.GetHold(ctx, h.Hold.ID)
	if err != nil || got.Status != ledger.HoldExpired || got.ResolvedAt == nil || got.TransactionID != nil {
		t.Fatalf("hold after the worker: %+v %v", got, err)
	}
	e.wantBalance(t, holdVol, 100, 0)
	if b, err := e.l.Balance(ctx, holdVol); err != nil || b.Source != ledger.SourceRedis || b.Pending != 0 || b.Available != 100 {
		t.Fatalf("balance after expiry: %+v %v", b, err)
	}
	if _, err := e.l.CommitHold(ctx, h.Hold.ID, nil, "clerk"); !errors.Is(err, ledger.ErrHoldResolved) {
		t.Fatalf("commit after the worker: want ErrHoldResolved, got %v", err)
	}
	if _, err := e.l.VoidHold(ctx, h.Hold.ID); !errors.Is(err, ledger.ErrHoldResolved) {
		t.Fatalf("void after the worker: want ErrHoldResolved, got %v", err)
	}
	if n, err := e.l.ExpireHolds(ctx, 100); err != nil || n != 0 {
		t.Fatalf("a second ExpireHolds: %d %v", n, err)
	}
	if s := e.l.Stats(); s.HoldsExpired != 1 {
		t.Fatalf("stats: %+v", s)
	}
	e.wantBalance(t, holdVol, 100, 0)
	e.verify(t)
}

// Thirty concurrent holds of 10 on an account of 100: exactly ten get through; while they are pending
// nothing of the posted balance can be spent.
func TestHoldsNeverOverdrawConcurrently(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.shop(t, 100)
	var ok atomic.Int64
	ids := make([]int64, 30)
	together(30, func(i int) {
		res, err := e.l.Hold(ctx, holdReq(holdVol, holdStore, 10, time.Now().Add(time.Hour)))
		switch {
		case err == nil:
			ok.Add(1)
			ids[i] = res.Hold.ID
		case !errors.Is(err, ledger.ErrInsufficientFunds):
			t.Errorf("hold: %v", err)
		}
	})
	if ok.Load() != 10 {
		t.Fatalf("want exactly 10 holds, got %d", ok.Load())
	}
	e.wantBalance(t, holdVol, 100, 100)

	// Transfers of the whole posted balance (and of any part of it) race and all fail.
	var spent atomic.Int64
	together(10, func(i int) {
		amount := int64(100)
		if i%2 == 1 {
			amount = 1
		}
		_, err := e.l.Post(ctx, transfer(holdVol, holdStore, amount))
		if err == nil {
			spent.Add(1)
		} else if !errors.Is(err, ledger.ErrInsufficientFunds) {
			t.Errorf("transfer: %v", err)
		}
	})
	if spent.Load() != 0 {
		t.Fatalf("%d transfers spent held credits", spent.Load())
	}
	e.wantBalance(t, holdVol, 100, 100)

	// Voiding one hold frees exactly its 10 minutes.
	for _, id := range ids {
		if id != 0 {
			if _, err := e.l.VoidHold(ctx, id); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if _, err := e.l.Post(ctx, transfer(holdVol, holdStore, 11)); !errors.Is(err, ledger.ErrInsufficientFunds) {
		t.Fatalf("transfer of 11 with 10 available: %v", err)
	}
	if _, err := e.l.Post(ctx, transfer(holdVol, holdStore, 10)); err != nil {
		t.Fatalf("transfer of the freed 10: %v", err)
	}
	e.wantBalance(t, holdVol, 90, 90)
	e.verify(t)
}
