package ledger

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"timebank/pkg/dbtest"
)

// A call whose statement cannot be prepared still runs (and fails or succeeds as PostgreSQL says),
// and preparing is tried again on the next call instead of being given up for good.
func TestPreparedCallsRetryAfterAFailedPrepare(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	p := &preparedCalls{db: db, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	const q = `SELECT tb_test_answer($1)`
	if rows, err := p.QueryContext(ctx, q, 1); err == nil {
		rows.Close()
		t.Fatal("a call of a missing function succeeded")
	}
	if _, ok := p.stmts.Load(q); ok {
		t.Fatal("a statement that failed to prepare was kept")
	}
	if _, err := db.Exec(`CREATE FUNCTION tb_test_answer(int) RETURNS int LANGUAGE sql AS 'SELECT $1 + 41'`); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		rows, err := p.QueryContext(ctx, q, 1)
		if err != nil {
			t.Fatal(err)
		}
		var got int
		for rows.Next() {
			err = rows.Scan(&got)
		}
		rows.Close()
		if err != nil || got != 42 {
			t.Fatalf("call: %d %v", got, err)
		}
	}
	if _, ok := p.stmts.Load(q); !ok {
		t.Fatal("the call was not prepared once the function existed")
	}
}

// The hold functions are called through prepared statements, like ledger_post.
func TestHoldCallsArePrepared(t *testing.T) {
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	l := New(db, rdb, Options{RedisPrefix: prefix})
	ctx := context.Background()
	for _, a := range []NewAccount{{Code: "org:1:issued", Kind: KindIssuer, AllowNegative: true},
		{Code: "store:1:redeemed", Kind: KindStore, AllowNegative: true}, {Code: "vol:1", Kind: KindVolunteer}} {
		if _, err := l.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Post(ctx, TransactionRequest{Kind: TxEarn, IdempotencyKey: "fund", CreatedBy: "test",
		Postings: []PostingRequest{{Account: "org:1:issued", Amount: -60}, {Account: "vol:1", Amount: 60}}}); err != nil {
		t.Fatal(err)
	}
	var holds []int64
	for _, k := range []string{"h1", "h2"} {
		h, err := l.Hold(ctx, HoldRequest{From: "vol:1", To: "store:1:redeemed", Amount: 10, ExpiresAt: time.Now().Add(time.Hour),
			IdempotencyKey: k, CreatedBy: "test"})
		if err != nil {
			t.Fatal(err)
		}
		holds = append(holds, h.Hold.ID)
	}
	if _, err := l.CommitHold(ctx, holds[0], nil, "clerk"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.VoidHold(ctx, holds[1]); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{postQuery, holdQuery, holdCommitQuery, holdReleaseQuery} {
		if _, ok := l.calls.stmts.Load(q); !ok {
			t.Errorf("not prepared: %s", q)
		}
	}
}
