package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/lib/pq"

	"timebank/ledger"
	"timebank/pkg/dbtest"
)

// A batch whose commit fails acknowledges none of its requests: each caller gets the commit's
// error, PostgreSQL and Redis hold nothing of them, and the callers' retries post each once.
func TestPostingsInGroupsNotAcknowledgedWithoutCommit(t *testing.T) {
	e := groupEnv(t, ledger.Options{PostWriters: 1, PostBatch: 128})
	ctx := context.Background()
	refuse := dbtest.RefuseCommits(t, e.db)
	codes := groupAccounts(t, e)
	before := map[string]ledger.Balance{}
	for _, c := range codes {
		before[c] = e.pgBalance(t, c)
		if _, err := e.l.Balance(ctx, c); err != nil { // in Redis
			t.Fatal(err)
		}
	}
	var rs []ledger.TransactionRequest
	for i := range 64 {
		rs = append(rs, request(fmt.Sprintf("crash-%d", i), 1, fmt.Sprintf("vol:c%d", i%10), "store:1:redeemed"))
	}
	refuse(true)
	out := lineUp(t, e, rs)
	refuse(false)
	if s := e.l.PostBatchStats(); s.Fallbacks != 1 || s.Batches != 0 {
		t.Fatalf("the batch should have failed at its commit and gone one by one: %+v", s)
	}
	for i, o := range out {
		var pe *pq.Error
		if !errors.As(o.err, &pe) || pe.Code != dbtest.CommitRefusedCode {
			t.Fatalf("request %d whose commit failed answered %+v %v", i, o.res, o.err)
		}
	}
	var n int
	if err := e.db.Get(&n, `SELECT count(*) FROM ledger_transactions WHERE idempotency_key LIKE 'crash-%' OR idempotency_key = 'gate'`); err != nil || n != 0 {
		t.Fatalf("refused transactions exist: %d (%v)", n, err)
	}
	for _, c := range codes {
		b := e.pgBalance(t, c)
		if b.Posted != before[c].Posted || b.Version != before[c].Version {
			t.Fatalf("%s moved: %+v, was %+v", c, b, before[c])
		}
		sameProjection(t, e.db, e.rdb, e.prefix, c)
	}
	// The retries, together, post each request once.
	together(len(rs), func(i int) {
		res, err := e.l.Post(ctx, rs[i])
		if err != nil || res.Replayed {
			t.Errorf("retry %d: %+v %v", i, res, err)
		}
	})
	if b := e.pgBalance(t, "store:1:redeemed"); b.Posted != before["store:1:redeemed"].Posted+64 {
		t.Fatalf("store after the retries: %+v", b)
	}
	for _, c := range codes {
		sameProjection(t, e.db, e.rdb, e.prefix, c)
	}
	e.verify(t)
}
