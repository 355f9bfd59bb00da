// Package replica sends the reads of reports and exports to a PostgreSQL streaming replica when one
// is configured, and to the primary when none is or when it does not answer. Only reads that decide
// nothing come here: a replica is behind the primary by its replication lag, so balances for holds,
// stock, idempotency and verification read the primary, and so do pages that show a person what they
// have just done.
package replica

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/pkg/outage"
)

// Reader is what reports and exports read through: a *sqlx.DB, or a Pool.
type Reader interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// RetryAfter is how long reads stay on the primary after the replica failed to answer, before the
// next read tries the replica again.
const RetryAfter = 5 * time.Second

// Pool reads from the replica, or from the primary while the replica does not answer.
type Pool struct {
	primary, standby *sqlx.DB
	log              *slog.Logger
	downSince        atomic.Int64 // unix nanoseconds of the failure that sent reads to the primary; 0 while the replica serves
	served, fallback atomic.Uint64
}

// New returns the pool over the primary and the replica (standby); a nil standby sends every read
// to the primary. A nil log is slog's default.
func New(primary, standby *sqlx.DB, log *slog.Logger) *Pool {
	if log == nil {
		log = slog.Default()
	}
	return &Pool{primary: primary, standby: standby, log: log}
}

// Stats are the pool's counters since start.
type Stats struct {
	Configured bool   // a replica is configured
	Replica    uint64 // reads the replica answered
	Fallbacks  uint64 // reads sent to the primary because the replica did not answer
	Down       bool   // reads go to the primary now because the replica did not answer
}

// Stats returns the pool's counters.
func (p *Pool) Stats() Stats {
	return Stats{Configured: p.standby != nil, Replica: p.served.Load(), Fallbacks: p.fallback.Load(),
		Down: p.downSince.Load() != 0}
}

// pick returns the pool to read from, and whether it is the replica.
func (p *Pool) pick() (*sqlx.DB, bool) {
	if p.standby == nil {
		return p.primary, false
	}
	if since := p.downSince.Load(); since != 0 && time.Since(time.Unix(0, since)) < RetryAfter {
		p.fallback.Add(1)
		return p.primary, false
	}
	return p.standby, true
}

// failed reports whether err says the replica is unreachable; if so the reads go to the primary
// for RetryAfter, and the first failure is logged.
func (p *Pool) failed(err error) bool {
	if !outage.Is(err) {
		return false
	}
	p.fallback.Add(1)
	if p.downSince.Swap(time.Now().UnixNano()) == 0 {
		p.log.Warn("replica unreachable: reports and exports read from the primary", "err", err)
	}
	return true
}

// cancelled reports whether the replica cancelled the read for a conflict with the WAL it was
// replaying (SQLSTATE 40001: a long report against a vacuum on the primary); the read is then made
// on the primary, and the replica keeps serving the next ones.
func (p *Pool) cancelled(err error) bool {
	var pe *pq.Error
	if !errors.As(err, &pe) || pe.Code != "40001" {
		return false
	}
	p.fallback.Add(1)
	return true
}

// answered notes that the replica answered.
func (p *Pool) answered() {
	p.served.Add(1)
	if p.downSince.Swap(0) != 0 {
		p.log.Info("replica answers again: reports and exports read from it")
	}
}

// do runs read on the replica, and again on the primary if the replica did not answer.
func (p *Pool) do(read func(*sqlx.DB) error, reset func()) error {
	db, standby := p.pick()
	err := read(db)
	if !standby {
		return err
	}
	if p.failed(err) || p.cancelled(err) {
		reset()
		return read(p.primary)
	}
	if err == nil {
		p.answered()
	}
	return err
}

// GetContext reads one row into dest (as sqlx does).
func (p *Pool) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	return p.do(func(db *sqlx.DB) error { return db.GetContext(ctx, dest, query, args...) }, func() {})
}

// SelectContext reads the rows into the slice dest points to (as sqlx does); what a failed read on
// the replica left in it is dropped before the primary is read.
func (p *Pool) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	return p.do(func(db *sqlx.DB) error { return db.SelectContext(ctx, dest, query, args...) }, func() {
		if v := reflect.ValueOf(dest); v.Kind() == reflect.Pointer && !v.IsNil() {
			v.Elem().Set(reflect.Zero(v.Elem().Type()))
		}
	})
}

// QueryContext starts a query and returns its rows, read as they come (exports stream them). The
// primary takes over only if the replica fails to start the query: rows already read cannot be
// taken back.
func (p *Pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	var rows *sql.Rows
	err := p.do(func(db *sqlx.DB) error {
		var err error
		rows, err = db.QueryContext(ctx, query, args...)
		return err
	}, func() {})
	return rows, err
}

// State is the replica's state as /readyz reports it.
type State struct {
	Status string  `json:"status"` // ok, unreachable, or not-a-replica (the URL names a primary)
	Lag    float64 `json:"lag_seconds"`
	Paused bool    `json:"replay_paused,omitempty"`
}

// State asks the replica how far behind the primary it is: the age of the last transaction it
// replayed, or zero when it has replayed all it received. ok is false when no replica is
// configured.
func (p *Pool) State(ctx context.Context) (s State, ok bool) {
	if p.standby == nil {
		return State{}, false
	}
	var row struct {
		Recovery bool    `db:"recovery"`
		Lag      float64 `db:"lag"`
		Paused   bool    `db:"paused"`
	}
	err := p.standby.GetContext(ctx, &row, `
SELECT pg_is_in_recovery() AS recovery,
       CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
            ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8 AS lag,
       CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END AS paused`)
	switch {
	case err != nil:
		return State{Status: "unreachable"}, true
	case !row.Recovery:
		return State{Status: "not-a-replica"}, true
	}
	return State{Status: "ok", Lag: row.Lag, Paused: row.Paused}, true
}

// Close closes the replica's pool, if there is one; the primary is its owner's to close.
func (p *Pool) Close() error {
	if p.standby == nil {
		return nil
	}
	return p.standby.Close()
}
