package ledger_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lib/pq"

	"timebank/ledger"
	"timebank/pkg/dbtest"
)

// Every write of the ledger that runs outside an explicit transaction is one autocommitted
// statement whose result row reaches the client before its commit. When the commit then fails, the
// write must fail too: nothing may be acknowledged, or projected to Redis, that PostgreSQL does not
// have.
func TestNoAcknowledgementWithoutCommit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	refuse := dbtest.RefuseCommits(t, e.db)
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "vol:1", ledger.KindVolunteer, false)
	e.account(t, "vol:2", ledger.KindVolunteer, false)
	e.fund(t, "org:1:issued", "vol:1", 600)
	small := e.fund(t, "org:1:issued", "vol:2", 10)
	held, err := e.l.Hold(ctx, ledger.HoldRequest{From: "vol:1", To: "vol:2", Amount: 50,
		ExpiresAt: time.Now().Add(time.Hour), IdempotencyKey: key(), CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.l.Hold(ctx, ledger.HoldRequest{From: "vol:1", To: "vol:2", Amount: 70,
		ExpiresAt: time.Now().Add(time.Hour), IdempotencyKey: key(), CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	before := e.pgBalance(t, "vol:1")

	refuse(true)
	post := transfer("vol:1", "vol:2", 100)
	newHold := ledger.HoldRequest{From: "vol:1", To: "vol:2", Amount: 30, ExpiresAt: time.Now().Add(time.Hour),
		IdempotencyKey: key(), CreatedBy: "test"}
	writes := []struct {
		name string
		do   func() error
	}{
		{"post", func() error { _, err := e.l.Post(ctx, post); return err }},
		{"reverse", func() error { _, err := e.l.Reverse(ctx, small.Transaction.ID, "test", ""); return err }},
		{"hold", func() error { _, err := e.l.Hold(ctx, newHold); return err }},
		{"commit hold", func() error { _, err := e.l.CommitHold(ctx, held.Hold.ID, nil, "test"); return err }},
		{"void hold", func() error { _, err := e.l.VoidHold(ctx, other.Hold.ID); return err }},
	}
	for _, w := range writes {
		err := w.do()
		var pe *pq.Error
		if !errors.As(err, &pe) || pe.Code != dbtest.CommitRefusedCode {
			t.Errorf("%s: a write whose commit failed answered %v, want the commit's error", w.name, err)
		}
	}
	refuse(false)

	var n int
	if err := e.db.Get(&n, `SELECT count(*) FROM ledger_transactions WHERE idempotency_key = $1 OR reverses = $2`,
		post.IdempotencyKey, small.Transaction.ID); err != nil || n != 0 {
		t.Fatalf("refused transactions exist: %d (%v)", n, err)
	}
	for _, id := range []int64{held.Hold.ID, other.Hold.ID} {
		if h, err := e.l.GetHold(ctx, id); err != nil || h.Status != ledger.HoldPending {
			t.Fatalf("hold %d after a refused commit: %+v %v", id, h, err)
		}
	}
	if after := e.pgBalance(t, "vol:1"); after.Posted != before.Posted || after.Pending != before.Pending ||
		after.Version != before.Version {
		t.Fatalf("vol:1 moved: %+v, was %+v", after, before)
	}
	// Redis was not told of what never happened: it still says what PostgreSQL says.
	if b, err := e.l.Balance(ctx, "vol:1"); err != nil || b.Posted != before.Posted || b.Version != before.Version {
		t.Fatalf("vol:1 in Redis %+v (%v), PostgreSQL %+v", b, err, before)
	}
	// The client's retry under the same key posts once, now.
	res, err := e.l.Post(ctx, post)
	if err != nil || res.Replayed {
		t.Fatalf("retry after the refused commit: %+v %v", res, err)
	}
	e.verify(t)
}
