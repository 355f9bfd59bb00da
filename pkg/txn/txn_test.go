package txn_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/pkg/dbtest"
	"timebank/pkg/outage"
	"timebank/pkg/txn"
)

func count(t *testing.T, db *sqlx.DB) int {
	t.Helper()
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM txn_test`); err != nil {
		t.Fatal(err)
	}
	return n
}

// Run commits what fn wrote when fn returns nil, rolls it back when fn fails, and reports a
// refused commit as an error that the edge classifies as an outage: nothing is acknowledged that
// did not commit.
func TestRun(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	if _, err := db.Exec(`CREATE TABLE txn_test (n int NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	refuse := dbtest.RefuseCommits(t, db)
	insert := func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO txn_test VALUES (1)`)
		return err
	}

	if err := txn.Run(ctx, db, insert); err != nil {
		t.Fatalf("run: %v", err)
	}
	if n := count(t, db); n != 1 {
		t.Fatalf("after a commit: %d rows, want 1", n)
	}

	boom := errors.New("boom")
	err := txn.Run(ctx, db, func(tx *sqlx.Tx) error {
		if err := insert(tx); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("fn's error came back as %v", err)
	}
	if n := count(t, db); n != 1 {
		t.Fatalf("after fn failed: %d rows, want 1 (rolled back)", n)
	}

	refuse(true)
	err = txn.Run(ctx, db, insert)
	refuse(false)
	var pe *pq.Error
	if !errors.As(err, &pe) || string(pe.Code) != dbtest.CommitRefusedCode || !outage.Is(err) {
		t.Fatalf("a refused commit came back as %v, want the driver's %s, an outage", err, dbtest.CommitRefusedCode)
	}
	if n := count(t, db); n != 1 {
		t.Fatalf("after a refused commit: %d rows, want 1", n)
	}
}
