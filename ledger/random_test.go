package ledger_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"timebank/ledger"
)

// TestRandomOperationsKeepTheBooks runs random transfers, holds, commits, voids, reversals and
// replays from many goroutines, then checks every invariant. LEDGER_SEED repeats a run.
func TestRandomOperationsKeepTheBooks(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("LEDGER_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("LEDGER_SEED=%d", seed)
	e := newEnv(t)
	ctx := context.Background()
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "store:1:redeemed", ledger.KindStore, true)
	accounts := []string{"org:1:issued", "store:1:redeemed"}
	for i := range 20 {
		code := "vol:" + strconv.Itoa(i)
		e.account(t, code, ledger.KindVolunteer, false)
		e.fund(t, "org:1:issued", code, 50)
		accounts = append(accounts, code)
	}
	expected := func(err error) bool {
		for _, want := range []error{ledger.ErrInsufficientFunds, ledger.ErrHoldResolved, ledger.ErrHoldExpired,
			ledger.ErrAlreadyReversed, ledger.ErrNotReversible, ledger.ErrIdempotencyConflict} {
			if errors.Is(err, want) {
				return true
			}
		}
		return false
	}
	var (
		mu    sync.Mutex
		txs   []int64
		holds []int64
		reqs  []ledger.TransactionRequest
	)
	pick := func(rng *rand.Rand, shared *[]int64) (int64, bool) {
		mu.Lock()
		defer mu.Unlock()
		xs := *shared
		if len(xs) == 0 {
			return 0, false
		}
		return xs[rng.IntN(len(xs))], true
	}
	raceN(16, func(g int) {
		rng := rand.New(rand.NewPCG(seed, uint64(g)))
		for range 120 {
			var err error
			switch op := rng.IntN(10); {
			case op < 4:
				from, to := accounts[rng.IntN(len(accounts))], accounts[rng.IntN(len(accounts))]
				if from == to {
					continue
				}
				r := transfer(from, to, 1+rng.Int64N(40))
				var res ledger.Result
				if res, err = e.l.Post(ctx, r); err == nil {
					mu.Lock()
					txs, reqs = append(txs, res.Transaction.ID), append(reqs, r)
					mu.Unlock()
				}
			case op < 6:
				var res ledger.HoldResult
				from := accounts[2+rng.IntN(20)]
				exp := time.Now().Add(time.Duration(50+rng.IntN(3000)) * time.Millisecond)
				if res, err = e.hold(t, from, "store:1:redeemed", 1+rng.Int64N(30), exp); err == nil {
					mu.Lock()
					holds = append(holds, res.Hold.ID)
					mu.Unlock()
				}
			case op < 7:
				if id, ok := pick(rng, &holds); ok {
					amt := 1 + rng.Int64N(5)
					_, err = e.l.CommitHold(ctx, id, &amt, "test")
				}
			case op < 8:
				if id, ok := pick(rng, &holds); ok {
					_, err = e.l.VoidHold(ctx, id)
				}
			case op < 9:
				if id, ok := pick(rng, &txs); ok {
					_, err = e.l.Reverse(ctx, id, "test", "")
				}
			default:
				mu.Lock()
				var r ledger.TransactionRequest
				if len(reqs) > 0 {
					r = reqs[rng.IntN(len(reqs))]
				}
				mu.Unlock()
				if r.IdempotencyKey != "" {
					var res ledger.Result
					if res, err = e.l.Post(ctx, r); err == nil && !res.Replayed {
						t.Errorf("a replayed request posted again: %+v", res)
					}
				}
			}
			if err != nil && !expected(err) && !errors.Is(err, ledger.ErrInvalid) {
				t.Errorf("unexpected error: %v", err)
			}
		}
	})
	time.Sleep(100 * time.Millisecond)
	if _, err := e.l.ExpireHolds(ctx, 10000); err != nil {
		t.Fatal(err)
	}
	e.verify(t)
	var sum int64
	if err := e.db.Get(&sum, `SELECT coalesce(sum(posted), 0) FROM ledger_balances`); err != nil || sum != 0 {
		t.Fatalf("balances sum to %d (%v)", sum, err)
	}
}
