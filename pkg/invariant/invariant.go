// Package invariant runs the checks `timebank verify` makes beyond the ledger's: what must always
// hold between an area's tables (the stock and its journal, a record and its attendance), written
// as SQL that returns one line of text per violation.
package invariant

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// Check is one invariant: a query returning a line of text per violation, at most 20.
type Check struct {
	Name  string
	Query string
}

// Run runs the checks in order on db and hands each one's violations to found as it finishes, so
// that a long verification shows its progress. It stops at the first query that fails to run.
func Run(ctx context.Context, db *sqlx.DB, checks []Check, found func(name string, problems []string)) error {
	for _, c := range checks {
		var problems []string
		if err := db.SelectContext(ctx, &problems, c.Query); err != nil {
			return err
		}
		found(c.Name, problems)
	}
	return nil
}
