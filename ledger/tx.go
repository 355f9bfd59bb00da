package ledger

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
)

// Tx is a PostgreSQL transaction in which other packages write their own rows and post to the
// ledger, all or nothing (an order reserves stock and holds credits together). Balances are
// projected to Redis after the transaction commits.
type Tx struct {
	tx      *sqlx.Tx
	calls   preparedOn // the ledger's SQL function calls, prepared, in tx
	changes []change
}

// Sqlx returns the underlying transaction for the caller's own statements.
func (t *Tx) Sqlx() *sqlx.Tx { return t.tx }

// InTx runs fn in one PostgreSQL transaction and commits if it returns nil. Any error rolls back
// everything fn did, in the ledger and elsewhere.
func (l *Ledger) InTx(ctx context.Context, fn func(*Tx) error) error {
	tx, err := l.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	t := &Tx{tx: tx, calls: preparedOn{stmts: l.stmts, q: tx}}
	if err := fn(t); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return dbError(err)
	}
	l.afterTx(ctx, t.changes)
	return nil
}

// InTxProjectLater is InTx for a caller that answers many requests with one transaction (a batch of
// orders): once the transaction has committed it returns, without waiting for Redis, project, which
// writes the transaction's balances to Redis in one pipeline. The caller runs project exactly once,
// before it acknowledges anyone, and may meanwhile start its next transaction: Redis keeps the
// newest version of each balance row, whichever pipeline arrives first.
func (l *Ledger) InTxProjectLater(ctx context.Context, fn func(*Tx) error) (project func(context.Context), err error) {
	var chs []change
	err = l.InTx(ctx, func(t *Tx) error {
		err := fn(t)
		chs, t.changes = t.changes, nil // projected by the caller
		return err
	})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) { l.afterTx(ctx, chs) }, nil
}

func (l *Ledger) afterTx(ctx context.Context, chs []change) {
	var n uint64
	for _, c := range chs {
		if c.code != "" {
			n++
		}
	}
	l.stats.postings.Add(n)
	l.project(ctx, chs)
}

// Post records a transaction inside the Tx; see Ledger.Post. It returns the transaction id and
// whether the request was a replay.
func (t *Tx) Post(ctx context.Context, r TransactionRequest) (id int64, replayed bool, err error) {
	if err := r.Validate(); err != nil {
		return 0, false, err
	}
	ch, err := postChanges(ctx, t.calls, r, nil)
	if err != nil {
		return 0, false, err
	}
	t.changes = append(t.changes, ch...)
	return ch[0].id, ch[0].replayed, nil
}

// Hold places a hold inside the Tx; see Ledger.Hold. It returns the hold id and whether the request
// was a replay.
func (t *Tx) Hold(ctx context.Context, r HoldRequest) (id int64, replayed bool, err error) {
	if err := r.Validate(time.Now()); err != nil {
		return 0, false, err
	}
	ch, err := holdChanges(ctx, t.calls, r)
	if err != nil {
		return 0, false, err
	}
	t.changes = append(t.changes, ch...)
	return ch[0].id, ch[0].replayed, nil
}

// CommitHold commits a hold inside the Tx; see Ledger.CommitHold. It returns the transaction id.
func (t *Tx) CommitHold(ctx context.Context, id int64, amount *int64, actor string) (int64, error) {
	if amount != nil && (*amount < 1 || *amount > MaxAmount) {
		return 0, invalid("amount", "range")
	}
	ch, err := callChanges(ctx, t.calls, holdCommitQuery, id, amount, actor)
	if err != nil {
		return 0, err
	}
	t.changes = append(t.changes, ch...)
	return ch[0].id, nil
}

// VoidHold voids a hold inside the Tx; see Ledger.VoidHold.
func (t *Tx) VoidHold(ctx context.Context, id int64) error {
	ch, err := callChanges(ctx, t.calls, holdReleaseQuery, id, HoldVoided)
	if err != nil {
		return err
	}
	t.changes = append(t.changes, ch...)
	return nil
}
