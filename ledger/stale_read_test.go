package ledger_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"timebank/ledger"
	"timebank/pkg/dbtest"
)

// Redis crashes and comes back from its last snapshot, which holds a balance from before a posting
// whose write to Redis failed meanwhile. The breaker lets the ledger use Redis again after a
// second; from then on no read of that account may be served the snapshot's balance: it comes from
// PostgreSQL (which repairs Redis) until Redis holds the posting. An account that no lost write
// touched is read from Redis as soon as the breaker lets it.
func TestProjectionFailedWriteIsNeverReadStale(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	srv := dbtest.NewRedisServer(t)
	// The default retries, as in production: a connection left over from before the crash is retried.
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { rdb.Close() })
	const prefix = "stale:"
	l := ledger.New(e.db, rdb, ledger.Options{RedisPrefix: prefix, Logger: quietLogger()})
	for _, a := range []ledger.NewAccount{{Code: "org:1:issued", Kind: ledger.KindIssuer, AllowNegative: true},
		{Code: "vol:1", Kind: ledger.KindVolunteer}, {Code: "vol:2", Kind: ledger.KindVolunteer}} {
		if _, err := l.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []string{"vol:1", "vol:2"} {
		if _, err := l.Post(ctx, transfer("org:1:issued", v, 100)); err != nil {
			t.Fatal(err)
		}
	}
	if err := rdb.Save(ctx).Err(); err != nil {
		t.Fatal(err)
	}

	srv.Kill()
	if _, err := l.Post(ctx, transfer("org:1:issued", "vol:1", 5)); err != nil {
		t.Fatalf("a posting must not fail because Redis is down: %v", err)
	}
	if s := l.Stats(); s.ProjectionErrors == 0 {
		t.Fatalf("the write after commit cannot have succeeded with Redis dead: %+v", s)
	}
	srv.Start()
	if rows, _ := hashRows(t, rdb, prefix, "vol:1"); sumRows(rows) != [3]int64{100, 0, 1} {
		t.Fatalf("the restarted redis should hold the snapshot's balance of vol:1, holds %v", rows)
	}

	// Read until the ledger trusts Redis again for vol:2, which has no posting Redis missed.
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, err := l.Balance(ctx, "vol:2")
		if err != nil || b.Posted != 100 {
			t.Fatalf("vol:2: %+v %v", b, err)
		}
		if b.Source == ledger.SourceRedis {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Balance of vol:2 never read from redis again")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Redis is used again, but not for vol:1 until a read has repaired it.
	b, err := l.Balance(ctx, "vol:1")
	if err != nil || b.Posted != 105 || b.Version != 2 || b.Source != ledger.SourcePostgres {
		t.Fatalf("the first read of vol:1 must come from postgres with the posting: %+v %v", b, err)
	}
	if rows, _ := hashRows(t, rdb, prefix, "vol:1"); sumRows(rows) != [3]int64{105, 0, 2} {
		t.Fatalf("the read should have repaired vol:1 in redis, which holds %v", rows)
	}
	if b, err := l.Balance(ctx, "vol:1"); err != nil || b.Posted != 105 || b.Source != ledger.SourceRedis {
		t.Fatalf("once repaired, vol:1 is read from redis: %+v %v", b, err)
	}
	drainOutbox(t, l) // the issuer's side of the posting, which nobody read
	verifyWith(t, l)
}
