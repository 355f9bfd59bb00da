package ledger_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"timebank/ledger"
)

// The workers started by Run expire holds and drain the outbox on their own.
func TestWorkersExpireHoldsAndRelay(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.shop(t, 100)
	h, err := e.hold(t, "vol:1", "store:1:redeemed", 60, time.Now().Add(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	// A posting whose Redis write was lost, for the relay to repair.
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	defer dead.Close()
	if _, err := ledger.New(e.db, dead, ledger.Options{RedisPrefix: e.prefix}).Post(ctx, transfer("org:1:issued", "vol:1", 5)); err != nil {
		t.Fatal(err)
	}

	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		e.l.Run(wctx, ledger.Workers{RelayEvery: 50 * time.Millisecond, RelayMinAge: -1, ExpireEvery: 50 * time.Millisecond})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, _ := e.l.GetHold(ctx, h.Hold.ID)
		m, _ := oneRow(e.rdb, e.prefix, "vol:1")
		lag, _ := e.l.ProjectionLag(ctx)
		if got.Status == ledger.HoldExpired && m["p0"] == "105" && m["h0"] == "0" && lag == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("workers did not expire the hold and drain the outbox: hold %s, redis %v, lag %v", got.Status, m, lag)
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	wg.Wait()
	e.verify(t)
}
