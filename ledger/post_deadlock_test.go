package ledger_test

import (
	"context"
	"testing"
	"time"

	"timebank/ledger"
)

// A posting on its own that PostgreSQL ends to break a deadlock is sent again, not answered with
// the deadlock: another transaction holds vol:2's row while the posting holds vol:1's and waits
// for vol:2, then asks for vol:1. The posting waited first, so its own check finds the circle and
// ends it; sent again, it waits for the other to commit and goes through, once.
func TestPostAloneSurvivesADeadlock(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "vol:1", ledger.KindVolunteer, false)
	e.account(t, "vol:2", ledger.KindVolunteer, false)
	e.fund(t, "org:1:issued", "vol:1", 50)

	// PostgreSQL ends whichever of the two runs its check first after waiting a second: nearly
	// always the posting, which waited first; on a busy machine sometimes the other. Then the
	// posting simply goes through, and the circle is closed again with a new posting.
	var req ledger.TransactionRequest
	for attempt := 1; ; attempt++ {
		req = transfer("vol:1", "vol:2", 5)
		ended, err := closeTheCircle(t, e, req)
		if err != nil {
			t.Fatalf("the posting was answered with %v, want it sent again and posted", err)
		}
		if ended {
			break
		}
		if attempt == 5 {
			t.Fatal("in five tries PostgreSQL never ended the posting: the retry was not tested")
		}
	}
	var n int
	if err := e.db.GetContext(ctx, &n, `SELECT count(*) FROM ledger_transactions WHERE idempotency_key = $1`, req.IdempotencyKey); err != nil || n != 1 {
		t.Fatalf("transactions of the key: %d %v", n, err)
	}
	if b := e.pgBalance(t, "vol:2"); b.Posted%5 != 0 || b.Posted == 0 {
		t.Fatalf("vol:2: %+v", b)
	}
	e.verify(t)
}

// closeTheCircle has another transaction hold vol:2's row, posts req (which locks vol:1 and waits
// for vol:2), then has the other ask for vol:1. It returns whether PostgreSQL ended the posting
// (the other then got vol:1) and the posting's answer.
func closeTheCircle(t *testing.T, e *env, req ledger.TransactionRequest) (postingEnded bool, posted error) {
	t.Helper()
	ctx := context.Background()
	other, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback()
	lock := `SELECT 1 FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id WHERE a.code = $1 FOR UPDATE OF b`
	if _, err := other.ExecContext(ctx, lock, "vol:2"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := e.l.Post(ctx, req)
		done <- err
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var waiting int
		if err := e.db.GetContext(ctx, &waiting, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%ledger_post%'`); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the posting never waited for vol:2's row")
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, lockErr := other.ExecContext(ctx, lock, "vol:1")
	if lockErr == nil {
		if err := other.Commit(); err != nil {
			t.Fatal(err)
		}
	} else {
		other.Rollback()
	}
	return lockErr == nil, <-done
}
