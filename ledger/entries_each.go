package ledger

import (
	"context"
	"time"
)

// EachEntry calls fn with the account's postings made in [from, to), oldest first, read with one
// cursor (the rows come as fn takes them), for statements of any length.
// Errors: ErrAccountNotFound, the database's and fn's.
func (l *Ledger) EachEntry(ctx context.Context, code string, from, to time.Time, fn func(*Entry) error) error {
	a, err := l.Account(ctx, code)
	if err != nil {
		return err
	}
	const q = `
SELECT p.id, p.tx_id, t.kind, t.memo, t.reference, p.amount, p.slot, p.balance_after, p.version_after, p.created_at
FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.tx_id
WHERE p.account_id = $1 AND p.created_at >= $2 AND p.created_at < $3
ORDER BY p.id`
	rows, err := l.db.QueryContext(ctx, q, a.ID, from, to)
	if err != nil {
		return err
	}
	defer rows.Close()
	var e Entry
	for rows.Next() {
		if err := rows.Scan(&e.ID, &e.TransactionID, &e.Kind, &e.Memo, &e.Reference, &e.Amount, &e.Slot,
			&e.BalanceAfter, &e.VersionAfter, &e.CreatedAt); err != nil {
			return err
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	return rows.Err()
}
