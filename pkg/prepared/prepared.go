// Package prepared runs the service's hot SQL through statements prepared once per query text.
//
// lib/pq sends a statement with parameters unnamed: PostgreSQL parses and plans it on every call,
// and the driver waits for two round trips. A statement prepared on the pool is parsed once per
// connection (each connection prepares it on first use), planned once PostgreSQL settles on a
// generic plan, and runs in one round trip, on the pool or inside a transaction.
package prepared

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"

	"github.com/jmoiron/sqlx"
)

// Queryer is the pool or one of its transactions.
type Queryer interface {
	sqlx.ExtContext
}

// Statements holds the prepared statements of one pool, by query text. A nil *Statements runs
// every query unprepared, so a service built without one still works.
type Statements struct {
	db    *sqlx.DB
	log   *slog.Logger
	mu    sync.Mutex // serializes preparing
	stmts sync.Map   // query → *sqlx.Stmt
	// preparing holds the queries being prepared on the pool in the background.
	preparing sync.Map
}

// New returns the statements of db. Failures to prepare are logged to log (nil: slog's default).
func New(db *sqlx.DB, log *slog.Logger) *Statements {
	if log == nil {
		log = slog.Default()
	}
	return &Statements{db: db, log: log}
}

// Prepared reports whether query has been prepared.
func (s *Statements) Prepared(query string) bool {
	if s == nil {
		return false
	}
	_, ok := s.stmts.Load(query)
	return ok
}

// stmt returns query's statement for q: the pool's, or the pool's bound to the transaction q. It
// returns nil when query cannot be prepared (it then runs unprepared, and preparing is tried again
// on the next call) or when q is neither the pool nor one of its transactions.
func (s *Statements) stmt(ctx context.Context, q Queryer, query string) *sqlx.Stmt {
	if s == nil {
		return nil
	}
	tx, inTx := q.(*sqlx.Tx)
	if !inTx && q != Queryer(s.db) {
		return nil
	}
	if !inTx {
		return s.pooled(ctx, query)
	}
	if st, ok := s.stmts.Load(query); ok {
		return tx.StmtxContext(ctx, st.(*sqlx.Stmt))
	}
	// Preparing on the pool takes a second connection, which a pool busy with transactions that
	// all wait here would never free: prepare it on the pool in the background, and meanwhile on
	// the transaction's connection for this transaction only.
	if _, busy := s.preparing.LoadOrStore(query, true); !busy {
		go func() {
			defer s.preparing.Delete(query)
			s.pooled(context.WithoutCancel(ctx), query)
		}()
	}
	st, err := tx.PreparexContext(ctx, query)
	if err != nil {
		return nil
	}
	return st
}

func (s *Statements) pooled(ctx context.Context, query string) *sqlx.Stmt {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sqlx.Stmt)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sqlx.Stmt)
	}
	// Not the caller's cancellation: the statement outlives this request.
	st, err := s.db.PreparexContext(context.WithoutCancel(ctx), query)
	if err != nil {
		s.log.Warn("prepare", "query", query, "err", err)
		return nil
	}
	s.stmts.Store(query, st)
	return st
}

// Query runs query on q and returns its rows.
func (s *Statements) Query(ctx context.Context, q Queryer, query string, args ...any) (*sql.Rows, error) {
	if st := s.stmt(ctx, q, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.QueryContext(ctx, query, args...)
}

// QueryRow runs query on q and returns its first row.
func (s *Statements) QueryRow(ctx context.Context, q Queryer, query string, args ...any) *sqlx.Row {
	if st := s.stmt(ctx, q, query); st != nil {
		return st.QueryRowxContext(ctx, args...)
	}
	return q.QueryRowxContext(ctx, query, args...)
}

// Get scans query's single row into dest, as sqlx's GetContext does.
func (s *Statements) Get(ctx context.Context, q Queryer, dest any, query string, args ...any) error {
	if st := s.stmt(ctx, q, query); st != nil {
		return st.GetContext(ctx, dest, args...)
	}
	return sqlx.GetContext(ctx, q, dest, query, args...)
}

// Select scans query's rows into the slice dest, as sqlx's SelectContext does.
func (s *Statements) Select(ctx context.Context, q Queryer, dest any, query string, args ...any) error {
	if st := s.stmt(ctx, q, query); st != nil {
		return st.SelectContext(ctx, dest, args...)
	}
	return sqlx.SelectContext(ctx, q, dest, query, args...)
}

// Exec runs query on q.
func (s *Statements) Exec(ctx context.Context, q Queryer, query string, args ...any) (sql.Result, error) {
	if st := s.stmt(ctx, q, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return q.ExecContext(ctx, query, args...)
}
