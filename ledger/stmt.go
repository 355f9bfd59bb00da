package ledger

import (
	"context"
	"database/sql"

	"timebank/pkg/prepared"
)

// rowQueryer runs a query that returns rows: a *sqlx.DB, a *sqlx.Tx, or the ledger's prepared calls.
type rowQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// preparedOn runs the ledger's SQL function calls (ledger_post, ledger_hold, …) through statements
// prepared once per query, on the pool or inside a transaction, so that PostgreSQL does not parse
// and plan the call on every posting or hold.
type preparedOn struct {
	stmts *prepared.Statements
	q     prepared.Queryer
}

// QueryContext runs the query through its prepared statement.
func (p preparedOn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.stmts.Query(ctx, p.q, query, args...)
}
