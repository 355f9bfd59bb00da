package ledger

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Entry is one posting in an account's statement.
type Entry struct {
	ID            int64  `json:"id"`
	TransactionID int64  `json:"transaction_id"`
	Kind          string `json:"kind"`
	Memo          string `json:"memo"`
	Reference     string `json:"reference"`
	// Reverses is the reference of the transaction a reversal takes back ("" for any other), so that
	// a statement can say what was taken back.
	Reverses     string    `json:"-"`
	Amount       int64     `json:"amount"`
	Slot         int       `json:"slot"`
	BalanceAfter int64     `json:"balance_after"`
	VersionAfter int64     `json:"version_after"`
	CreatedAt    time.Time `json:"created_at"`
}

// MaxPage is the most entries one page returns.
const MaxPage = 200

// Entries returns the account's postings newest first, starting below the posting id after (0: from
// the newest), at most limit of them, and the cursor for the next page (0 when there is none).
// Errors: ErrAccountNotFound.
func (l *Ledger) Entries(ctx context.Context, code string, after int64, limit int) ([]Entry, int64, error) {
	a, err := l.Account(ctx, code)
	if err != nil {
		return nil, 0, err
	}
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	const q = `
SELECT p.id, p.tx_id, t.kind, t.memo, t.reference, coalesce(o.reference, ''), p.amount, p.slot, p.balance_after,
       p.version_after, p.created_at
FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.tx_id
LEFT JOIN ledger_transactions o ON o.id = t.reverses
WHERE p.account_id = $1 AND ($2::bigint = 0 OR p.id < $2::bigint)
ORDER BY p.id DESC LIMIT $3`
	rows, err := l.db.QueryContext(ctx, q, a.ID, after, limit+1)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := make([]Entry, 0, limit)
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.ID, &e.TransactionID, &e.Kind, &e.Memo, &e.Reference, &e.Reverses, &e.Amount, &e.Slot,
			&e.BalanceAfter, &e.VersionAfter, &e.CreatedAt); err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	var next int64
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, nil
}

// PostedAfter returns the account's posted balance right after the transaction: what a receipt,
// printed then or reprinted later, shows as left at the time of the sale.
// Errors: ErrAccountNotFound, ErrTransactionNotFound (the transaction did not post to the account).
func (l *Ledger) PostedAfter(ctx context.Context, code string, txID int64) (int64, error) {
	a, err := l.Account(ctx, code)
	if err != nil {
		return 0, err
	}
	var after int64
	err = l.db.QueryRowContext(ctx, `SELECT balance_after FROM ledger_postings WHERE tx_id = $1 AND account_id = $2`,
		txID, a.ID).Scan(&after)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrTransactionNotFound
	}
	return after, err
}
