package ledger_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"timebank/ledger"
	"timebank/pkg/dbtest"
)

func TestRedisOutageLosesNothing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := dbtest.NewRedisServer(t)
	rdb := redis.NewClient(&redis.Options{Addr: r.Addr, DialTimeout: 200 * time.Millisecond,
		ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer rdb.Close()
	l := ledger.New(e.db, rdb, ledger.Options{RedisPrefix: "outage:"})
	vols := []string{"vol:1", "vol:2", "vol:3", "vol:4"}
	for _, a := range append([]string{"org:1:issued", "store:1:redeemed"}, vols...) {
		_, err := l.CreateAccount(ctx, ledger.NewAccount{Code: a, Kind: kindOf(a), AllowNegative: kindOf(a) != ledger.KindVolunteer})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range vols {
		if _, err := l.Post(ctx, transfer("org:1:issued", v, 1000)); err != nil {
			t.Fatal(err)
		}
	}
	r.Kill() // Redis goes away while postings go on.
	raceN(8, func(i int) {
		for range 25 {
			if _, err := l.Post(ctx, transfer(vols[i%4], "store:1:redeemed", 1)); err != nil {
				t.Errorf("posting during the outage failed: %v", err)
			}
		}
	})
	if b, err := l.Balance(ctx, "store:1:redeemed"); err != nil || b.Source != ledger.SourcePostgres || b.Posted != 200 {
		t.Fatalf("balance during the outage: %+v %v", b, err)
	}
	r.Start() // back, empty
	for {
		n, err := l.Relay(ctx, -1, 10000)
		if err != nil {
			t.Fatalf("relay: %v", err)
		}
		if n == 0 {
			break
		}
	}
	rep, err := l.Reconcile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accounts != 6 {
		t.Fatalf("reconcile looked at %d accounts", rep.Accounts)
	}
	again, err := l.Reconcile(ctx)
	if err != nil || len(again.Repairs) != 0 {
		t.Fatalf("a second reconcile should find nothing: %+v %v", again, err)
	}
	for _, a := range append(vols, "store:1:redeemed", "org:1:issued") {
		rd, err := l.Balance(ctx, a)
		pg, _ := l.PostgresBalance(ctx, a)
		if err != nil || rd.Source != ledger.SourceRedis || rd.Posted != pg.Posted || rd.Version != pg.Version {
			t.Fatalf("%s: redis %+v, postgres %+v, %v", a, rd, pg, err)
		}
	}
	rep2, err := l.Verify(ctx)
	if err != nil || !rep2.OK() {
		t.Fatalf("verify: %v %v", rep2.Problems, err)
	}
}

func kindOf(code string) string {
	switch code[:3] {
	case "vol":
		return ledger.KindVolunteer
	case "sto":
		return ledger.KindStore
	}
	return ledger.KindIssuer
}

func TestCrashAfterCommitIsRepairedByRelay(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "vol:1", ledger.KindVolunteer, false)
	e.fund(t, "org:1:issued", "vol:1", 10)
	// A process whose Redis write never happens: the posting commits, the projection is lost.
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	defer dead.Close()
	crashed := ledger.New(e.db, dead, ledger.Options{RedisPrefix: e.prefix})
	if _, err := crashed.Post(ctx, transfer("org:1:issued", "vol:1", 25)); err != nil {
		t.Fatal(err)
	}
	if m, _ := oneRow(e.rdb, e.prefix, "vol:1"); m["p0"] != "10" {
		t.Fatalf("redis should still hold the old balance, has %v", m)
	}
	if _, err := e.l.Relay(ctx, -1, 1000); err != nil {
		t.Fatal(err)
	}
	if m, _ := oneRow(e.rdb, e.prefix, "vol:1"); m["p0"] != "35" {
		t.Fatalf("after the relay redis should hold 35, has %v", m)
	}
	// A lost key is read from PostgreSQL and written back.
	forget(t, e.rdb, e.prefix, "vol:1")
	if b, _ := e.l.Balance(ctx, "vol:1"); b.Source != ledger.SourcePostgres || b.Posted != 35 {
		t.Fatalf("fallback: %+v", b)
	}
	if b, _ := e.l.Balance(ctx, "vol:1"); b.Source != ledger.SourceRedis || b.Posted != 35 {
		t.Fatalf("after read repair: %+v", b)
	}
	e.verify(t)
}

func TestOlderVersionNeverOverwritesNewer(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "vol:1", ledger.KindVolunteer, false)
	sub := e.rdb.Subscribe(ctx, e.l.BalanceChannel("vol:1"))
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		e.fund(t, "org:1:issued", "vol:1", 5)
	}
	// The relay replays all three outbox rows, oldest included; Redis keeps the newest.
	if _, err := e.l.Relay(ctx, -1, 1000); err != nil {
		t.Fatal(err)
	}
	m, _ := oneRow(e.rdb, e.prefix, "vol:1")
	if m["p0"] != "15" || m["v0"] != "3" {
		t.Fatalf("redis holds %v", m)
	}
	msg, err := sub.ReceiveMessage(ctx)
	if err != nil || msg.Payload != `{"code":"vol:1","posted":5,"pending":0,"available":5,"version":1}` {
		t.Fatalf("first publication: %+v %v", msg, err)
	}
}
