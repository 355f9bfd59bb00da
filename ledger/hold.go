package ledger

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Hold statuses.
const (
	HoldPending   = "pending"
	HoldCommitted = "committed"
	HoldVoided    = "voided"
	HoldExpired   = "expired"
)

// MaxHoldDuration is the longest a hold may last.
const MaxHoldDuration = 90 * 24 * time.Hour

// HoldRequest asks to reserve Amount of From's available balance for a later transfer to To.
type HoldRequest struct {
	From           string    `json:"from"`
	To             string    `json:"to"`
	Amount         int64     `json:"amount"`
	ExpiresAt      time.Time `json:"expires_at"`
	Kind           string    `json:"kind"` // the kind of the transaction a commit posts; "redeem" by default
	Memo           string    `json:"memo"`
	Reference      string    `json:"reference"`
	IdempotencyKey string    `json:"-"`
	CreatedBy      string    `json:"-"`
}

// Validate checks the request against now and fills in the default kind.
func (r *HoldRequest) Validate(now time.Time) error {
	if r.Kind == "" {
		r.Kind = TxRedeem
	}
	switch {
	case !codePattern.MatchString(r.From) || len(r.From) > 100:
		return invalid("from", "format")
	case !codePattern.MatchString(r.To) || len(r.To) > 100:
		return invalid("to", "format")
	case r.From == r.To:
		return invalid("to", "same_account")
	case r.Amount <= 0 || r.Amount > MaxAmount:
		return invalid("amount", "range")
	case r.ExpiresAt.IsZero():
		return invalid("expires_at", "required")
	case !r.ExpiresAt.After(now):
		return invalid("expires_at", "past")
	case r.ExpiresAt.After(now.Add(MaxHoldDuration)):
		return invalid("expires_at", "too_far")
	case r.CreatedBy == "":
		return invalid("created_by", "required")
	}
	switch r.Kind {
	case TxEarn, TxRedeem, TxTransfer, TxDonate, TxExpire, TxAdjust:
	default:
		return invalid("kind", "unknown")
	}
	if err := checkText("memo", r.Memo, maxMemo); err != nil {
		return err
	}
	if err := checkText("reference", r.Reference, maxRef); err != nil {
		return err
	}
	return checkKey(r.IdempotencyKey)
}

func (r *HoldRequest) hash() []byte {
	h := sha256.New()
	for _, s := range []string{"hold", r.From, r.To, r.Kind, r.Memo, r.Reference, r.CreatedBy} {
		writeField(h, s)
	}
	_ = binary.Write(h, binary.BigEndian, r.Amount)
	_ = binary.Write(h, binary.BigEndian, r.ExpiresAt.UnixMicro())
	return h.Sum(nil)
}

// Hold is a reservation of credits.
type Hold struct {
	ID              int64      `json:"id"`
	From            string     `json:"from"`
	To              string     `json:"to"`
	Amount          int64      `json:"amount"`
	Kind            string     `json:"kind"`
	Memo            string     `json:"memo"`
	Reference       string     `json:"reference"`
	Status          string     `json:"status"`
	CommittedAmount *int64     `json:"committed_amount,omitempty"`
	TransactionID   *int64     `json:"transaction_id,omitempty"`
	ExpiresAt       time.Time  `json:"expires_at"`
	CreatedAt       time.Time  `json:"created_at"`
	ResolvedAt      *time.Time `json:"resolved_at,omitempty"`
}

// HoldResult is what a hold write returns: the hold, whether the call was a replay, and the balance
// of the account it changed.
type HoldResult struct {
	Hold     Hold      `json:"hold"`
	Replayed bool      `json:"replayed"`
	Balances []Balance `json:"balances"`
}

// The hold functions' calls, prepared on the pool like ledger_post's (see preparedCalls).
const (
	holdQuery        = `SELECT * FROM ledger_hold($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`
	holdCommitQuery  = `SELECT * FROM ledger_hold_commit($1, $2, $3)`
	holdReleaseQuery = `SELECT * FROM ledger_hold_release($1, $2)`
)

func holdChanges(ctx context.Context, q rowQueryer, r HoldRequest) ([]change, error) {
	return callChanges(ctx, q, holdQuery, r.IdempotencyKey, r.hash(), r.Kind, r.Memo, r.Reference, r.CreatedBy,
		r.From, r.To, r.Amount, r.ExpiresAt)
}

// Hold reserves credits: From's pending grows by Amount, so its available balance shrinks, until the
// hold is committed, voided or expires. The same idempotency key with the same request is a replay.
// Errors: ErrInvalid, ErrAccountNotFound, ErrInsufficientFunds, ErrIdempotencyConflict.
func (l *Ledger) Hold(ctx context.Context, r HoldRequest) (HoldResult, error) {
	if err := r.Validate(time.Now()); err != nil {
		return HoldResult{}, err
	}
	ch, err := holdChanges(ctx, l.calls, r)
	if err != nil {
		return HoldResult{}, err
	}
	if !ch[0].replayed {
		l.stats.holds.Add(1)
	}
	return l.holdResult(ctx, ch)
}

func (l *Ledger) holdResult(ctx context.Context, ch []change) (HoldResult, error) {
	h, err := l.GetHold(ctx, ch[0].id)
	if err != nil {
		return HoldResult{}, err
	}
	res := HoldResult{Hold: h, Replayed: ch[0].replayed}
	if res.Replayed {
		res.Balances, err = l.Balances(ctx, []string{h.From})
	} else {
		res.Balances, err = l.afterCommit(ctx, ch)
	}
	return res, err
}

// CommitHold transfers amount (all of the hold when nil) from the hold's source to its destination
// and releases the rest. Committing again with the same amount is a replay.
// Errors: ErrHoldNotFound, ErrHoldResolved, ErrHoldExpired, ErrInvalid (amount above the hold).
func (l *Ledger) CommitHold(ctx context.Context, id int64, amount *int64, actor string) (Result, error) {
	if amount != nil && (*amount < 1 || *amount > MaxAmount) {
		return Result{}, invalid("amount", "range")
	}
	ch, err := callChanges(ctx, l.calls, holdCommitQuery, id, amount, actor)
	if err != nil {
		return Result{}, err
	}
	if ch[0].replayed {
		return l.replay(ctx, ch[0].id)
	}
	l.stats.transactions.Add(1)
	l.stats.postings.Add(uint64(len(ch)))
	t, err := l.Transaction(ctx, ch[0].id)
	if err != nil {
		return Result{}, err
	}
	bals, err := l.afterCommit(ctx, ch)
	return Result{Transaction: t, Balances: bals}, err
}

// VoidHold releases a pending hold without posting anything. Voiding again is a replay.
// Errors: ErrHoldNotFound, ErrHoldResolved.
func (l *Ledger) VoidHold(ctx context.Context, id int64) (HoldResult, error) {
	ch, err := callChanges(ctx, l.calls, holdReleaseQuery, id, HoldVoided)
	if err != nil {
		return HoldResult{}, err
	}
	return l.holdResult(ctx, ch)
}

// GetHold returns a hold.
// Errors: ErrHoldNotFound.
func (l *Ledger) GetHold(ctx context.Context, id int64) (Hold, error) {
	const q = `
SELECT h.id, f.code, t.code, h.amount, h.kind, h.memo, h.reference, h.status, h.committed_amount, h.tx_id,
       h.expires_at, h.created_at, h.resolved_at
FROM ledger_holds h
JOIN ledger_accounts f ON f.id = h.from_account
JOIN ledger_accounts t ON t.id = h.to_account
WHERE h.id = $1`
	var h Hold
	err := l.db.QueryRowContext(ctx, q, id).Scan(&h.ID, &h.From, &h.To, &h.Amount, &h.Kind, &h.Memo, &h.Reference,
		&h.Status, &h.CommittedAmount, &h.TransactionID, &h.ExpiresAt, &h.CreatedAt, &h.ResolvedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return h, ErrHoldNotFound
	}
	return h, err
}

// ExpireHolds releases up to limit pending holds whose expiry has passed and returns how many it
// released. The expiry is read from PostgreSQL, so nothing depends on Redis; several servers may run
// it at once.
func (l *Ledger) ExpireHolds(ctx context.Context, limit int) (int, error) {
	var ids []int64
	err := l.db.SelectContext(ctx, &ids, `
SELECT id FROM ledger_holds WHERE status = 'pending' AND expires_at <= now() ORDER BY expires_at LIMIT $1`, limit)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		ch, err := callChanges(ctx, l.calls, holdReleaseQuery, id, HoldExpired)
		if errors.Is(err, ErrHoldResolved) {
			continue // committed or voided meanwhile
		}
		if err != nil {
			return n, fmt.Errorf("expire hold %d: %w", id, err)
		}
		if !ch[0].replayed {
			n++
			l.stats.holdsExpired.Add(1)
			l.project(ctx, ch)
		}
	}
	return n, nil
}
