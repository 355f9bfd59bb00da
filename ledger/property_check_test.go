package ledger_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// opTally counts the operations of one kind that succeeded and that were refused as allowed.
type opTally struct{ ok, refused atomic.Int64 }

// checkOpStats logs what succeeded and was refused, and fails a run that did not exercise what it
// claims to: every kind of write succeeded, and every kind of refusal happened.
func checkOpStats(t *testing.T, stats map[string]*opTally) {
	t.Helper()
	names := make([]string, 0, len(stats))
	for op := range stats {
		names = append(names, op)
	}
	sort.Strings(names)
	var summary []string
	for _, op := range names {
		summary = append(summary, fmt.Sprintf("%s %d/%d", op, stats[op].ok.Load(), stats[op].refused.Load()))
	}
	t.Logf("succeeded/refused: %s", strings.Join(summary, ", "))
	for _, op := range []string{"transfer", "multi", "hold", "commit", "void", "reverse", "replay", "replay-hold"} {
		if stats[op].ok.Load() == 0 {
			t.Errorf("no %s succeeded: the run proves little", op)
		}
	}
	for _, op := range []string{"overdraw", "overcommit", "conflict"} {
		if stats[op].refused.Load() == 0 {
			t.Errorf("no %s was refused: the run proves little", op)
		}
	}

}

// expireShortHolds waits until every short hold has passed its expiry (PostgreSQL's clock), releases
// them, and checks that none is left pending past its expiry and that some did expire.
func expireShortHolds(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	// Let every short hold pass its expiry (PostgreSQL's clock), then release them.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var waiting int
		if err := e.db.Get(&waiting, `SELECT count(*) FROM ledger_holds
			WHERE status = 'pending' AND expires_at >= now() AND expires_at < now() + interval '1 minute'`); err != nil {
			t.Fatal(err)
		}
		if waiting == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d short holds never expired", waiting)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := e.l.ExpireHolds(ctx, 100000); err != nil {
		t.Fatal(err)
	}
	var overdue, expired int
	if err := e.db.Get(&overdue, `SELECT count(*) FROM ledger_holds WHERE status = 'pending' AND expires_at <= now()`); err != nil || overdue != 0 {
		t.Fatalf("pending holds past their expiry after ExpireHolds: %d %v", overdue, err)
	}
	if err := e.db.Get(&expired, `SELECT count(*) FROM ledger_holds WHERE status = 'expired'`); err != nil || expired == 0 {
		t.Fatalf("no hold expired (%v): the run proves little", err)
	}

}
