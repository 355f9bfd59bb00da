package ledger_test

import (
	"context"
	"testing"
	"time"

	"timebank/ledger"
	"timebank/pkg/dbtest"
)

// A watch delivers each change of its account, as the projection published it, to every watch of
// that account; closing the last one leaves Redis's channel.
func TestWatch(t *testing.T) {
	e := newEnv(t)
	e.shop(t, 100)
	e.account(t, "vol:2", ledger.KindVolunteer, false)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w1, err := e.l.Watch(ctx, "vol:1")
	if err != nil {
		t.Fatal(err)
	}
	w2, err := e.l.Watch(ctx, "vol:1")
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.l.Watch(ctx, "vol:2")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	// next returns the next change of at least the version: on a Redis Cluster, a change published
	// on another master just before the watch began may still arrive after it (the balance stream
	// keeps only newer versions).
	next := func(name string, w *ledger.Watch, atLeast int64) ledger.Balance {
		t.Helper()
		for {
			select {
			case b, ok := <-w.Changes():
				if !ok {
					t.Fatalf("%s: the watch ended", name)
				}
				if b.Version >= atLeast {
					return b
				}
			case <-ctx.Done():
				t.Fatalf("%s: no change delivered", name)
			}
		}
	}

	e.fund(t, "org:1:issued", "vol:1", 45)
	want := ledger.Balance{Account: "vol:1", Posted: 145, Available: 145, Version: 2, Source: ledger.SourceRedis}
	for name, w := range map[string]*ledger.Watch{"first": w1, "second": w2} {
		if b := next(name, w, 2); b != want {
			t.Errorf("%s watch after a posting: %+v, want %+v", name, b, want)
		}
	}
	if _, err := e.l.Hold(ctx, holdReq("vol:1", "store:1:redeemed", 20, time.Now().Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	for name, w := range map[string]*ledger.Watch{"first": w1, "second": w2} {
		if b := next(name, w, 3); b.Pending != 20 || b.Available != 125 || b.Version != 3 {
			t.Errorf("%s watch after a hold: %+v", name, b)
		}
	}

	// Reconcile rewrites a lost hash and publishes through the same code as the projection.
	e.fund(t, "org:1:issued", "vol:2", 30)
	if b := next("vol:2", other, 1); b.Account != "vol:2" || b.Posted != 30 || b.Version != 1 {
		t.Errorf("vol:2 after a posting: %+v", b)
	}
	forget(t, e.rdb, e.prefix, "vol:2")
	if _, err := e.l.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if b := next("vol:2", other, 1); b.Account != "vol:2" || b.Posted != 30 || b.Available != 30 || b.Version != 1 {
		t.Errorf("vol:2 after reconcile: %+v", b)
	}
	select {
	case b := <-w1.Changes():
		t.Errorf("vol:1's watch got %+v, a change of another account", b)
	default:
	}

	channel := e.l.BalanceChannel("vol:1")
	w1.Close()
	w1.Close() // twice does nothing
	if n := dbtest.NumSub(t, e.rdb, channel); n != 1 {
		t.Fatalf("subscribers of vol:1 while one watch is open: %d", n)
	}
	w2.Close()
	for {
		if dbtest.NumSub(t, e.rdb, channel) == 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the last watch of vol:1 closed, and Redis still has its channel subscribed")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
