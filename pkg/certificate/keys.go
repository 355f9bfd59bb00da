package certificate

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/pkg/audit"
	"timebank/pkg/txn"
)

// ErrKeyRotated means another rotation of the keys ran at the same moment: the keys moved on once.
var ErrKeyRotated = errors.New("certificate: the keys were rotated at the same moment by someone else")

// ErrNoKeyLeft means the 255 key ids a code can name are all used.
var ErrNoKeyLeft = errors.New("certificate: every key id is used")

// Keys returns the keys that sign and verify certificates, oldest first: the last one signs new
// certificates, and every one keeps verifying what it signed.
// Errors: none of its own (database errors only).
func (s *Service) Keys(ctx context.Context) ([]Key, error) {
	return loadKeys(ctx, s.db)
}

func loadKeys(ctx context.Context, q sqlx.QueryerContext) ([]Key, error) {
	var keys []Key
	err := sqlx.SelectContext(ctx, q, &keys, `SELECT kid, since FROM certificate_keys ORDER BY kid`)
	return keys, err
}

// signerOf returns the signer of the keys the register of keys holds now, read through q, so that a
// rotation by any instance counts at once everywhere.
func (s *Service) signerOf(ctx context.Context, q sqlx.QueryerContext) (*Signer, error) {
	keys, err := loadKeys(ctx, q)
	if err != nil {
		return nil, err
	}
	return NewSigner(s.derive, keys)
}

// RotateKey moves signing on to the next key id, from now on: new certificates are signed by it,
// and the certificates signed by the older keys keep verifying, online and offline (the public keys
// document lists every key with the date it began to sign). by names who rotated (an operator's
// command: "operator"). It is audited.
// Errors: ErrKeyRotated, ErrNoKeyLeft.
func (s *Service) RotateKey(ctx context.Context, by string) (Key, error) {
	var k Key
	err := txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &k, `INSERT INTO certificate_keys (kid, since, rotated_by)
SELECT max(kid) + 1, $1, $2 FROM certificate_keys RETURNING kid, since`, s.now(), by)
		var pqErr *pq.Error
		if errors.As(err, &pqErr) && pqErr.Code == "23505" {
			return ErrKeyRotated
		} else if errors.As(err, &pqErr) && pqErr.Constraint == "certificate_keys_kid" {
			return ErrNoKeyLeft
		} else if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: "certificate.rotate_key",
			Target: fmt.Sprintf("certificate-key:%d", k.ID), After: map[string]any{"kid": k.ID, "since": k.Since}})
	})
	return k, err
}
