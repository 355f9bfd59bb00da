// Package txn runs a unit of work in one PostgreSQL transaction, for the services whose writes do
// not post to the ledger (those use ledger.Ledger.InTx, which also projects balances to Redis).
package txn

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Run begins a transaction on db, runs fn in it and commits if fn returns nil; any error of fn
// rolls back everything fn did and is returned as it is.
//
// A write is acknowledged only after its commit is known to have succeeded: Run returns nil only
// when Commit did, and a failed commit comes back wrapped (errors.Is and errors.As still see the
// driver's error, so an outage still answers 503 at the edge). A caller must not answer from rows
// fn read until Run has returned nil.
func Run(ctx context.Context, db *sqlx.DB, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
