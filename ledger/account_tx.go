package ledger

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// CreateAccountTx opens an account with a zero balance inside the caller's transaction, so that the
// row that owns the account (an organization, a store) and the account are created together or not
// at all. Nothing is written to Redis here, because the transaction may still roll back: the Redis
// projection of the account is filled on its first read (Balance falls back to PostgreSQL and writes
// what it read back).
// Errors: ErrInvalid, ErrAccountExists.
func (l *Ledger) CreateAccountTx(ctx context.Context, tx *sqlx.Tx, n NewAccount) (Account, error) {
	return createAccount(ctx, tx, n)
}

// CreateGuardedAccountsTx opens many accounts of one kind that may not go negative (one balance row
// each) inside the caller's transaction, in one statement: a bulk import of volunteers opens
// thousands at once.
// Errors: ErrInvalid (a code is malformed or the kind unknown), ErrAccountExists.
func (l *Ledger) CreateGuardedAccountsTx(ctx context.Context, tx *sqlx.Tx, kind string, codes []string) error {
	for _, c := range codes {
		n := NewAccount{Code: c, Kind: kind}
		if err := n.Validate(); err != nil {
			return err
		}
	}
	const stmt = `
WITH a AS (
    INSERT INTO ledger_accounts (code, kind, allow_negative, slots)
    SELECT c, $2, false, 1 FROM unnest($1::text[]) AS c
    RETURNING id
)
INSERT INTO ledger_balances (account_id, slot, allow_negative) SELECT id, 0, false FROM a`
	_, err := tx.ExecContext(ctx, stmt, pq.Array(codes), kind)
	return dbError(err)
}
