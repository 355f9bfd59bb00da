package ledger_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"timebank/ledger"
)

// By default the checks of balance rows read only the accounts that changed after their checkpoint
// (touched by a transaction, a hold pending or released since) and the accounts opened since; the
// total of the balances moves by the postings since. A fault in an account that did not change is
// found by --full.
func TestVerifyBalanceChecksFromCheckpoint(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.shop(t, 100)
	for _, code := range []string{"vol:2", "vol:3"} {
		e.account(t, code, ledger.KindVolunteer, false)
		e.fund(t, "org:1:issued", code, 10)
	}
	hour := time.Now().Add(time.Hour)
	if _, err := e.l.Hold(ctx, holdReq("vol:2", "store:1:redeemed", 3, hour)); err != nil {
		t.Fatal(err)
	}
	released, err := e.l.Hold(ctx, holdReq("vol:1", "store:1:redeemed", 4, hour))
	if err != nil {
		t.Fatal(err)
	}
	if problems, _, _ := e.verifyRun(t, false); problems != "" {
		t.Fatalf("clean books: %s", problems)
	}
	set := func(code, assignment string) {
		t.Helper()
		e.db.MustExec(`UPDATE ledger_balances SET `+assignment+` WHERE account_id = (SELECT id FROM ledger_accounts WHERE code = $1)`, code)
	}
	// After the checkpoint: vol:2 has a pending hold, vol:1's hold is voided, vol:9 is opened.
	set("vol:2", "pending = pending + 1")
	if _, err := e.l.VoidHold(ctx, released.Hold.ID); err != nil {
		t.Fatal(err)
	}
	set("vol:1", "pending = pending + 2")
	e.account(t, "vol:9", ledger.KindVolunteer, false)
	set("vol:9", "allow_negative = true")
	// A guarded account below zero, with the constraint that refuses it dropped.
	e.db.MustExec(`ALTER TABLE ledger_balances DROP CONSTRAINT ledger_balances_available`)
	set("vol:2", "posted = posted - 20")
	last := e.fund(t, "org:1:issued", "vol:9", 5).Transaction.ID
	e.tamperPosting(t, last, 1)
	// Below it: vol:3 did not change.
	set("vol:3", "pending = 1")

	problems, scope, _ := e.verifyRun(t, false)
	for _, want := range []string{
		"vol:2 slot 0: pending 4, pending holds sum to 3",
		"vol:1 slot 0: pending 2, pending holds sum to 0",
		"vol:9: 1 balance rows for 1 slots, allow_negative f",
		"vol:2: posted -10, pending 4",
		fmt.Sprintf("the postings of transactions %d to %d move the total of the balances by 1", last, last),
	} {
		if !strings.Contains(problems, want) {
			t.Errorf("the default run missed %q; found:\n%s", want, problems)
		}
	}
	if strings.Contains(problems, "vol:3") {
		t.Errorf("the default run read an account that did not change: %s", problems)
	}
	for _, name := range []string{"pending equals the sum of pending holds", "no guarded account is below zero",
		"balance rows match their accounts", "all balances sum to zero"} {
		if !strings.Contains(scope[name], "after checkpoint") {
			t.Errorf("%q checked %q, want what came after its checkpoint", name, scope[name])
		}
	}
	if problems, _, _ := e.verifyRun(t, true); !strings.Contains(problems, "vol:3 slot 0: pending 1, pending holds sum to 0") ||
		!strings.Contains(problems, "balances sum to -20") {
		t.Errorf("--full missed the fault below the checkpoint or the total; found:\n%s", problems)
	}
}
