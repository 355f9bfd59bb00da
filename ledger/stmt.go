package ledger

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"

	"github.com/jmoiron/sqlx"
)

// rowQueryer runs a query that returns rows: a *sqlx.DB, a *sqlx.Tx, or the ledger's prepared calls.
type rowQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// preparedCalls runs the ledger's SQL function calls (ledger_post, ledger_hold, …) on the pool as
// statements prepared once per query (each connection prepares one on its first use), so that
// PostgreSQL does not parse the call on every posting or hold. A call whose statement cannot be
// prepared runs unprepared, and preparing is tried again next time.
type preparedCalls struct {
	db    *sqlx.DB
	log   *slog.Logger
	mu    sync.Mutex // serializes preparing
	stmts sync.Map   // query → *sql.Stmt
}

// QueryContext runs the query through its prepared statement.
func (p *preparedCalls) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.db.QueryContext(ctx, query, args...)
}

func (p *preparedCalls) stmt(ctx context.Context, query string) *sql.Stmt {
	if st, ok := p.stmts.Load(query); ok {
		return st.(*sql.Stmt)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if st, ok := p.stmts.Load(query); ok {
		return st.(*sql.Stmt)
	}
	// Not the caller's cancellation: the statement outlives this request.
	st, err := p.db.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		p.log.Warn("ledger: prepare", "query", query, "err", err)
		return nil
	}
	p.stmts.Store(query, st)
	return st
}
