package care

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"

	"timebank/ledger"
	"timebank/pkg/principal"
)

// checkKey checks an idempotency key; "" (no key) is for the service's own callers only.
func checkKey(key string) error {
	if key == "" {
		return nil
	}
	if reason := ledger.KeyReason(key, ledger.MaxKey/2); reason != "" {
		return invalid("idempotency_key", reason)
	}
	return nil
}

// requestHash is a keyed hash of a request as checked: a person's name, address and phone go into
// it, so it is an HMAC under the service's own key, never a plain digest one could test guesses on.
func (s *Service) requestHash(kind string, v any) []byte {
	raw, _ := json.Marshal(v) // plain structs of strings and numbers
	m := hmac.New(sha256.New, s.hashKey)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write(raw)
	return m.Sum(nil)
}

// keyed is the hash kept with a row: none without a key.
func keyed(key string, hash []byte) []byte {
	if key == "" {
		return nil
	}
	return hash
}

// replayed returns the row of table that the principal wrote under the key: its id when the request
// is the same (hash), ErrIdempotency when it is another, 0 when there is none (or no key).
func (s *Service) replayed(ctx context.Context, table string, by *principal.Principal, key string, hash []byte) (int64, error) {
	if key == "" {
		return 0, nil
	}
	var id int64
	var kept []byte
	// table is one of two constants of this package, never input.
	err := s.db.QueryRowxContext(ctx, `SELECT id, request_hash FROM `+table+` WHERE created_by = $1 AND idem_key = $2`,
		by.Label(), key).Scan(&id, &kept)
	if err != nil {
		return 0, notFound(err, nil)
	}
	if !hmac.Equal(kept, hash) {
		return 0, ErrIdempotency
	}
	return id, nil
}
