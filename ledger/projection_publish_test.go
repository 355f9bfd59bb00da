package ledger_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"timebank/ledger"
	"timebank/pkg/dbtest"
)

func TestProjectionPublishesBalances(t *testing.T) {
	e := newEnv(t)
	e.shop(t, 100)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sub := e.rdb.Subscribe(ctx, e.l.BalanceChannel("vol:1"))
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil { // the subscription is in place before we post
		t.Fatal(err)
	}
	if ch := e.l.BalanceChannel("vol:1"); ch != e.prefix+"balance:vol:1" {
		t.Fatalf("channel %q", ch)
	}
	type message struct {
		Code      string `json:"code"`
		Posted    int64  `json:"posted"`
		Pending   int64  `json:"pending"`
		Available int64  `json:"available"`
		Version   int64  `json:"version"`
	}
	// next skips what was published before the subscription (vol:1's opening and first funding,
	// version 1 at most): on a Redis Cluster it may arrive after it, from another master.
	next := func() message {
		t.Helper()
		for {
			msg, err := sub.ReceiveMessage(ctx)
			if err != nil {
				t.Fatalf("no publication: %v", err)
			}
			var m message
			if err := json.Unmarshal([]byte(msg.Payload), &m); err != nil {
				t.Fatalf("publication %q is not JSON: %v", msg.Payload, err)
			}
			if m.Version > 1 {
				return m
			}
		}
	}
	e.fund(t, "org:1:issued", "vol:1", 45)
	if m := next(); m != (message{Code: "vol:1", Posted: 145, Pending: 0, Available: 145, Version: 2}) {
		t.Fatalf("publication after a posting: %+v", m)
	}
	if _, err := e.l.Hold(ctx, holdReq("vol:1", "store:1:redeemed", 20, time.Now().Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if m := next(); m != (message{Code: "vol:1", Posted: 145, Pending: 20, Available: 125, Version: 3}) {
		t.Fatalf("publication after a hold: %+v", m)
	}
	e.fund(t, "vol:1", "store:1:redeemed", 25)
	if m := next(); m != (message{Code: "vol:1", Posted: 120, Pending: 20, Available: 100, Version: 4}) {
		t.Fatalf("publication after a spend: %+v", m)
	}
	e.verify(t)
}

// ProjectionLag feeds the lag gauge: when PostgreSQL cannot be asked, it must say so rather than
// report that Redis is up to date.
func TestProjectionLagReportsDatabaseErrors(t *testing.T) {
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	l := ledger.New(db, rdb, ledger.Options{RedisPrefix: prefix})
	if lag, err := l.ProjectionLag(context.Background()); err != nil || lag != 0 {
		t.Fatalf("lag of an empty outbox: %v %v", lag, err)
	}
	db.Close() // the database is gone
	if lag, err := l.ProjectionLag(context.Background()); err == nil {
		t.Fatalf("ProjectionLag with the database closed returned lag %v and no error", lag)
	}
}

// A caller that abandons a balance read (its context is cancelled) says nothing about Redis: the
// next posting's write after commit must still reach Redis.
func TestProjectionCancelledReadDoesNotSuspendRedis(t *testing.T) {
	e := newEnv(t)
	e.shop(t, 100)
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	_, _ = e.l.Balance(gone, "vol:1") // the caller went away; the result does not matter
	e.fund(t, "org:1:issued", "vol:1", 5)
	if s := e.l.Stats(); s.ProjectionErrors != 0 {
		t.Errorf("a healthy Redis was skipped after a cancelled read: %+v", s)
	}
	if rows, _ := hashRows(t, e.rdb, e.prefix, "vol:1"); sumRows(rows)[0] != 105 {
		t.Errorf("redis should hold the new balance 105 right after the posting, holds rows %v", rows)
	}
	// What a reader then sees: once the ledger reads Redis again, Balance must not serve the balance
	// from before the posting.
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, err := e.l.Balance(context.Background(), "vol:1")
		if err != nil {
			t.Fatal(err)
		}
		if b.Source == ledger.SourceRedis {
			if b.Posted != 105 || b.Version != 2 {
				t.Fatalf("Balance from redis is stale after a posting: %+v, postgres %+v", b, e.pgBalance(t, "vol:1"))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Balance never read from redis again")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
