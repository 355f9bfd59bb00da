package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"timebank/ledger"
)

// defaultPropertySeed is used unless LEDGER_SEED names another one.
const defaultPropertySeed = 20240611

// TestPropertyRandomOperations runs random transfers (some overdrawing on purpose), holds with short
// and long expiry, full, partial and excessive commits, voids, reversals, replays and idempotency
// conflicts from 16 goroutines. Only the errors each operation may legitimately meet are tolerated.
// Afterwards every account's posted balance equals what a model built from the successful results
// says, every invariant verifies and the balances sum to zero. LEDGER_SEED=<n> repeats a run's
// choices (the interleaving of the goroutines is up to the scheduler).
func TestPropertyRandomOperations(t *testing.T) {
	seed := uint64(defaultPropertySeed)
	if s := os.Getenv("LEDGER_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("LEDGER_SEED=%q is not an unsigned integer", s)
		}
		seed = v
	}
	t.Logf("LEDGER_SEED=%d", seed)

	e := newEnv(t)
	ctx := context.Background()
	const (
		issuer     = "org:1:issued"
		shopAcc    = "store:1:redeemed"
		volunteers = 20
		goroutines = 16
		opsEach    = 150
	)
	e.account(t, issuer, ledger.KindIssuer, true)
	e.account(t, shopAcc, ledger.KindStore, true)
	accounts := []string{issuer, shopAcc}
	vols := make([]string, volunteers)
	for i := range vols {
		vols[i] = fmt.Sprintf("vol:%d", i)
		e.account(t, vols[i], ledger.KindVolunteer, false)
		e.fund(t, issuer, vols[i], 200)
		accounts = append(accounts, vols[i])
	}

	type txRec struct {
		id       int64
		reversal bool
	}
	type postRec struct {
		req ledger.TransactionRequest
		id  int64
	}
	type holdRec struct {
		id     int64
		amount int64
		req    ledger.HoldRequest
		long   bool
	}
	var (
		mu      sync.Mutex
		model   = map[string]int64{} // posted balance per account, from the results of fresh writes
		fresh   = map[int64]bool{}   // ids of transactions reported as freshly posted
		txs     []txRec
		posts   []postRec
		holds   []holdRec
		reverse = map[int64]int64{} // original → reversal, as reported
	)
	for _, a := range accounts {
		model[a] = e.pgBalance(t, a).Posted
	}
	// applyFresh books a freshly posted transaction into the model; a transaction id reported fresh
	// twice means something was posted twice.
	applyFresh := func(tx ledger.Transaction, reversal bool) {
		mu.Lock()
		defer mu.Unlock()
		if fresh[tx.ID] {
			t.Errorf("transaction %d was reported as freshly posted twice", tx.ID)
		}
		fresh[tx.ID] = true
		var sum int64
		for _, p := range tx.Postings {
			model[p.Account] += p.Amount
			sum += p.Amount
		}
		if sum != 0 || len(tx.Postings) < 2 {
			t.Errorf("transaction %d reported with unbalanced postings %+v", tx.ID, tx.Postings)
		}
		txs = append(txs, txRec{id: tx.ID, reversal: reversal})
	}

	stats := map[string]*opTally{}
	for _, op := range []string{"transfer", "overdraw", "multi", "hold", "commit", "overcommit", "void", "reverse",
		"replay", "conflict", "replay-hold", "expire", "read"} {
		stats[op] = &opTally{}
	}
	// outcome records the result of one operation and fails the test on any error not allowed for it.
	outcome := func(op string, err error, allowed ...error) {
		if err == nil {
			stats[op].ok.Add(1)
			return
		}
		for _, a := range allowed {
			if errors.Is(err, a) {
				stats[op].refused.Add(1)
				return
			}
		}
		t.Errorf("%s: unexpected error: %v", op, err)
	}
	randomOther := func(rng *rand.Rand, not string) string {
		for {
			if a := accounts[rng.IntN(len(accounts))]; a != not {
				return a
			}
		}
	}

	start := time.Now()
	together(goroutines, func(g int) {
		rng := rand.New(rand.NewPCG(seed, uint64(g)))
		for range opsEach {
			switch n := rng.IntN(100); {
			case n < 18: // a transfer between two random accounts
				from := accounts[rng.IntN(len(accounts))]
				if rng.IntN(10) < 7 {
					from = vols[rng.IntN(len(vols))]
				}
				req := transfer(from, randomOther(rng, from), 1+rng.Int64N(40))
				res, err := e.l.Post(ctx, req)
				outcome("transfer", err, ledger.ErrInsufficientFunds)
				if err == nil {
					if res.Replayed {
						t.Errorf("a fresh key was replayed: %+v", res)
					}
					applyFresh(res.Transaction, false)
					mu.Lock()
					posts = append(posts, postRec{req: req, id: res.Transaction.ID})
					mu.Unlock()
				}
			case n < 24: // a volunteer spends more than it has, on purpose
				from := vols[rng.IntN(len(vols))]
				b, err := e.l.PostgresBalance(ctx, from)
				if err != nil {
					t.Errorf("balance: %v", err)
					continue
				}
				res, err := e.l.Post(ctx, transfer(from, randomOther(rng, from), b.Available+1+rng.Int64N(20)))
				outcome("overdraw", err, ledger.ErrInsufficientFunds)
				if err == nil { // credits arrived in between
					applyFresh(res.Transaction, false)
				}
			case n < 30: // three or four legs summing to zero
				k := 3 + rng.IntN(2)
				perm := rng.Perm(len(accounts))[:k]
				req := ledger.TransactionRequest{Kind: []string{ledger.TxTransfer, ledger.TxDonate, ledger.TxAdjust}[rng.IntN(3)],
					IdempotencyKey: key(), CreatedBy: "prop", Memo: "multi-leg"}
				amts := make([]int64, k)
				for amts[k-1] == 0 { // k-1 random non-zero amounts in ±30, the last one balances them
					for i := range k - 1 {
						if amts[i] = rng.Int64N(60) - 30; amts[i] >= 0 {
							amts[i]++
						}
						amts[k-1] -= amts[i]
					}
				}
				for i, p := range perm {
					req.Postings = append(req.Postings, ledger.PostingRequest{Account: accounts[p], Amount: amts[i]})
				}
				res, err := e.l.Post(ctx, req)
				if errors.Is(err, ledger.ErrInvalid) {
					t.Errorf("the test built an invalid request %+v: %v", req.Postings, err)
					continue
				}
				outcome("multi", err, ledger.ErrInsufficientFunds)
				if err == nil {
					applyFresh(res.Transaction, false)
					mu.Lock()
					posts = append(posts, postRec{req: req, id: res.Transaction.ID})
					mu.Unlock()
				}
			case n < 46: // a hold, short or long
				from := vols[rng.IntN(len(vols))]
				if rng.IntN(10) == 0 {
					from = issuer // a hold on a split account
				}
				to := shopAcc
				if rng.IntN(4) == 0 {
					to = randomOther(rng, from)
				}
				long := rng.IntN(2) == 0
				exp := time.Now().Add(time.Duration(100+rng.IntN(500)) * time.Millisecond)
				if long {
					exp = time.Now().Add(time.Hour)
				}
				req := holdReq(from, to, 1+rng.Int64N(40), exp)
				res, err := e.l.Hold(ctx, req)
				outcome("hold", err, ledger.ErrInsufficientFunds)
				if err == nil {
					// A short hold may be past its expiry when the answer is read back on a busy
					// machine, and the expiry worker (below) may have taken it already.
					expired := !long && res.Hold.Status == ledger.HoldExpired && !time.Now().Before(exp)
					if res.Replayed || res.Hold.Status != ledger.HoldPending && !expired {
						t.Errorf("fresh hold: %+v", res)
					}
					mu.Lock()
					holds = append(holds, holdRec{id: res.Hold.ID, amount: req.Amount, req: req, long: long})
					mu.Unlock()
				}
			case n < 58: // commit a hold: all of it, part of it, or more than it holds
				mu.Lock()
				if len(holds) == 0 {
					mu.Unlock()
					continue
				}
				h := holds[rng.IntN(len(holds))]
				mu.Unlock()
				var amount *int64
				switch c := rng.IntN(20); {
				case c < 3:
					over := h.amount + 1 + rng.Int64N(5)
					_, err := e.l.CommitHold(ctx, h.id, &over, "prop")
					if err == nil {
						t.Errorf("hold %d of %d committed %d", h.id, h.amount, over)
					}
					outcome("overcommit", err, ledger.ErrInvalid, ledger.ErrHoldResolved, ledger.ErrHoldExpired)
					continue
				case c < 11:
					part := 1 + rng.Int64N(h.amount)
					amount = &part
				}
				res, err := e.l.CommitHold(ctx, h.id, amount, "prop")
				outcome("commit", err, ledger.ErrHoldResolved, ledger.ErrHoldExpired)
				if err != nil {
					continue
				}
				want := h.amount
				if amount != nil {
					want = *amount
				}
				tx := res.Transaction
				if tx.HoldID == nil || *tx.HoldID != h.id || len(tx.Postings) != 2 {
					t.Errorf("commit of hold %d: %+v", h.id, tx)
					continue
				}
				for _, p := range tx.Postings {
					if (p.Account == h.req.From && p.Amount != -want) || (p.Account == h.req.To && p.Amount != want) {
						t.Errorf("commit of hold %d for %d posted %+v", h.id, want, tx.Postings)
					}
				}
				if !res.Replayed {
					applyFresh(tx, false)
				}
			case n < 64: // void a hold
				mu.Lock()
				if len(holds) == 0 {
					mu.Unlock()
					continue
				}
				h := holds[rng.IntN(len(holds))]
				mu.Unlock()
				res, err := e.l.VoidHold(ctx, h.id)
				outcome("void", err, ledger.ErrHoldResolved)
				if err == nil && res.Hold.Status != ledger.HoldVoided {
					t.Errorf("void of hold %d: %+v", h.id, res)
				}
			case n < 73: // reverse an earlier transaction (reversals included: not reversible)
				mu.Lock()
				if len(txs) == 0 {
					mu.Unlock()
					continue
				}
				rec := txs[rng.IntN(len(txs))]
				mu.Unlock()
				res, err := e.l.Reverse(ctx, rec.id, "prop", "")
				if rec.reversal {
					if !errors.Is(err, ledger.ErrNotReversible) {
						t.Errorf("reversing reversal %d: want ErrNotReversible, got %v", rec.id, err)
					}
					outcome("reverse", err, ledger.ErrNotReversible)
					continue
				}
				outcome("reverse", err, ledger.ErrInsufficientFunds, ledger.ErrAlreadyReversed)
				if err != nil {
					continue
				}
				if res.Transaction.Reverses == nil || *res.Transaction.Reverses != rec.id {
					t.Errorf("reversal of %d: %+v", rec.id, res.Transaction)
				}
				mu.Lock()
				if prev, ok := reverse[rec.id]; ok && prev != res.Transaction.ID {
					t.Errorf("transaction %d reversed by both %d and %d", rec.id, prev, res.Transaction.ID)
				}
				reverse[rec.id] = res.Transaction.ID
				mu.Unlock()
				if !res.Replayed {
					applyFresh(res.Transaction, true)
				}
			case n < 82: // replay an earlier request; now and then the same key with another body
				mu.Lock()
				if len(posts) == 0 {
					mu.Unlock()
					continue
				}
				p := posts[rng.IntN(len(posts))]
				mu.Unlock()
				req := p.req
				if rng.IntN(5) == 0 {
					req.Postings = append([]ledger.PostingRequest(nil), req.Postings...)
					if req.Postings[0].Amount != 1 && req.Postings[1].Amount != -1 {
						req.Postings[0].Amount--
						req.Postings[1].Amount++
					} else {
						req.Memo += " changed"
					}
					_, err := e.l.Post(ctx, req)
					if err == nil {
						t.Errorf("key %s reused with another body was accepted", req.IdempotencyKey)
					}
					outcome("conflict", err, ledger.ErrIdempotencyConflict)
					continue
				}
				res, err := e.l.Post(ctx, req)
				outcome("replay", err)
				if err == nil && (!res.Replayed || res.Transaction.ID != p.id) {
					t.Errorf("replay of transaction %d: replayed %v id %d", p.id, res.Replayed, res.Transaction.ID)
				}
			case n < 86: // replay an earlier long hold request
				mu.Lock()
				var h holdRec
				if len(holds) > 0 {
					h = holds[rng.IntN(len(holds))]
				}
				mu.Unlock()
				if !h.long {
					continue
				}
				res, err := e.l.Hold(ctx, h.req)
				outcome("replay-hold", err)
				if err == nil && (!res.Replayed || res.Hold.ID != h.id) {
					t.Errorf("replay of hold %d: %+v", h.id, res)
				}
			case n < 92: // the expiry worker runs meanwhile
				_, err := e.l.ExpireHolds(ctx, 50)
				outcome("expire", err)
			default: // reads
				a := accounts[rng.IntN(len(accounts))]
				b, err := e.l.Balance(ctx, a)
				outcome("read", err)
				if err == nil && b.Account != a {
					t.Errorf("balance of %s: %+v", a, b)
				}
			}
		}
	})
	t.Logf("%d operations in %v", goroutines*opsEach, time.Since(start).Round(time.Millisecond))
	checkOpStats(t, stats)

	expireShortHolds(t, e)

	e.verify(t)
	var sum int64
	if err := e.db.Get(&sum, `SELECT coalesce(sum(posted), 0) FROM ledger_balances`); err != nil || sum != 0 {
		t.Fatalf("balances sum to %d (%v)", sum, err)
	}
	// Each account's posted balance is what the successful writes reported, no more, no less.
	for _, a := range accounts {
		if b := e.pgBalance(t, a); b.Posted != model[a] {
			t.Errorf("%s: postgres has %d, the results add up to %d", a, b.Posted, model[a])
		}
	}
	var n int
	if err := e.db.Get(&n, `SELECT count(*) FROM ledger_transactions`); err != nil || n != len(fresh)+volunteers {
		t.Errorf("%d transactions in the books, %d reported fresh (+%d fundings) (%v)", n, len(fresh), volunteers, err)
	}
	// A committed hold posted exactly its committed amount.
	if err := e.db.Get(&n, `SELECT count(*) FROM ledger_holds h JOIN ledger_postings p ON p.tx_id = h.tx_id
		WHERE h.status = 'committed' AND p.account_id = h.to_account AND p.amount <> h.committed_amount`); err != nil || n != 0 {
		t.Errorf("%d committed holds posted another amount (%v)", n, err)
	}
}
