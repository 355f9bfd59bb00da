package ledger_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"timebank/ledger"
	"timebank/pkg/dbtest"
)

// A Redis that comes back from an old snapshot, or empty, is noticed by its new run id: reads stop
// trusting it at once, and the ledger reconciles without an operator.
func TestRedisRestartIsReconciled(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	srv := dbtest.NewRedisServer(t)
	rdb := srv.Client()
	defer rdb.Close()
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
	srv.Kill()
	srv.Start()
	if b, err := l.Balance(ctx, "vol:1"); err != nil || b.Posted != 100 || b.Source != ledger.SourceRedis {
		t.Fatalf("the old snapshot should serve 100 until the check: %+v %v", b, err)
	}
	if seen, err := l.CheckRedisRestart(ctx, true); err != nil || !seen {
		t.Fatalf("restart from a snapshot not seen: %v %v", seen, err)
	}
	if b, err := l.Balance(ctx, "vol:1"); err != nil || b.Posted != 150 || b.Source != ledger.SourceRedis {
		t.Fatalf("after the check: %+v %v, want 150 from Redis", b, err)
	}

	srv.Forget()
	srv.Kill()
	srv.Start()
	if seen, err := l.CheckRedisRestart(ctx, true); err != nil || !seen {
		t.Fatalf("empty restart not seen: %v %v", seen, err)
	}
	if m, err := rdb.HGetAll(ctx, "tb:bal:vol:1").Result(); err != nil || len(m) == 0 {
		t.Fatalf("the empty Redis was not filled again: %v %v", m, err)
	}
	if b, err := l.Balance(ctx, "vol:1"); err != nil || b.Posted != 150 || b.Source != ledger.SourceRedis {
		t.Fatalf("after the empty restart: %+v %v", b, err)
	}
	e.verify(t)
}
