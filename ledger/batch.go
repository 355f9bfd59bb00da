package ledger

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/lib/pq"
)

// Batches of holds, placed or committed in one statement (see migration 00008): a caller that
// serves many requests at once (the charity supermarket's orders) pays for a statement per batch
// instead of per hold. A batch is all or nothing; a caller that needs to know which hold failed
// and why places or commits its holds one by one after a failed batch.

const (
	holdManyQuery       = `SELECT * FROM ledger_hold_many($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`
	holdCommitManyQuery = `SELECT * FROM ledger_hold_commit_many($1, $2, $3)`
	availableQuery      = `
SELECT a.code, b.posted - b.pending
FROM unnest((SELECT $1)::text[]) AS x (code)
CROSS JOIN LATERAL (SELECT a.id, a.code FROM ledger_accounts a WHERE a.code = x.code AND NOT a.allow_negative OFFSET 0) a
CROSS JOIN LATERAL (SELECT b.posted, b.pending FROM ledger_balances b WHERE b.account_id = a.id AND b.slot = 0 OFFSET 0) b
ORDER BY a.id
FOR UPDATE OF b`
)

// ErrBatch is returned for a batch that cannot be written as one (requests of different kinds, a
// source that is a split account); place or commit its holds one by one.
var ErrBatch = errors.New("ledger: the batch cannot be written as one")

// Available locks the balance rows of the guarded accounts (volunteers' accounts, which never go
// below zero and have one row) and returns what each may still spend (posted − pending), so that a
// caller can decide which of many holds fit before placing them with HoldMany. Until the Tx ends no
// one else changes these rows. Accounts that do not exist or may go negative are left out of the map.
func (t *Tx) Available(ctx context.Context, codes []string) (map[string]int64, error) {
	rows, err := t.calls.QueryContext(ctx, availableQuery, pq.StringArray(codes))
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	out := make(map[string]int64, len(codes))
	for rows.Next() {
		var (
			code string
			n    int64
		)
		if err := rows.Scan(&code, &n); err != nil {
			return nil, err
		}
		out[code] = n
	}
	return out, dbError(rows.Err())
}

// HoldMany places the holds inside the Tx in one statement, all or nothing, and returns their ids
// in the requests' order. Every request must have the same kind and hold from a one-row account.
// Errors: ErrInvalid, ErrBatch, ErrAccountNotFound, ErrInsufficientFunds (the batch as a whole; the
// holds placed one by one say which), an idempotency key already taken (ErrConflict's kind of
// unique violation; place them one by one).
func (t *Tx) HoldMany(ctx context.Context, rs []HoldRequest) ([]int64, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	now := time.Now()
	n := len(rs)
	var (
		keys, memos, refs, actors, from, to = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		hashes                              = make([][]byte, n)
		amounts                             = make([]int64, n)
		expires                             = make([]string, n)
	)
	for i := range rs {
		r := &rs[i]
		if err := r.Validate(now); err != nil {
			return nil, err
		}
		if r.Kind != rs[0].Kind {
			return nil, ErrBatch
		}
		keys[i], memos[i], refs[i], actors[i], from[i], to[i] = r.IdempotencyKey, r.Memo, r.Reference, r.CreatedBy, r.From, r.To
		hashes[i], amounts[i], expires[i] = r.hash(), r.Amount, r.ExpiresAt.Format(time.RFC3339Nano)
	}
	rows, err := t.calls.QueryContext(ctx, holdManyQuery, pq.StringArray(keys), pq.ByteaArray(hashes), rs[0].Kind,
		pq.StringArray(memos), pq.StringArray(refs), pq.StringArray(actors), pq.StringArray(from), pq.StringArray(to),
		pq.Int64Array(amounts), pq.StringArray(expires))
	idx, chs, err := scanBatch(rows, err)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, n)
	for i, c := range chs {
		ids[idx[i]] = c.id
	}
	t.changes = append(t.changes, chs...)
	return ids, nil
}

// CommitHolds commits each hold ids[i] for amounts[i] (at most the held amount; the rest is
// released), made by actors[i], inside the Tx in one statement, all or nothing, as CommitHold does one, and returns the
// transactions' ids in the holds' order.
// Errors: ErrInvalid, ErrHoldNotFound, ErrHoldResolved (a hold that is not pending, has expired or
// holds less than its amount; commit them one by one to learn which).
func (t *Tx) CommitHolds(ctx context.Context, ids, amounts []int64, actors []string) ([]int64, error) {
	if len(ids) != len(amounts) || len(ids) != len(actors) {
		return nil, invalid("amounts", "too_few")
	}
	if len(ids) == 0 {
		return nil, nil
	}
	for _, a := range amounts {
		if a < 1 || a > MaxAmount {
			return nil, invalid("amount", "range")
		}
	}
	rows, err := t.calls.QueryContext(ctx, holdCommitManyQuery, pq.Int64Array(ids), pq.Int64Array(amounts), pq.StringArray(actors))
	idx, chs, err := scanBatch(rows, err)
	if err != nil {
		return nil, err
	}
	txs := make([]int64, len(ids))
	for i, c := range chs {
		txs[idx[i]] = c.id
	}
	t.changes = append(t.changes, chs...)
	return txs, nil
}

// scanBatch reads a batch function's rows: the place of the request each row answers (from 0),
// then a change.
func scanBatch(rows *sql.Rows, err error) ([]int, []change, error) {
	if err != nil {
		return nil, nil, dbError(err)
	}
	defer rows.Close()
	var (
		idx []int
		out []change
	)
	for rows.Next() {
		var n int
		c, err := scanChange(rows, &n)
		if err != nil {
			return nil, nil, err
		}
		idx, out = append(idx, n-1), append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, dbError(err)
	}
	return idx, out, nil
}
