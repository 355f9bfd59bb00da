package ledger

import (
	"context"

	"github.com/jmoiron/sqlx"
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
