package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"timebank/ledger"
	"timebank/pkg/dbtest"
)

// groupEnv is an env whose ledger is built with opt.
func groupEnv(t *testing.T, opt ledger.Options) *env {
	t.Helper()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	opt.RedisPrefix = prefix
	return &env{l: ledger.New(db, rdb, opt), db: db, rdb: rdb, prefix: prefix}
}

// groupAccounts are the accounts of the group tests: an issuer and a store (split, may go
// negative), volunteers a (100 minutes), b, poor (nothing) and c0…c9 (1,000 each).
func groupAccounts(t *testing.T, e *env) []string {
	t.Helper()
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "store:1:redeemed", ledger.KindStore, true)
	codes := []string{"org:1:issued", "store:1:redeemed"}
	for _, v := range []string{"vol:a", "vol:b", "vol:poor", "vol:gate"} {
		e.account(t, v, ledger.KindVolunteer, false)
		codes = append(codes, v)
	}
	e.fund(t, "org:1:issued", "vol:a", 100)
	e.fund(t, "org:1:issued", "vol:gate", 100)
	for i := range 10 {
		c := fmt.Sprintf("vol:c%d", i)
		e.account(t, c, ledger.KindVolunteer, false)
		e.fund(t, "org:1:issued", c, 1000)
		codes = append(codes, c)
	}
	return codes
}

func request(key string, amount int64, from, to string) ledger.TransactionRequest {
	return ledger.TransactionRequest{Kind: ledger.TxTransfer, IdempotencyKey: key, CreatedBy: "test",
		Postings: []ledger.PostingRequest{{Account: from, Amount: -amount}, {Account: to, Amount: amount}}}
}

// groupRequests are 74 requests, shuffled by seed, of which many must be refused: ten of 30 minutes
// from vol:a (which has 100), eight with one key and one request, eight with one key and two
// different requests, eight to unknown accounts, two from vol:poor to an unknown account (refused for
// the funds, as ledger_post finds them first), and 38 transfers that fit.
func groupRequests(seed uint64) []ledger.TransactionRequest {
	var rs []ledger.TransactionRequest
	for i := range 10 {
		rs = append(rs, request(fmt.Sprintf("a-%d", i), 30, "vol:a", fmt.Sprintf("vol:c%d", i)))
	}
	for range 8 {
		rs = append(rs, request("same", 5, "org:1:issued", "vol:b"))
	}
	for i := range 8 {
		rs = append(rs, request("taken", int64(7+2*(i%2)), "vol:c1", "store:1:redeemed"))
	}
	for i := range 8 {
		rs = append(rs, request(fmt.Sprintf("nobody-%d", i), 1, "vol:c2", fmt.Sprintf("vol:nobody%d", i)))
	}
	for i := range 2 {
		rs = append(rs, request(fmt.Sprintf("poor-%d", i), 1, "vol:poor", "vol:missing"))
	}
	for i := range 38 {
		to := "store:1:redeemed"
		if i%3 == 0 {
			to = fmt.Sprintf("vol:c%d", (i+1)%10)
		}
		rs = append(rs, request(fmt.Sprintf("fit-%d", i), int64(1+i%5), fmt.Sprintf("vol:c%d", i%10), to))
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	rng.Shuffle(len(rs), func(i, j int) { rs[i], rs[j] = rs[j], rs[i] })
	return rs
}

// gateRequest is posted first, alone, and waits for vol:gate's row while the others queue.
var gateRequest = request("gate", 1, "vol:gate", "vol:b")

type outcome struct {
	res ledger.Result
	err error
}

// lineUp queues the requests in their order behind a writer held on a locked balance row, then
// lets them go: they are written as one batch. It returns each one's outcome.
func lineUp(t *testing.T, e *env, rs []ledger.TransactionRequest) []outcome {
	t.Helper()
	ctx := context.Background()
	gate, err := e.db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gate.Exec(`SELECT FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id
		WHERE a.code = 'vol:gate' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	first := make(chan error, 1)
	go func() {
		_, err := e.l.Post(ctx, gateRequest)
		first <- err
	}()
	// The writer has taken it and waits for the row.
	waitFor(t, func() bool {
		var n int
		err := e.db.Get(&n, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)
		return err == nil && n == 1 && e.l.QueuedPosts() == 0
	})
	out := make([]outcome, len(rs))
	done := make(chan int, len(rs))
	for i, r := range rs {
		go func() {
			res, err := e.l.Post(ctx, r)
			out[i] = outcome{res, err}
			done <- i
		}()
		waitFor(t, func() bool { return e.l.QueuedPosts() == i+1 })
	}
	if err := gate.Rollback(); err != nil {
		t.Fatal(err)
	}
	<-first
	for range rs {
		<-done
	}
	return out
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the requests did not queue")
		}
	}
}

// A batch decides every request as ledger_post decides it alone, one after another: the same
// requests in the same order, posted in one batch on one database and one by one on another, get
// the same answers (errors, replays, balances after each posting).
func TestPostingsInGroupsAsIfAlone(t *testing.T) {
	batched := groupEnv(t, ledger.Options{PostWriters: 1, PostBatch: 128})
	alone := groupEnv(t, ledger.Options{PostWriters: 1, PostBatch: 1})
	codes := groupAccounts(t, batched)
	groupAccounts(t, alone)
	rs := groupRequests(1)

	got := lineUp(t, batched, rs)
	if s := batched.l.PostBatchStats(); s.Batches != 1 || s.Batched != uint64(len(rs)) || s.Fallbacks != 0 {
		t.Fatalf("the requests should have gone as one batch: %+v", s)
	}
	if _, err := alone.l.Post(context.Background(), gateRequest); err != nil {
		t.Fatal(err)
	}
	want := make([]outcome, len(rs))
	for i, r := range rs {
		res, err := alone.l.Post(context.Background(), r)
		want[i] = outcome{res, err}
	}
	if s := alone.l.PostBatchStats(); s.Batches != 0 {
		t.Fatalf("batches of one: %+v", s)
	}

	posted, refused := 0, 0
	txOf := map[int64]int64{} // batched transaction id → alone's
	for i := range rs {
		g, w := got[i], want[i]
		if !sameError(g.err, w.err) {
			t.Fatalf("request %d (%s): batched %v, alone %v", i, rs[i].IdempotencyKey, g.err, w.err)
		}
		if g.err != nil {
			refused++
			continue
		}
		if g.res.Replayed != w.res.Replayed {
			t.Fatalf("request %d (%s): replayed %v, alone %v", i, rs[i].IdempotencyKey, g.res.Replayed, w.res.Replayed)
		}
		if id, ok := txOf[g.res.Transaction.ID]; ok && id != w.res.Transaction.ID || !ok && g.res.Replayed {
			t.Fatalf("request %d (%s): answers transaction %d, alone %d", i, rs[i].IdempotencyKey,
				g.res.Transaction.ID, w.res.Transaction.ID)
		}
		txOf[g.res.Transaction.ID] = w.res.Transaction.ID
		if !g.res.Replayed {
			posted++
		}
		gp, wp := g.res.Transaction.Postings, w.res.Transaction.Postings
		if len(gp) != len(wp) {
			t.Fatalf("request %d: postings %+v, alone %+v", i, gp, wp)
		}
		for j := range gp {
			// A volunteer's one balance row is its balance; a split account's rows are picked at random.
			one := strings.HasPrefix(gp[j].Account, "vol:")
			if gp[j].Account != wp[j].Account || gp[j].Amount != wp[j].Amount ||
				one && (gp[j].VersionAfter != wp[j].VersionAfter || gp[j].BalanceAfter != wp[j].BalanceAfter) {
				t.Fatalf("request %d posting %d: %+v, alone %+v", i, j, gp[j], wp[j])
			}
		}
	}
	// vol:a pays three of its ten, "same" posts once, "taken" once, the 38 that fit: 43; refused:
	// seven from vol:a, four of "taken", eight to nobody, two from vol:poor.
	if posted != 43 || refused != 21 {
		t.Fatalf("posted %d, refused %d; want 43 and 21", posted, refused)
	}
	for _, c := range codes {
		b, a := batched.pgBalance(t, c), alone.pgBalance(t, c)
		if b.Posted != a.Posted || b.Pending != a.Pending || b.Version != a.Version {
			t.Fatalf("%s: batched %+v, alone %+v", c, b, a)
		}
		sameProjection(t, batched.db, batched.rdb, batched.prefix, c)
	}
	batched.verify(t)
	alone.verify(t)
}

// sameError says whether two errors are the same answer: both nil, or the same ledger error about
// the same account.
func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	for _, e := range []error{ledger.ErrInsufficientFunds, ledger.ErrAccountNotFound, ledger.ErrIdempotencyConflict} {
		if errors.Is(a, e) || errors.Is(b, e) {
			return errors.Is(a, e) && errors.Is(b, e) && ledger.AccountOf(a) == ledger.AccountOf(b)
		}
	}
	return false
}

// Many requests at once on real connections, with the default writers: each answer is one the
// request could have had alone in some order, and the books hold.
func TestPostingsInGroupsRace(t *testing.T) {
	e := newEnv(t)
	codes := groupAccounts(t, e)
	rs := groupRequests(2)
	out := make([]outcome, len(rs))
	together(len(rs), func(i int) {
		res, err := e.l.Post(context.Background(), rs[i])
		out[i] = outcome{res, err}
	})
	count := map[string]int{}
	ids := map[string][]int64{}
	for i, o := range out {
		k := rs[i].IdempotencyKey
		what := strings.SplitN(k, "-", 2)[0]
		switch {
		case o.err == nil && o.res.Replayed:
			count["replayed "+what]++
			ids[k] = append(ids[k], o.res.Transaction.ID)
		case o.err == nil:
			count["posted "+what]++
			ids[k] = append(ids[k], o.res.Transaction.ID)
		case errors.Is(o.err, ledger.ErrInsufficientFunds):
			count["funds "+ledger.AccountOf(o.err)]++
		case errors.Is(o.err, ledger.ErrAccountNotFound) && ledger.AccountOf(o.err) == rs[i].Postings[1].Account:
			count["unknown"]++
		case errors.Is(o.err, ledger.ErrIdempotencyConflict) && k == "taken":
			count["conflict"]++
		default:
			t.Fatalf("request %d (%s): %v", i, k, o.err)
		}
	}
	want := map[string]int{"posted a": 3, "funds vol:a": 7, "posted same": 1, "replayed same": 7, "posted taken": 1,
		"replayed taken": 3, "conflict": 4, "unknown": 8, "funds vol:poor": 2, "posted fit": 38}
	if !maps.Equal(count, want) {
		t.Fatalf("answers %v, want %v", count, want)
	}
	for k, v := range ids {
		if slices.Min(v) != slices.Max(v) {
			t.Fatalf("key %s answered transactions %v", k, v)
		}
	}
	if b := e.pgBalance(t, "vol:a"); b.Posted != 10 {
		t.Fatalf("vol:a: %+v", b)
	}
	for _, c := range codes {
		sameProjection(t, e.db, e.rdb, e.prefix, c)
	}
	e.verify(t)
}
