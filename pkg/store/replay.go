package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"

	"timebank/ledger"
)

// keyScopes names, for each table that keeps requests by idempotency key, the column its keys are
// unique within: the caller (idem_scope) or the store.
var keyScopes = map[string]string{"store_donations": "idem_scope", "store_adjustments": "idem_scope",
	"store_orders": "idem_scope", "store_aid": "store_id", "store_households": "store_id"}

// replayed looks up an earlier request with the idempotency key within scope in the table and
// returns its id (0 when there is none); a different request under the same key is a conflict.
func (s *Service) replayed(ctx context.Context, table string, scope any, key string, hash []byte) (int64, error) {
	col, ok := keyScopes[table]
	if !ok {
		panic("store: replayed: unknown table " + table)
	}
	var row struct {
		ID   int64  `db:"id"`
		Hash []byte `db:"request_hash"`
	}
	err := s.st.Get(ctx, s.db, &row,
		`SELECT id, request_hash FROM `+table+` WHERE `+col+` = $1 AND idem_key = $2`, scope, key)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, nil
	case err != nil:
		return 0, err
	case !slices.Equal(row.Hash, hash):
		return 0, ErrIdempotencyConflict
	}
	return row.ID, nil
}

// requestHash identifies a request for idempotency: the same key with the same hash is a replay.
// The kind separates requests of different kinds that happen to marshal alike.
func requestHash(kind string, v any) []byte {
	b, _ := json.Marshal(v) // request structs always marshal
	h := sha256.New()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write(b)
	return h.Sum(nil)
}

// maxKey is the longest idempotency key the store takes: half the ledger's, so that the ledger keys
// the store builds from it (with the kind and scope in front) still fit.
const maxKey = ledger.MaxKey / 2

// checkKey refuses idempotency keys by the ledger's one rule for them (ledger.KeyReason).
func checkKey(key string) error {
	if reason := ledger.KeyReason(key, maxKey); reason != "" {
		return invalid("idempotency_key", reason)
	}
	return nil
}
