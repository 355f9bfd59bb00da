package ledger_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"timebank/ledger"
	"timebank/pkg/invariant"
)

// verifyRun runs the ledger's checks as `timebank verify` does, two at a time in four ranges each,
// nothing left to settle, and returns the problems, each check's scope and the progress written.
func (e *env) verifyRun(t *testing.T, full bool) (string, map[string]string, string) {
	t.Helper()
	var progress strings.Builder
	var problems []string
	scope := map[string]string{}
	opt := invariant.Options{Jobs: 2, Ranges: 4, Full: full, Progress: &progress}
	err := invariant.Verify(context.Background(), e.db, ledger.Checks, opt, func(r invariant.Result) {
		problems = append(problems, r.Problems...)
		scope[r.Name] = r.Scope
	})
	if err != nil {
		t.Fatalf("verify: %v\n%s", err, progress.String())
	}
	if len(scope) != len(ledger.Checks) {
		t.Fatalf("verify reported %d checks of %d: %v", len(scope), len(ledger.Checks), scope)
	}
	return strings.Join(problems, "\n"), scope, progress.String()
}

// tamperPosting changes the amount of transaction tx's credit as someone holding the table's keys
// would (its guarding triggers off), by delta.
func (e *env) tamperPosting(t *testing.T, tx, delta int64) {
	t.Helper()
	db := e.db.MustBegin()
	db.MustExec(`ALTER TABLE ledger_postings DISABLE TRIGGER USER`)
	if res, err := db.Exec(`UPDATE ledger_postings SET amount = amount + $2 WHERE tx_id = $1 AND amount > 0`, tx, delta); err != nil {
		t.Fatal(err)
	} else if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("tampering with transaction %d changed %d postings", tx, n)
	}
	db.MustExec(`ALTER TABLE ledger_postings ENABLE TRIGGER USER`)
	if err := db.Commit(); err != nil {
		t.Fatal(err)
	}
}

func (e *env) checkpoint(t *testing.T, name string) int64 {
	t.Helper()
	var upto int64
	if err := e.db.Get(&upto, `SELECT coalesce((SELECT upto FROM verify_checkpoints WHERE name = $1), -1)`, name); err != nil {
		t.Fatal(err)
	}
	return upto
}

// The checks cut into ranges cover every id: a fault in the last transaction of the last account is
// found, and it is in the last range of both cuts.
func TestVerifyRangesFindAFaultInTheLastRange(t *testing.T) {
	e := newEnv(t)
	e.shop(t, 100)
	for i := range 6 {
		e.account(t, fmt.Sprintf("vol:%d", i+2), ledger.KindVolunteer, false)
		e.fund(t, "org:1:issued", fmt.Sprintf("vol:%d", i+2), int64(10+i))
	}
	if problems, _, progress := e.verifyRun(t, true); problems != "" {
		t.Fatalf("clean books: %s", problems)
	} else if !strings.Contains(progress, "range 4 of 4") {
		t.Fatalf("the checks did not run in four ranges:\n%s", progress)
	}
	last := e.fund(t, "org:1:issued", "vol:7", 5).Transaction.ID
	e.tamperPosting(t, last, 1)
	// And the last account's balance row, as its running balances' end.
	e.db.MustExec(`UPDATE ledger_balances SET posted = posted + 2 WHERE account_id = (SELECT id FROM ledger_accounts WHERE code = 'vol:7')`)
	problems, _, progress := e.verifyRun(t, true)
	for _, want := range []string{
		fmt.Sprintf("transaction %d: 2 postings summing to 1", last),
		"vol:7 slot 0: balance 22, postings sum to 21",
		"balance_after 20, previous 15, amount 6",
		"vol:7 slot 0: last running balance 20/version 2, balance row 22/version 2",
	} {
		if !strings.Contains(problems, want) {
			t.Errorf("verify missed %q; found:\n%s\nprogress:\n%s", want, problems, progress)
		}
	}
}

// By default verify checks what came after its checkpoint; the checkpoint moves only after a clean
// check, a checkpoint whose transaction changed is not trusted, and --full finds a fault below it.
func TestVerifyCheckpoint(t *testing.T) {
	e := newEnv(t)
	e.shop(t, 100)
	e.account(t, "vol:2", ledger.KindVolunteer, false)
	first := e.fund(t, "org:1:issued", "vol:2", 10).Transaction.ID
	e.fund(t, "org:1:issued", "vol:2", 20)
	const zeroSum = "ledger: zero-sum"
	if problems, _, _ := e.verifyRun(t, false); problems != "" {
		t.Fatalf("clean books: %s", problems)
	}
	cp := e.checkpoint(t, zeroSum)
	if cp < first+1 {
		t.Fatalf("after a clean check the checkpoint is at %d, want the last transaction %d or later", cp, first+1)
	}

	// A fault after the checkpoint is found, and the checkpoint stays.
	after := e.fund(t, "org:1:issued", "vol:1", 5).Transaction.ID
	e.tamperPosting(t, after, 1)
	problems, scope, _ := e.verifyRun(t, false)
	if !strings.Contains(problems, fmt.Sprintf("transaction %d:", after)) {
		t.Fatalf("a fault after the checkpoint was missed:\n%s", problems)
	}
	if got := scope["every transaction has two or more postings summing to zero"]; !strings.Contains(got, "after checkpoint") {
		t.Errorf("the zero-sum check ran over %q, want only what came after the checkpoint", got)
	}
	if got := e.checkpoint(t, zeroSum); got != cp {
		t.Fatalf("the checkpoint moved from %d to %d after a check that found a fault", cp, got)
	}
	e.tamperPosting(t, after, -1)
	if problems, _, _ := e.verifyRun(t, false); problems != "" {
		t.Fatalf("put right: %s", problems)
	}
	if got := e.checkpoint(t, zeroSum); got < after {
		t.Fatalf("after a clean check the checkpoint is at %d, want %d", got, after)
	}

	// A fault below the checkpoint is left to --full (the default reads only what came after),
	// which finds it and does not move the checkpoint.
	e.tamperPosting(t, first, 1)
	cp = e.checkpoint(t, zeroSum)
	if problems, _, _ := e.verifyRun(t, false); strings.Contains(problems, fmt.Sprintf("transaction %d:", first)) {
		t.Logf("the default run found the fault below the checkpoint too: %s", problems)
	}
	e.fund(t, "org:1:issued", "vol:1", 1) // something after the checkpoint that the run could pass
	problems, _, _ = e.verifyRun(t, true)
	if !strings.Contains(problems, fmt.Sprintf("transaction %d: 2 postings summing to 1", first)) {
		t.Fatalf("--full missed a fault below the checkpoint:\n%s", problems)
	}
	if got := e.checkpoint(t, zeroSum); got != cp {
		t.Fatalf("a full check that found a fault moved the checkpoint from %d to %d", cp, got)
	}

	// A change to the checkpoint's own transaction makes the default run check everything.
	e.tamperPosting(t, cp, 1)
	problems, scope, _ = e.verifyRun(t, false)
	if !strings.Contains(problems, fmt.Sprintf("transaction %d:", cp)) || !strings.Contains(problems, fmt.Sprintf("transaction %d:", first)) {
		t.Fatalf("with its checkpoint changed the default run should check all:\n%s\n%v", problems, scope)
	}
}
