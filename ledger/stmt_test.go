package ledger

import (
	"context"
	"testing"
	"time"

	"timebank/pkg/dbtest"
)

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
		if !l.stmts.Prepared(q) {
			t.Errorf("not prepared: %s", q)
		}
	}
}
