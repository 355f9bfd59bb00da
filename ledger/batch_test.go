package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"timebank/ledger"
)

// batchShop opens the shop's accounts and n more volunteers, vol:2 … vol:n+1, each funded with
// minutes.
func (e *env) batchShop(t *testing.T, n int, minutes int64) []string {
	t.Helper()
	e.shop(t, minutes)
	vols := []string{holdVol}
	for i := 2; i <= n+1; i++ {
		code := fmt.Sprintf("vol:%d", i)
		e.account(t, code, ledger.KindVolunteer, false)
		e.fund(t, "org:1:issued", code, minutes)
		vols = append(vols, code)
	}
	return vols
}

func TestHoldManyThenCommitHolds(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	vols := e.batchShop(t, 1, 100) // vol:1 and vol:2, 100 minutes each
	exp := time.Now().Add(time.Hour)

	var ids []int64
	err := e.l.InTx(ctx, func(tx *ledger.Tx) error {
		avail, err := tx.Available(ctx, []string{vols[0], vols[1], "vol:404", holdStore})
		if err != nil {
			return err
		}
		if len(avail) != 2 || avail[vols[0]] != 100 || avail[vols[1]] != 100 {
			t.Errorf("available: %v, want both volunteers at 100 and nothing else", avail)
		}
		ids, err = tx.HoldMany(ctx, []ledger.HoldRequest{
			holdReq(vols[0], holdStore, 30, exp), holdReq(vols[1], holdStore, 20, exp), holdReq(vols[0], holdStore, 10, exp),
		})
		return err
	})
	if err != nil {
		t.Fatalf("hold many: %v", err)
	}
	for i, want := range []int64{30, 20, 10} {
		h, err := e.l.GetHold(ctx, ids[i])
		if err != nil || h.Amount != want || h.Status != ledger.HoldPending {
			t.Fatalf("hold %d (%d): %+v, %v; want %d pending", i, ids[i], h, err, want)
		}
	}
	e.wantBalance(t, vols[0], 100, 40)
	e.wantBalance(t, vols[1], 100, 20)

	var txs []int64
	err = e.l.InTx(ctx, func(tx *ledger.Tx) error {
		txs, err = tx.CommitHolds(ctx, ids, []int64{30, 15, 10}, []string{"clerk", "clerk", "counter"})
		return err
	})
	if err != nil {
		t.Fatalf("commit holds: %v", err)
	}
	for i, want := range []int64{30, 15, 10} {
		h, err := e.l.GetHold(ctx, ids[i])
		if err != nil || h.Status != ledger.HoldCommitted || *h.CommittedAmount != want || *h.TransactionID != txs[i] {
			t.Fatalf("hold %d: %+v, %v; want committed %d in transaction %d", i, h, err, want, txs[i])
		}
		if n := e.holdTransactions(t, ids[i]); n != 1 {
			t.Fatalf("hold %d has %d transactions", i, n)
		}
	}
	var by string
	if err := e.db.Get(&by, `SELECT created_by FROM ledger_transactions WHERE id = $1`, txs[2]); err != nil || by != "counter" {
		t.Fatalf("third transaction made by %q (%v), want counter", by, err)
	}
	e.wantBalance(t, vols[0], 60, 0)
	e.wantBalance(t, vols[1], 85, 0) // 5 of the 20 held went back
	if b := e.pgBalance(t, holdStore); b.Posted != 55 {
		t.Fatalf("store: %+v, want 55 posted", b)
	}
	sameProjection(t, e.db, e.rdb, e.prefix, holdStore)
	e.verify(t)
}

func TestHoldManyAllOrNothing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	vols := e.batchShop(t, 1, 100)
	exp := time.Now().Add(time.Hour)
	hold := func(rs ...ledger.HoldRequest) error {
		return e.l.InTx(ctx, func(tx *ledger.Tx) error { _, err := tx.HoldMany(ctx, rs); return err })
	}

	// vol:2 cannot hold 60 + 50: the batch fails as a whole and vol:1's hold is not placed either.
	err := hold(holdReq(vols[0], holdStore, 10, exp), holdReq(vols[1], holdStore, 60, exp), holdReq(vols[1], holdStore, 50, exp))
	if !errors.Is(err, ledger.ErrInsufficientFunds) {
		t.Fatalf("over the balance: %v, want ErrInsufficientFunds", err)
	}
	if err := hold(holdReq(vols[0], holdStore, 10, exp), holdReq("vol:404", holdStore, 1, exp)); !errors.Is(err, ledger.ErrAccountNotFound) {
		t.Fatalf("unknown account: %v, want ErrAccountNotFound", err)
	}
	if err := hold(holdReq(holdStore, vols[0], 10, exp)); !errors.Is(err, ledger.ErrBatch) {
		t.Fatalf("from a split account: %v, want ErrBatch", err)
	}
	dup := holdReq(vols[0], holdStore, 10, exp)
	if err := hold(dup, dup); err == nil {
		t.Fatal("one key twice in a batch was accepted")
	}
	e.wantBalance(t, vols[0], 100, 0)
	e.wantBalance(t, vols[1], 100, 0)
	var n int
	if err := e.db.Get(&n, `SELECT count(*) FROM ledger_holds`); err != nil || n != 0 {
		t.Fatalf("%d holds written by failed batches (%v)", n, err)
	}
	e.verify(t)
}

func TestCommitHoldsAllOrNothing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.shop(t, 100)
	a := e.placeHold(t, 30, time.Now().Add(time.Hour))
	b := e.placeHold(t, 20, time.Now().Add(time.Hour))
	if _, err := e.l.CommitHold(ctx, b.Hold.ID, nil, "clerk"); err != nil {
		t.Fatal(err)
	}
	commit := func(ids, amounts []int64) error {
		actors := make([]string, len(ids))
		for i := range actors {
			actors[i] = "clerk"
		}
		return e.l.InTx(ctx, func(tx *ledger.Tx) error { _, err := tx.CommitHolds(ctx, ids, amounts, actors); return err })
	}
	if err := commit([]int64{a.Hold.ID, b.Hold.ID}, []int64{30, 20}); !errors.Is(err, ledger.ErrHoldResolved) {
		t.Fatalf("with a committed hold: %v, want ErrHoldResolved", err)
	}
	if err := commit([]int64{a.Hold.ID}, []int64{31}); !errors.Is(err, ledger.ErrHoldResolved) {
		t.Fatalf("above the held amount: %v, want ErrHoldResolved", err)
	}
	if err := commit([]int64{a.Hold.ID, 1 << 40}, []int64{30, 1}); !errors.Is(err, ledger.ErrHoldNotFound) {
		t.Fatalf("with an unknown hold: %v, want ErrHoldNotFound", err)
	}
	if err := commit([]int64{a.Hold.ID, a.Hold.ID}, []int64{10, 10}); !errors.Is(err, ledger.ErrBatch) {
		t.Fatalf("one hold twice: %v, want ErrBatch", err)
	}
	if err := commit([]int64{a.Hold.ID}, []int64{0}); !errors.Is(err, ledger.ErrInvalid) {
		t.Fatalf("amount 0: %v, want ErrInvalid", err)
	}
	e.wantBalance(t, holdVol, 80, 30) // only b's commit
	if h, _ := e.l.GetHold(ctx, a.Hold.ID); h.Status != ledger.HoldPending {
		t.Fatalf("hold a after failed batches: %+v", h)
	}
	e.verify(t)
}

// Batches and single holds and commits race over the same volunteers and the split store account:
// they lock rows in the same order, so none deadlocks, and the books stay sound.
func TestBatchesRaceSingleHolds(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	vols := e.batchShop(t, 11, 1_000_000)
	exp := time.Now().Add(time.Hour)
	const workers, rounds = 16, 8
	errs := make(chan error, workers*rounds)
	together(workers, func(w int) {
		rng := rand.New(rand.NewPCG(uint64(w), 7))
		for range rounds {
			if w%4 == 0 { // a single hold, committed
				h, err := e.l.Hold(ctx, holdReq(vols[rng.IntN(len(vols))], holdStore, 1+rng.Int64N(50), exp))
				if err == nil {
					_, err = e.l.CommitHold(ctx, h.Hold.ID, nil, "clerk")
				}
				errs <- err
				continue
			}
			rs := make([]ledger.HoldRequest, 1+rng.IntN(6))
			amounts := make([]int64, len(rs))
			for i := range rs {
				rs[i] = holdReq(vols[rng.IntN(len(vols))], holdStore, 1+rng.Int64N(50), exp)
				amounts[i] = 1 + rng.Int64N(rs[i].Amount)
			}
			actors := make([]string, len(rs))
			for i := range actors {
				actors[i] = fmt.Sprintf("counter:%d", w)
			}
			var ids []int64
			err := e.l.InTx(ctx, func(tx *ledger.Tx) error {
				var err error
				ids, err = tx.HoldMany(ctx, rs)
				return err
			})
			if err == nil {
				err = e.l.InTx(ctx, func(tx *ledger.Tx) error {
					_, err := tx.CommitHolds(ctx, ids, amounts, actors)
					return err
				})
			}
			errs <- err
		}
	})
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a hold or batch failed: %v", err)
		}
	}
	var pending int
	if err := e.db.Get(&pending, `SELECT count(*) FROM ledger_holds WHERE status = 'pending'`); err != nil || pending != 0 {
		t.Fatalf("%d holds left pending (%v)", pending, err)
	}
	for _, v := range vols {
		sameProjection(t, e.db, e.rdb, e.prefix, v)
	}
	sameProjection(t, e.db, e.rdb, e.prefix, holdStore)
	e.verify(t)
}
