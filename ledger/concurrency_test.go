package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"timebank/ledger"
)

// Fifty concurrent 60-minute spends from an account holding 600 minutes: PostgreSQL lets exactly ten
// through and refuses the rest, and both PostgreSQL and the Redis projection end at zero.
func TestConcurrentDoubleSpend(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "store:1:redeemed", ledger.KindStore, true)
	e.account(t, "vol:1", ledger.KindVolunteer, false)
	e.fund(t, "org:1:issued", "vol:1", 600) // 10 h

	var ok, refused atomic.Int64
	var mu sync.Mutex
	ids := map[int64]bool{}
	together(50, func(int) {
		res, err := e.l.Post(ctx, transfer("vol:1", "store:1:redeemed", 60))
		switch {
		case err == nil:
			ok.Add(1)
			mu.Lock()
			ids[res.Transaction.ID] = true
			mu.Unlock()
			if res.Replayed {
				t.Errorf("a fresh key was treated as a replay: %+v", res)
			}
		case errors.Is(err, ledger.ErrInsufficientFunds):
			refused.Add(1)
			if a := ledger.AccountOf(err); a != "vol:1" {
				t.Errorf("refusal names account %q, want vol:1", a)
			}
		default:
			t.Errorf("unexpected error: %v", err)
		}
	})
	if ok.Load() != 10 || refused.Load() != 40 || len(ids) != 10 {
		t.Fatalf("want 10 successes (10 distinct transactions) and 40 refusals, got %d (%d) and %d",
			ok.Load(), len(ids), refused.Load())
	}

	if b := e.pgBalance(t, "vol:1"); b.Posted != 0 || b.Pending != 0 || b.Available != 0 || b.Version != 11 {
		t.Fatalf("postgres balance of vol:1: %+v", b)
	}
	if b := e.pgBalance(t, "store:1:redeemed"); b.Posted != 600 {
		t.Fatalf("postgres balance of the store: %+v", b)
	}
	// Redis, read directly: the sum of the p fields of the hash.
	rows, complete := hashRows(t, e.rdb, e.prefix, "vol:1")
	if tot := sumRows(rows); !complete || tot[0] != 0 || tot[2] != 11 {
		t.Fatalf("redis hash of vol:1: rows %v complete %v", rows, complete)
	}
	rows, complete = hashRows(t, e.rdb, e.prefix, "store:1:redeemed")
	if tot := sumRows(rows); !complete || tot[0] != 600 {
		t.Fatalf("redis hash of the store: rows %v complete %v", rows, complete)
	}
	if b, err := e.l.Balance(ctx, "vol:1"); err != nil || b.Source != ledger.SourceRedis || b.Posted != 0 {
		t.Fatalf("Balance(vol:1): %+v %v", b, err)
	}
	var spends int
	if err := e.db.Get(&spends, `SELECT count(*) FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
		WHERE a.code = 'vol:1' AND p.amount = -60`); err != nil || spends != 10 {
		t.Fatalf("postings of -60 on vol:1: %d %v", spends, err)
	}
	e.verify(t)
}

// Fifty concurrent posts of one request under one idempotency key post it once: every caller gets the
// same transaction, exactly one of them fresh.
func TestConcurrentIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.shop(t, 600)
	req := transfer("vol:1", "store:1:redeemed", 45)

	var mu sync.Mutex
	ids := map[int64]int{}
	fresh := 0
	together(50, func(int) {
		res, err := e.l.Post(ctx, req)
		if err != nil {
			t.Errorf("post: %v", err)
			return
		}
		if len(res.Transaction.Postings) != 2 {
			t.Errorf("result without its postings: %+v", res)
		}
		mu.Lock()
		defer mu.Unlock()
		ids[res.Transaction.ID]++
		if !res.Replayed {
			fresh++
		}
	})
	if len(ids) != 1 || fresh != 1 {
		t.Fatalf("want one transaction id and one fresh result, got ids %v and %d fresh results", ids, fresh)
	}
	var n int
	if err := e.db.Get(&n, `SELECT count(*) FROM ledger_transactions WHERE idempotency_key = $1`, req.IdempotencyKey); err != nil || n != 1 {
		t.Fatalf("transactions with the key: %d %v", n, err)
	}
	for id := range ids {
		if err := e.db.Get(&n, `SELECT count(*) FROM ledger_postings WHERE tx_id = $1`, id); err != nil || n != 2 {
			t.Fatalf("postings of transaction %d: %d %v", id, n, err)
		}
	}
	if b := e.pgBalance(t, "vol:1"); b.Posted != 555 || b.Version != 2 {
		t.Fatalf("vol:1 should have moved once (600 → 555, version 2): %+v", b)
	}
	if b := e.pgBalance(t, "store:1:redeemed"); b.Posted != 45 {
		t.Fatalf("the store should have received 45 once: %+v", b)
	}
	sameProjection(t, e.db, e.rdb, e.prefix, "vol:1")
	sameProjection(t, e.db, e.rdb, e.prefix, "store:1:redeemed")
	e.verify(t)
}

// 32 writers × 20 transfers into one store account (16 balance rows): nothing is lost, and Redis ends
// at PostgreSQL's rows although the writes after commit arrive in any order.
func TestConcurrentHotAccount(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const writers, each, amount = 32, 20, 3
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "store:1:redeemed", ledger.KindStore, true)
	vols := make([]string, writers)
	for i := range vols {
		vols[i] = fmt.Sprintf("vol:%d", i)
		e.account(t, vols[i], ledger.KindVolunteer, false)
		e.fund(t, "org:1:issued", vols[i], each*amount)
	}
	if a, err := e.l.Account(ctx, "store:1:redeemed"); err != nil || a.Slots != 16 {
		t.Fatalf("the store should be split into 16 balance rows: %+v %v", a, err)
	}
	together(writers, func(i int) {
		for range each {
			if _, err := e.l.Post(ctx, transfer(vols[i], "store:1:redeemed", amount)); err != nil {
				t.Errorf("post from %s: %v", vols[i], err)
			}
		}
	})
	pg := e.pgBalance(t, "store:1:redeemed")
	if pg.Posted != writers*each*amount || pg.Version != writers*each {
		t.Fatalf("store in postgres: %+v, want posted %d version %d", pg, writers*each*amount, writers*each)
	}
	for _, v := range vols {
		if b := e.pgBalance(t, v); b.Posted != 0 {
			t.Fatalf("%s should be empty: %+v", v, b)
		}
	}
	sameProjection(t, e.db, e.rdb, e.prefix, "store:1:redeemed")
	rd, err := e.l.Balance(ctx, "store:1:redeemed")
	if err != nil || rd.Source != ledger.SourceRedis || rd.Posted != pg.Posted || rd.Version != pg.Version {
		t.Fatalf("store: redis %+v (%v), postgres %+v", rd, err, pg)
	}
	var slotsUsed int
	if err := e.db.Get(&slotsUsed, `SELECT count(DISTINCT p.slot) FROM ledger_postings p
		JOIN ledger_accounts a ON a.id = p.account_id WHERE a.code = 'store:1:redeemed'`); err != nil || slotsUsed < 2 {
		t.Fatalf("postings to the split account should spread over its rows, used %d (%v)", slotsUsed, err)
	}
	e.verify(t)
}
