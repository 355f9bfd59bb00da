package ledger_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lib/pq"

	"timebank/ledger"
)

// tamperBooks opens accounts with some history: postings, a reversal, a committed, a voided and a
// pending hold. It returns the ids of the three holds.
func tamperBooks(t *testing.T, e *env) (committed, voided, pending int64) {
	t.Helper()
	ctx := context.Background()
	e.shop(t, 100)
	orig := e.fund(t, "org:1:issued", "vol:1", 30)
	if _, err := e.l.Reverse(ctx, orig.Transaction.ID, "test", ""); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	var ids [3]int64
	for i := range ids {
		h, err := e.l.Hold(ctx, holdReq("vol:1", "store:1:redeemed", 10, later))
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = h.Hold.ID
	}
	if _, err := e.l.CommitHold(ctx, ids[0], nil, "clerk"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.l.VoidHold(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	e.verify(t)
	return ids[0], ids[1], ids[2]
}

func pqError(t *testing.T, err error) *pq.Error {
	t.Helper()
	var pe *pq.Error
	if !errors.As(err, &pe) {
		t.Fatalf("want a PostgreSQL error, got %v", err)
	}
	return pe
}

// Posted history, accounts and holds refuse direct changes: each statement fails with the
// append-only error (TB009), changes nothing, and the books still verify.
func TestTamperHistoryIsAppendOnly(t *testing.T) {
	e := newEnv(t)
	committed, voided, _ := tamperBooks(t, e)
	for _, stmt := range []string{
		`UPDATE ledger_postings SET amount = amount * 2`,
		`UPDATE ledger_postings SET amount = 1000 WHERE amount > 0`,
		`DELETE FROM ledger_postings`,
		`DELETE FROM ledger_postings WHERE amount < 0`,
		`TRUNCATE ledger_postings`,
		`TRUNCATE ledger_postings CASCADE`,
		`UPDATE ledger_transactions SET memo = 'changed'`,
		`UPDATE ledger_transactions SET created_by = 'someone else' WHERE kind = 'reverse'`,
		`DELETE FROM ledger_transactions`,
		`DELETE FROM ledger_transactions WHERE kind = 'reverse'`,
		`TRUNCATE ledger_transactions CASCADE`,
		`UPDATE ledger_accounts SET allow_negative = true`,
		`DELETE FROM ledger_accounts WHERE kind = 'volunteer'`,
		`DELETE FROM ledger_holds`,
		`TRUNCATE ledger_holds`,
	} {
		var before, after int64
		count := `SELECT (SELECT count(*) FROM ledger_postings) * 1000000 + (SELECT count(*) FROM ledger_transactions) * 1000
			+ (SELECT count(*) FROM ledger_holds)`
		if err := e.db.Get(&before, count); err != nil {
			t.Fatal(err)
		}
		_, err := e.db.Exec(stmt)
		if err == nil {
			t.Fatalf("%s: succeeded, want refusal", stmt)
		}
		if pe := pqError(t, err); pe.Code != "TB009" {
			t.Fatalf("%s: want the append-only error TB009, got %s %v", stmt, pe.Code, err)
		}
		if err := e.db.Get(&after, count); err != nil || after != before {
			t.Fatalf("%s changed the row counts: %d → %d (%v)", stmt, before, after, err)
		}
		e.verify(t)
	}

	// A resolved hold cannot be reopened or changed; a pending one cannot change its terms.
	for _, stmt := range []struct {
		sql string
		id  int64
	}{
		{`UPDATE ledger_holds SET status = 'pending', tx_id = NULL, committed_amount = NULL WHERE id = $1`, committed},
		{`UPDATE ledger_holds SET committed_amount = 1 WHERE id = $1`, committed},
		{`UPDATE ledger_holds SET status = 'pending', resolved_at = NULL WHERE id = $1`, voided},
		{`UPDATE ledger_holds SET status = 'expired' WHERE id = $1`, voided},
		{`UPDATE ledger_holds SET amount = 1 WHERE status = 'pending'`, 0},
		{`UPDATE ledger_holds SET to_account = from_account WHERE status = 'pending'`, 0},
		{`UPDATE ledger_holds SET expires_at = now() + interval '10 years' WHERE status = 'pending'`, 0},
	} {
		args := []any{}
		if stmt.id != 0 {
			args = append(args, stmt.id)
		}
		res, err := e.db.Exec(stmt.sql, args...)
		if err == nil {
			n, _ := res.RowsAffected()
			t.Fatalf("%s: changed %d holds, want refusal", stmt.sql, n)
		}
		if pe := pqError(t, err); pe.Code != "TB009" && pe.Code != "23514" {
			t.Fatalf("%s: %v", stmt.sql, err)
		}
		e.verify(t)
	}
	// Through the ledger a resolved hold stays resolved too.
	if _, err := e.l.VoidHold(context.Background(), committed); !errors.Is(err, ledger.ErrHoldResolved) {
		t.Fatalf("void of a committed hold: %v", err)
	}
	e.verify(t)
}

// A guarded account's balance row refuses to go below zero, whoever writes it.
func TestTamperGuardedBalanceCheck(t *testing.T) {
	e := newEnv(t)
	tamperBooks(t, e)
	for _, stmt := range []string{
		`UPDATE ledger_balances SET posted = -1 WHERE account_id = (SELECT id FROM ledger_accounts WHERE code = 'vol:1')`,
		`UPDATE ledger_balances SET pending = posted + 1 WHERE account_id = (SELECT id FROM ledger_accounts WHERE code = 'vol:1')`,
		`UPDATE ledger_balances SET pending = -1 WHERE account_id = (SELECT id FROM ledger_accounts WHERE code = 'vol:1')`,
	} {
		_, err := e.db.Exec(stmt)
		if err == nil {
			t.Fatalf("%s: succeeded, want the CHECK to refuse it", stmt)
		}
		if pe := pqError(t, err); pe.Code != "23514" || (pe.Constraint != "ledger_balances_available" && pe.Constraint != "ledger_balances_pending") {
			t.Fatalf("%s: want a check violation, got %s %q %v", stmt, pe.Code, pe.Constraint, err)
		}
		e.verify(t)
	}
}

// An unbalanced transaction written by hand never reaches the books: a transaction row plus one
// posting of +5 is refused by the zero-sum trigger.
func TestTamperUnbalancedInsertIsRefused(t *testing.T) {
	e := newEnv(t)
	tamperBooks(t, e)
	var accID int64
	if err := e.db.Get(&accID, `SELECT id FROM ledger_accounts WHERE code = 'vol:1'`); err != nil {
		t.Fatal(err)
	}
	tx, err := e.db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	var txID int64
	if err := tx.Get(&txID, `INSERT INTO ledger_transactions (kind, memo, reference, created_by, idempotency_key, request_hash)
		VALUES ('adjust', 'by hand', '', 'intruder', 'tamper-unbalanced', '\x00') RETURNING id`); err != nil {
		t.Fatalf("inserting the transaction row: %v", err)
	}
	_, err = tx.Exec(`INSERT INTO ledger_postings (tx_id, account_id, slot, amount, balance_after, version_after)
		VALUES ($1, $2, 0, 5, 105, 99)`, txID, accID)
	stage := "INSERT"
	if err == nil {
		stage = "COMMIT"
		err = tx.Commit()
	}
	if err == nil {
		t.Fatal("an unbalanced transaction committed")
	}
	pe := pqError(t, err)
	if pe.Constraint != "ledger_postings_balanced" || pe.Code != "23514" {
		t.Fatalf("the %s should be refused by ledger_postings_balanced, got %s %q: %v", stage, pe.Code, pe.Constraint, err)
	}
	t.Logf("the unbalanced posting was refused at %s: %v", stage, err)
	var n int
	if err := e.db.Get(&n, `SELECT count(*) FROM ledger_transactions WHERE idempotency_key = 'tamper-unbalanced'`); err != nil || n != 0 {
		t.Fatalf("the unbalanced transaction is in the books: %d %v", n, err)
	}
	e.verify(t)
}

// "Every transaction's postings sum to zero" includes having postings at all: the migration promises
// a check at commit, so a transaction row written by hand without any posting must not commit.
func TestTamperTransactionWithoutPostingsIsRefused(t *testing.T) {
	e := newEnv(t)
	tamperBooks(t, e)
	tx, err := e.db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	if _, err := tx.Exec(`INSERT INTO ledger_transactions (kind, memo, reference, created_by, idempotency_key, request_hash)
		VALUES ('adjust', 'by hand', '', 'intruder', 'tamper-empty', '\x00')`); err != nil {
		t.Fatalf("inserting the transaction row: %v", err)
	}
	if err := tx.Commit(); err == nil {
		rep, _ := e.l.Verify(context.Background())
		t.Fatalf("a transaction without postings committed; verify now reports %v", rep.Problems)
	}
	e.verify(t)
}
