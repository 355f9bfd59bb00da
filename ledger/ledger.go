package ledger

import (
	"context"
	"database/sql"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"timebank/pkg/prepared"
)

// Options tune the ledger. The zero value is usable.
type Options struct {
	// RedisPrefix starts every Redis key and channel the ledger uses ("tb:" by default), so that
	// several deployments or test runs can share one Redis.
	RedisPrefix string
	// RedisTimeout bounds the projection write after commit (250 ms by default). A posting never
	// fails because Redis is slow or down: the relay repairs what was missed.
	RedisTimeout time.Duration
	// Logger receives warnings about the projection; slog.Default() when nil.
	Logger *slog.Logger
	// Statements are the pool's prepared statements, shared with the services that write in the
	// ledger's transactions; the ledger makes its own when nil.
	Statements *prepared.Statements
	// PostBatch is the most postings written together in one batch (DefaultPostBatch when 0), and
	// PostWriters how many batches are written at once (DefaultPostWriters when 0).
	PostBatch, PostWriters int
}

// Ledger posts transactions and holds and reads balances. It is safe for concurrent use.
type Ledger struct {
	db    *sqlx.DB
	proj  *projector
	log   *slog.Logger
	stats counters
	stmts *prepared.Statements
	calls preparedOn // the SQL function calls on the pool, prepared
	hub   *watchHub  // the watches of balances (see Watch)
	posts *postGroup // the postings waiting to be written together
	// restarts runs one reconcile at a time after a Redis restart (restart.go).
	restarts restartWatch
}

// queryer is what the ledger needs of a *sqlx.DB or *sqlx.Tx.
type queryer interface {
	sqlx.QueryerContext
	sqlx.ExecerContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

var (
	_ queryer = (*sqlx.DB)(nil)
	_ queryer = (*sqlx.Tx)(nil)
)

// New returns a ledger over the PostgreSQL database (migrated) and the Redis client. It watches the
// client's new connections (see dials.go).
func New(db *sqlx.DB, rdb redis.UniversalClient, opt Options) *Ledger {
	if opt.RedisPrefix == "" {
		opt.RedisPrefix = "tb:"
	}
	if opt.RedisTimeout <= 0 {
		opt.RedisTimeout = 250 * time.Millisecond
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Statements == nil {
		opt.Statements = prepared.New(db, opt.Logger)
	}
	l := &Ledger{db: db, log: opt.Logger, stmts: opt.Statements}
	l.calls = preparedOn{stmts: l.stmts, q: db}
	l.proj = newProjector(rdb, opt.RedisPrefix, opt.RedisTimeout, &l.stats)
	l.hub = newWatchHub(rdb)
	l.watchDials(rdb)
	l.posts = newPostGroup(l, opt.PostWriters, opt.PostBatch)
	return l
}

// DB returns the database the ledger writes to, for packages that join their own writes with the
// ledger's in one transaction (see InTx).
func (l *Ledger) DB() *sqlx.DB { return l.db }

// Statements returns the pool's prepared statements, for services that run their hot queries
// through them too.
func (l *Ledger) Statements() *prepared.Statements { return l.stmts }

// Stats are running counts since start, for metrics.
type Stats struct {
	Transactions     uint64 // transactions posted (replays not counted)
	Postings         uint64 // postings written
	Holds            uint64 // holds placed
	ProjectionErrors uint64 // Redis writes after commit that failed (the relay repairs them)
	Relayed          uint64 // outbox rows drained by the relay
	HoldsExpired     uint64 // holds voided by the expiry worker
}

type counters struct {
	transactions, postings, holds, projectionErrors, relayed, holdsExpired atomic.Uint64
}

// Stats returns the running counts.
func (l *Ledger) Stats() Stats {
	s := &l.stats
	return Stats{
		Transactions: s.transactions.Load(), Postings: s.postings.Load(), Holds: s.holds.Load(),
		ProjectionErrors: s.projectionErrors.Load(), Relayed: s.relayed.Load(), HoldsExpired: s.holdsExpired.Load(),
	}
}

// ProjectionLag is the age of the oldest balance change not yet confirmed in Redis by the relay.
// It is a few seconds in normal operation (the relay leaves fresh rows to the write after commit)
// and grows while Redis is unreachable. When PostgreSQL cannot be asked it returns that error, never
// a lag of zero, so that a dead database does not look like an up-to-date projection.
func (l *Ledger) ProjectionLag(ctx context.Context) (time.Duration, error) {
	var secs sql.NullFloat64
	err := l.db.GetContext(ctx, &secs,
		`SELECT extract(epoch FROM now() - min(created_at)) FROM ledger_outbox`)
	if err != nil {
		return 0, err
	}
	if !secs.Valid { // min() over an empty outbox: nothing is waiting
		return 0, nil
	}
	return time.Duration(secs.Float64 * float64(time.Second)), nil
}
