package ledger_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"timebank/ledger"
	"timebank/pkg/dbtest"
)

// A Redis that comes back from an old snapshot, or empty, is noticed by its new run id: reads stop
// trusting it at once, and the ledger reconciles without an operator.
func TestRedisRestartIsReconciled(t *testing.T) {
	srv := dbtest.NewRedisServer(t)
	rdb := srv.Client()
	defer rdb.Close()
	redisRestartIsReconciled(t, rdb, srv, func() { srv.Kill(); srv.Start() })
}

// redisRestartIsReconciled is the test over a client of a Redis or of a cluster: srv is the server
// (the master) that holds vol:1's balance, and restart kills it and starts it again.
func redisRestartIsReconciled(t *testing.T, rdb redis.UniversalClient, srv *dbtest.RedisServer, restart func()) {
	ctx := context.Background()
	db := dbtest.New(t)
	l := ledger.New(db, rdb, ledger.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	e := &env{l: l, db: db, rdb: rdb}
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "vol:1", ledger.KindVolunteer, false)
	e.fund(t, "org:1:issued", "vol:1", 100)
	if seen, err := l.CheckRedisRestart(ctx, true); err != nil || !seen {
		t.Fatalf("first check of a Redis never marked: %v %v", seen, err)
	}
	if seen, err := l.CheckRedisRestart(ctx, true); err != nil || seen {
		t.Fatalf("no restart, but seen=%v (%v)", seen, err)
	}

	srv.Save() // vol:1 has 100 in the snapshot
	e.fund(t, "org:1:issued", "vol:1", 50)
	restart()
	// The snapshot holds 100, but the first read after the restart, before any periodic check,
	// runs on a new connection, sees the new run id and does not serve it.
	if b, err := l.Balance(ctx, "vol:1"); err != nil || b.Posted != 150 {
		t.Fatalf("the first read after a restart from an old snapshot: %+v %v, want 150", b, err)
	}
	waitRedisServes(t, l, "vol:1", 150) // reconciled in the background, without an operator
	if seen, err := l.CheckRedisRestart(ctx, true); err != nil || seen {
		t.Fatalf("the restart was not recorded once reconciled: %v %v", seen, err)
	}

	srv.Forget()
	restart()
	if seen, err := l.CheckRedisRestart(ctx, true); err != nil || !seen {
		t.Fatalf("empty restart not seen: %v %v", seen, err)
	}
	if m, err := oneRow(rdb, "tb:", "vol:1"); err != nil || len(m) == 0 {
		t.Fatalf("the empty Redis was not filled again: %v %v", m, err)
	}
	if b, err := l.Balance(ctx, "vol:1"); err != nil || b.Posted != 150 || b.Source != ledger.SourceRedis {
		t.Fatalf("after the empty restart: %+v %v", b, err)
	}
	e.verify(t)
}

// waitRedisServes waits until the balance is served from Redis again, and is want.
func waitRedisServes(t *testing.T, l *ledger.Ledger, code string, want int64) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		b, err := l.Balance(context.Background(), code)
		if err != nil || b.Posted != want {
			t.Fatalf("balance %+v %v, want %d", b, err, want)
		}
		if b.Source == ledger.SourceRedis {
			return
		}
		if time.Now().After(end) {
			t.Fatal("Redis was not trusted again within 10 s of the restart")
		}
	}
}
