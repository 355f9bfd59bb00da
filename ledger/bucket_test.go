package ledger_test

import (
	"context"
	"strings"
	"testing"

	"timebank/ledger"
)

// A bucket field older than PostgreSQL's is never served as current: a replayed older write does not
// land (nor touch the account beside it in the same bucket); a one-row account's hash from before the
// buckets, older than PostgreSQL, is not read in place of a missing field, and reconcile deletes it;
// a field left at an older version is found by verify and rewritten by reconcile.
func TestBucketStaleFieldIsNeverServed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "vol:1", ledger.KindVolunteer, false)
	e.account(t, "vol:2", ledger.KindVolunteer, false)
	if b1, _, _ := ledger.RedisKeys(e.prefix, "vol:1"); !strings.HasSuffix(b1, "bk:vol:0") {
		t.Fatalf("vol:1 lies in %s", b1)
	}
	e.fund(t, "org:1:issued", "vol:1", 10)
	e.fund(t, "org:1:issued", "vol:1", 10)
	e.fund(t, "org:1:issued", "vol:2", 7)
	served := func(code string, posted, version int64, source string) {
		t.Helper()
		b, err := e.l.Balance(ctx, code)
		if err != nil || b.Posted != posted || b.Version != version || b.Source != source {
			t.Fatalf("%s: %+v %v, want posted %d version %d from %s", code, b, err, posted, version, source)
		}
	}

	// The relay replays every outbox row, the older ones included: the fields keep the newest.
	if _, err := e.l.Relay(ctx, -1, 1000); err != nil {
		t.Fatal(err)
	}
	if m, _ := oneRow(e.rdb, e.prefix, "vol:1"); m["p0"] != "20" || m["v0"] != "2" {
		t.Fatalf("vol:1 after the replay: %v", m)
	}
	served("vol:1", 20, 2, ledger.SourceRedis)
	served("vol:2", 7, 1, ledger.SourceRedis)

	// A hash of vol:1 from before the buckets, one version behind, and no field: PostgreSQL answers.
	_, _, hash := ledger.RedisKeys(e.prefix, "vol:1")
	forget(t, e.rdb, e.prefix, "vol:1")
	if err := e.rdb.HSet(ctx, hash, "p0", 10, "h0", 0, "v0", 1, "n", 1).Err(); err != nil {
		t.Fatal(err)
	}
	served("vol:1", 20, 2, ledger.SourcePostgres)
	served("vol:1", 20, 2, ledger.SourceRedis) // the read wrote the field back
	if _, err := e.l.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := e.rdb.Exists(ctx, hash).Result(); err != nil || n != 0 {
		t.Fatalf("reconcile left the old hash of vol:1: %d %v", n, err)
	}

	// A field left one version behind (as by a write that never reached Redis): verify says so and
	// reconcile rewrites it, without touching vol:2 beside it.
	bucket, field, _ := ledger.RedisKeys(e.prefix, "vol:1")
	if err := e.rdb.HSet(ctx, bucket, field, "10:0:1").Err(); err != nil {
		t.Fatal(err)
	}
	rep, err := e.l.Verify(ctx)
	if err != nil || rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), "vol:1: redis posted=10 pending=0 version=1") {
		t.Fatalf("verify of a stale field: %v %v", rep.Problems, err)
	}
	rc, err := e.l.Reconcile(ctx)
	if err != nil || len(rc.Repairs) != 1 || rc.Repairs[0].Account != "vol:1" {
		t.Fatalf("reconcile: %+v %v", rc, err)
	}
	served("vol:1", 20, 2, ledger.SourceRedis)
	served("vol:2", 7, 1, ledger.SourceRedis)
	e.verify(t)
}
