package ledger_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"timebank/ledger"
)

func (e *env) hold(t *testing.T, from, to string, amount int64, expires time.Time) (ledger.HoldResult, error) {
	t.Helper()
	return e.l.Hold(context.Background(), ledger.HoldRequest{From: from, To: to, Amount: amount, ExpiresAt: expires,
		IdempotencyKey: key(), CreatedBy: "test"})
}

func TestHoldCommitPartialAndVoid(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.shop(t, 100)
	later := time.Now().Add(time.Hour)

	full, err := e.hold(t, "vol:1", "store:1:redeemed", 40, later)
	if err != nil || full.Hold.Status != ledger.HoldPending || full.Balances[0].Available != 60 {
		t.Fatalf("hold: %+v %v", full, err)
	}
	if _, err := e.hold(t, "vol:1", "store:1:redeemed", 61, later); !errors.Is(err, ledger.ErrInsufficientFunds) {
		t.Fatalf("hold above available: %v", err)
	}
	if _, err := e.l.Post(ctx, transfer("vol:1", "store:1:redeemed", 61)); !errors.Is(err, ledger.ErrInsufficientFunds) {
		t.Fatalf("spending held credits: %v", err)
	}
	res, err := e.l.CommitHold(ctx, full.Hold.ID, nil, "clerk")
	if err != nil || res.Replayed {
		t.Fatalf("commit: %+v %v", res, err)
	}
	again, err := e.l.CommitHold(ctx, full.Hold.ID, nil, "clerk")
	if err != nil || !again.Replayed || again.Transaction.ID != res.Transaction.ID {
		t.Fatalf("commit replay: %+v %v", again, err)
	}
	if b := e.pgBalance(t, "vol:1"); b.Posted != 60 || b.Pending != 0 {
		t.Fatalf("after full commit: %+v", b)
	}

	part, _ := e.hold(t, "vol:1", "store:1:redeemed", 30, later)
	over := int64(31)
	if _, err := e.l.CommitHold(ctx, part.Hold.ID, &over, "clerk"); !errors.Is(err, ledger.ErrInvalid) {
		t.Fatalf("commit above the hold: %v", err)
	}
	some := int64(20)
	if _, err := e.l.CommitHold(ctx, part.Hold.ID, &some, "clerk"); err != nil {
		t.Fatal(err)
	}
	if b := e.pgBalance(t, "vol:1"); b.Posted != 40 || b.Pending != 0 || b.Available != 40 {
		t.Fatalf("after partial commit the rest is available again: %+v", b)
	}

	v, _ := e.hold(t, "vol:1", "store:1:redeemed", 25, later)
	if _, err := e.l.VoidHold(ctx, v.Hold.ID); err != nil {
		t.Fatal(err)
	}
	if r, err := e.l.VoidHold(ctx, v.Hold.ID); err != nil || !r.Replayed {
		t.Fatalf("void replay: %+v %v", r, err)
	}
	if _, err := e.l.CommitHold(ctx, v.Hold.ID, nil, "clerk"); !errors.Is(err, ledger.ErrHoldResolved) {
		t.Fatalf("commit after void: %v", err)
	}
	if _, err := e.l.VoidHold(ctx, full.Hold.ID); !errors.Is(err, ledger.ErrHoldResolved) {
		t.Fatalf("void after commit: %v", err)
	}
	if _, err := e.l.CommitHold(ctx, 999999, nil, "clerk"); !errors.Is(err, ledger.ErrHoldNotFound) {
		t.Fatalf("unknown hold: %v", err)
	}
	if b := e.pgBalance(t, "vol:1"); b.Posted != 40 || b.Pending != 0 {
		t.Fatalf("after void: %+v", b)
	}
	e.verify(t)
}

func TestHoldExpiryByWorker(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.shop(t, 100)
	h, err := e.hold(t, "vol:1", "store:1:redeemed", 70, time.Now().Add(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	for time.Now().Before(h.Hold.ExpiresAt.Add(50 * time.Millisecond)) {
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := e.l.CommitHold(ctx, h.Hold.ID, nil, "clerk"); !errors.Is(err, ledger.ErrHoldExpired) {
		t.Fatalf("commit after expiry, before the worker: %v", err)
	}
	n, err := e.l.ExpireHolds(ctx, 100)
	if err != nil || n != 1 {
		t.Fatalf("expire: %d %v", n, err)
	}
	got, _ := e.l.GetHold(ctx, h.Hold.ID)
	if got.Status != ledger.HoldExpired {
		t.Fatalf("status %s", got.Status)
	}
	if b, _ := e.l.Balance(ctx, "vol:1"); b.Pending != 0 || b.Available != 100 || b.Source != ledger.SourceRedis {
		t.Fatalf("after expiry: %+v", b)
	}
	if _, err := e.l.CommitHold(ctx, h.Hold.ID, nil, "clerk"); !errors.Is(err, ledger.ErrHoldResolved) {
		t.Fatalf("commit after the worker: %v", err)
	}
	e.verify(t)
}

func TestRaceHoldsNeverOverdraw(t *testing.T) {
	e := newEnv(t)
	e.shop(t, 100)
	var ok atomic.Int64
	raceN(30, func(int) {
		_, err := e.hold(t, "vol:1", "store:1:redeemed", 10, time.Now().Add(time.Hour))
		switch {
		case err == nil:
			ok.Add(1)
		case !errors.Is(err, ledger.ErrInsufficientFunds):
			t.Errorf("hold: %v", err)
		}
	})
	if ok.Load() != 10 {
		t.Fatalf("want exactly 10 holds, got %d", ok.Load())
	}
	if b := e.pgBalance(t, "vol:1"); b.Available != 0 || b.Pending != 100 {
		t.Fatalf("balance %+v", b)
	}
	e.verify(t)
}
