// Package invariant runs the checks `timebank verify` makes: what must always hold between tables
// (the ledger's postings and balances, the stock and its journal, a record and its attendance),
// written as SQL that returns one line of text per violation. Checks run several at a time; a check
// over a large table runs in ranges of its keys at once, and a check of what only grows (transactions,
// days) can run from the checkpoint of its last clean run (see Verify).
package invariant

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Check is one invariant: a query returning a line of text per violation, at most 20 (per range).
//
// A check whose Keys is set runs in ranges: Keys returns the lowest and highest key (two bigints),
// and Query takes a range of them, $1 < key <= $2.
//
// A check whose Since is set can be incremental: Since names its checkpoint, Last (given the
// settling time in seconds as $1) returns the highest key that may be checkpointed now (given 0, the
// newest key), After checks only the keys $1 < key <= $2 (in ranges when Keys is set: the run reads
// up to the newest key, the checkpoint moves to the settled one), and Digest returns, for a key ($1),
// a text that changes when what was verified up to that key changes. When the newest key is not
// Last given 0 (keys that are settled by what happens to them, not by their age), Newest returns
// it, as the second column of its row (Keys' form).
type Check struct {
	Name   string
	Query  string
	Keys   string
	Since  string
	Last   string
	After  string
	Digest string
	Newest string
	// Extra, when set, takes a range ($1, $2) and returns two bigints that Query and After take as
	// $3 and $4 (for a range of days, the transaction ids of those days): values, not subqueries,
	// so that each range's statement is planned for them.
	Extra string
}

// Run runs the checks in order on db, each over all its keys, and hands each one's violations to
// found as it finishes. It stops at the first query that fails to run. It moves no checkpoint.
func Run(ctx context.Context, db *sqlx.DB, checks []Check, found func(name string, problems []string)) error {
	for _, c := range checks {
		var problems []string
		var err error
		if c.Keys == "" {
			err = db.SelectContext(ctx, &problems, c.Query)
		} else {
			var lo, hi int64
			if err = db.QueryRowxContext(ctx, c.Keys).Scan(&lo, &hi); err == nil {
				var args []any
				if args, err = arguments(ctx, db, c, lo-1, hi); err == nil {
					err = db.SelectContext(ctx, &problems, c.Query, args...)
				}
			}
		}
		if err != nil {
			return fmt.Errorf("verify %q: %w", c.Name, err)
		}
		found(c.Name, problems)
	}
	return nil
}

// arguments are the arguments of a check's query over the range lo < key <= hi: the range, and
// the two values its Extra returns for it, if it has one.
func arguments(ctx context.Context, db *sqlx.DB, c Check, lo, hi int64) ([]any, error) {
	if c.Extra == "" {
		return []any{lo, hi}, nil
	}
	var a, b int64
	if err := db.QueryRowxContext(ctx, c.Extra, lo, hi).Scan(&a, &b); err != nil {
		return nil, err
	}
	return []any{lo, hi, a, b}, nil
}
