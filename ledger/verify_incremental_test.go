package ledger_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"timebank/ledger"
	"timebank/pkg/invariant"
)

// A transaction newer than the settling time is checked but not passed by the checkpoint: the next
// run checks it again, and finds a fault made in it after the first run.
func TestVerifySettle(t *testing.T) {
	e := newEnv(t)
	e.shop(t, 100)
	e.account(t, "vol:2", ledger.KindVolunteer, false)
	old := e.fund(t, "org:1:issued", "vol:2", 10).Transaction.ID
	// The first transactions are an hour old: settled.
	e.db.MustExec(`ALTER TABLE ledger_transactions DISABLE TRIGGER USER`)
	e.db.MustExec(`UPDATE ledger_transactions SET created_at = created_at - interval '1 hour' WHERE id <= $1`, old)
	e.db.MustExec(`ALTER TABLE ledger_transactions ENABLE TRIGGER USER`)
	fresh := e.fund(t, "org:1:issued", "vol:2", 20).Transaction.ID
	run := func() (string, map[string]string) {
		var problems []string
		scope := map[string]string{}
		opt := invariant.Options{Jobs: 2, Ranges: 4, Settle: 10 * time.Minute}
		if err := invariant.Verify(context.Background(), e.db, ledger.Checks, opt, func(r invariant.Result) {
			problems = append(problems, r.Problems...)
			scope[r.Name] = r.Scope
		}); err != nil {
			t.Fatal(err)
		}
		return strings.Join(problems, "\n"), scope
	}
	if problems, _ := run(); problems != "" {
		t.Fatalf("clean books: %s", problems)
	}
	if cp := e.checkpoint(t, "ledger: zero-sum"); cp < old || cp >= fresh {
		t.Fatalf("the checkpoint is at %d: want the settled transaction %d, not the fresh %d", cp, old, fresh)
	}
	e.tamperPosting(t, fresh, 1)
	problems, scope := run()
	if !strings.Contains(problems, fmt.Sprintf("transaction %d: 2 postings summing to 1", fresh)) {
		t.Fatalf("a fault in a transaction newer than the settling time was missed on the next run:\n%s\n%v", problems, scope)
	}
	if got := scope["every transaction has two or more postings summing to zero"]; !strings.Contains(got, "after checkpoint") {
		t.Errorf("the second run checked %q, want what came after the checkpoint", got)
	}
}

// By default the comparison with Redis reads the accounts the transactions after its checkpoint
// touched (and a sample of the others); --full reads every account.
func TestVerifyRedisFromCheckpoint(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.shop(t, 100)
	e.account(t, "vol:2", ledger.KindVolunteer, false)
	e.account(t, "vol:3", ledger.KindVolunteer, false)
	e.fund(t, "org:1:issued", "vol:2", 10)
	e.fund(t, "org:1:issued", "vol:3", 10)
	opt := invariant.Options{Jobs: 2}
	compare := func(full bool, sample int) ([]string, string) {
		t.Helper()
		opt.Full = full
		problems, scope, err := e.l.VerifyRedisSince(ctx, opt, sample, nil)
		if err != nil {
			t.Fatal(err)
		}
		return problems, scope
	}
	if problems, scope := compare(false, 0); len(problems) != 0 || scope != "all" {
		t.Fatalf("first run (no checkpoint): %v over %q, want nothing over all", problems, scope)
	}
	// Below the checkpoint: vol:3's projection is lost, and no new transaction touches it.
	forget(t, e.rdb, e.prefix, "vol:3")
	// After it: vol:2 is credited, and its projection then lost.
	e.fund(t, "org:1:issued", "vol:2", 5)
	forget(t, e.rdb, e.prefix, "vol:2")
	problems, scope := compare(false, 0)
	joined := strings.Join(problems, "\n")
	if !strings.Contains(joined, "vol:2: redis missing") || !strings.Contains(scope, "after checkpoint") {
		t.Fatalf("a lost projection of a touched account was missed: %v over %q", problems, scope)
	}
	if strings.Contains(joined, "vol:3") {
		t.Fatalf("without a sample the default run read an account no new transaction touched: %v", problems)
	}
	// The sample reads the others (here it draws more than there are accounts: all of them).
	if problems, _ := compare(false, 1000); !strings.Contains(strings.Join(problems, "\n"), "vol:3: redis missing") {
		t.Fatalf("the sample missed a lost projection: %v", problems)
	}
	problems, scope = compare(true, 0)
	if joined := strings.Join(problems, "\n"); scope != "all" || !strings.Contains(joined, "vol:3: redis missing") ||
		!strings.Contains(joined, "vol:2: redis missing") {
		t.Fatalf("--full: %v over %q, want both lost projections over all", problems, scope)
	}
}

// A hold voided after the checkpoint changes its account's pending minutes without a transaction:
// the default comparison still reads that account.
func TestVerifyRedisRevisitsReleasedHolds(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.shop(t, 100)
	e.account(t, "vol:2", ledger.KindVolunteer, false)
	e.fund(t, "org:1:issued", "vol:2", 10)
	held, err := e.l.Hold(ctx, holdReq("vol:2", "store:1:redeemed", 4, time.Now().Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	opt := invariant.Options{Jobs: 2}
	if problems, scope, err := e.l.VerifyRedisSince(ctx, opt, 0, nil); err != nil || len(problems) != 0 || scope != "all" {
		t.Fatalf("first run: %v over %q (%v), want nothing over all", problems, scope, err)
	}
	if _, err := e.l.VoidHold(ctx, held.Hold.ID); err != nil {
		t.Fatal(err)
	}
	forget(t, e.rdb, e.prefix, "vol:2")
	problems, scope, err := e.l.VerifyRedisSince(ctx, opt, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(problems, "\n"), "vol:2: redis missing") || !strings.Contains(scope, "after checkpoint") {
		t.Fatalf("the account of a hold voided after the checkpoint was not compared: %v over %q", problems, scope)
	}
}
