package ledger_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"timebank/ledger"
)

// raceN runs fn in n goroutines released at the same moment and waits for all of them.
func raceN(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

func TestRaceDoubleSpend(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "store:1:redeemed", ledger.KindStore, true)
	e.account(t, "vol:1", ledger.KindVolunteer, false)
	e.fund(t, "org:1:issued", "vol:1", 600) // 10 h

	var mu sync.Mutex
	ok, refused := 0, 0
	raceN(50, func(int) {
		_, err := e.l.Post(ctx, transfer("vol:1", "store:1:redeemed", 60))
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil:
			ok++
		case errors.Is(err, ledger.ErrInsufficientFunds):
			refused++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	})
	if ok != 10 || refused != 40 {
		t.Fatalf("want 10 successes and 40 refusals, got %d and %d", ok, refused)
	}
	if b := e.pgBalance(t, "vol:1"); b.Posted != 0 || b.Available != 0 {
		t.Fatalf("postgres balance: %+v", b)
	}
	b, err := e.l.Balance(ctx, "vol:1")
	if err != nil || b.Source != ledger.SourceRedis || b.Posted != 0 || b.Version != 11 {
		t.Fatalf("redis balance: %+v %v", b, err)
	}
	if s, _ := e.l.Balance(ctx, "store:1:redeemed"); s.Posted != 600 || s.Source != ledger.SourceRedis {
		t.Fatalf("store balance: %+v", s)
	}
	e.verify(t)
}

func TestRaceOneIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "vol:1", ledger.KindVolunteer, false)
	req := transfer("org:1:issued", "vol:1", 45)

	var mu sync.Mutex
	ids := map[int64]int{}
	fresh := 0
	raceN(50, func(int) {
		res, err := e.l.Post(ctx, req)
		if err != nil {
			t.Errorf("post: %v", err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		ids[res.Transaction.ID]++
		if !res.Replayed {
			fresh++
		}
	})
	if len(ids) != 1 || fresh != 1 {
		t.Fatalf("want one transaction posted once, got ids %v and %d fresh results", ids, fresh)
	}
	var n int
	if err := e.db.Get(&n, `SELECT count(*) FROM ledger_transactions WHERE idempotency_key = $1`, req.IdempotencyKey); err != nil || n != 1 {
		t.Fatalf("transactions with the key: %d %v", n, err)
	}
	if b := e.pgBalance(t, "vol:1"); b.Posted != 45 {
		t.Fatalf("balance moved %d, want 45", b.Posted)
	}
	e.verify(t)
}

func TestRaceHotAccount(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "store:1:redeemed", ledger.KindStore, true)
	vols := make([]string, 32)
	for i := range vols {
		vols[i] = "vol:" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		e.account(t, vols[i], ledger.KindVolunteer, false)
		e.fund(t, "org:1:issued", vols[i], 100)
	}
	raceN(32, func(i int) {
		for range 20 {
			if _, err := e.l.Post(ctx, transfer(vols[i], "store:1:redeemed", 2)); err != nil {
				t.Errorf("post: %v", err)
			}
		}
	})
	pg := e.pgBalance(t, "store:1:redeemed")
	rd, err := e.l.Balance(ctx, "store:1:redeemed")
	if pg.Posted != 32*20*2 || err != nil || rd.Source != ledger.SourceRedis || rd.Posted != pg.Posted || rd.Version != pg.Version {
		t.Fatalf("store: postgres %+v, redis %+v (%v)", pg, rd, err)
	}
	var slotsUsed int
	_ = e.db.Get(&slotsUsed, `SELECT count(DISTINCT p.slot) FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id WHERE a.code = 'store:1:redeemed'`)
	if slotsUsed < 2 {
		t.Fatalf("a split account should spread postings over its slots, used %d", slotsUsed)
	}
	e.verify(t)
}

func TestTamperingIsRefused(t *testing.T) {
	e := newEnv(t)
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "vol:1", ledger.KindVolunteer, false)
	e.fund(t, "org:1:issued", "vol:1", 100)
	for _, stmt := range []string{
		`UPDATE ledger_postings SET amount = amount * 2`,
		`DELETE FROM ledger_postings`,
		`TRUNCATE ledger_postings CASCADE`,
		`UPDATE ledger_transactions SET memo = 'changed'`,
		`DELETE FROM ledger_transactions`,
		`UPDATE ledger_accounts SET allow_negative = true`,
		`UPDATE ledger_balances SET posted = -1 WHERE allow_negative = false`,
	} {
		if _, err := e.db.Exec(stmt); err == nil {
			t.Errorf("%s: succeeded, want refusal", stmt)
		}
	}
	// An unbalanced insert never commits.
	tx := e.db.MustBegin()
	var txID, accID int64
	if err := tx.Get(&txID, `INSERT INTO ledger_transactions (kind, created_by, idempotency_key, request_hash)
		VALUES ('adjust', 'intruder', 'tamper-1', '\x00') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	_ = tx.Get(&accID, `SELECT id FROM ledger_accounts WHERE code = 'vol:1'`)
	_, err := tx.Exec(`INSERT INTO ledger_postings (tx_id, account_id, slot, amount, balance_after, version_after)
		VALUES ($1, $2, 0, 5, 105, 2)`, txID, accID)
	if err == nil {
		err = tx.Commit()
	} else {
		_ = tx.Rollback()
	}
	if err == nil {
		t.Fatal("an unbalanced insert committed")
	}
	var n int
	_ = e.db.Get(&n, `SELECT count(*) FROM ledger_transactions WHERE idempotency_key = 'tamper-1'`)
	if n != 0 {
		t.Fatal("the unbalanced transaction is in the books")
	}
	e.verify(t)
}

// Postings have no foreign keys (they cost throughput on the posting path), so a balanced pair of
// postings under a made-up transaction can be inserted by hand; verify must report it.
func TestVerifyReportsOrphanPostings(t *testing.T) {
	e := newEnv(t)
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "vol:1", ledger.KindVolunteer, false)
	e.verify(t)
	_, err := e.db.Exec(`INSERT INTO ledger_postings (tx_id, account_id, slot, amount, balance_after, version_after)
		SELECT 424242, id, 0, CASE WHEN kind = 'volunteer' THEN 7 ELSE -7 END, 0, 1 FROM ledger_accounts`)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.l.Verify(context.Background())
	if err != nil || rep.OK() {
		t.Fatalf("verify should report the orphan postings: %+v %v", rep, err)
	}
	found := false
	for _, p := range rep.Problems {
		found = found || strings.Contains(p, "transaction 424242")
	}
	if !found {
		t.Fatalf("no orphan problem in %v", rep.Problems)
	}
}
