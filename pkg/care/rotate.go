package care

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/audit"
	"timebank/pkg/principal"
)

// Rotation is what a key rotation did.
type Rotation struct {
	Version  int  `json:"version"`  // the key version every row is now sealed under
	Resealed int  `json:"resealed"` // rows re-sealed by this run
	Started  bool `json:"started"`  // this run started the version (not resumed, not already done)
}

// ErrRotationTarget means the version asked for is neither the newest nor the one after it.
var ErrRotationTarget = errors.New("care: key version out of sequence")

// Rotate re-seals every row of the registry under key version to (0: resume an unfinished rotation,
// or start the next version). It is idempotent (a finished version is left as it is) and resumable
// (an interrupted run is finished by the next): rows are re-sealed in batches, each committed, and
// the version is marked finished only when no row is left under an older one. Instances still
// running open every version, and seal new rows under the newest from the moment it is started.
// Errors: ErrRotationTarget.
func (s *Service) Rotate(ctx context.Context, by *principal.Principal, to, batch int) (Rotation, error) {
	if batch <= 0 {
		batch = 200
	}
	var r Rotation
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var newest int
		var finished sql.NullTime
		if err := tx.QueryRowxContext(ctx, `SELECT version, finished_at FROM care_key_versions ORDER BY version DESC LIMIT 1 FOR UPDATE`).
			Scan(&newest, &finished); err != nil {
			return err
		}
		switch {
		case to == 0 && !finished.Valid, to == newest:
			r.Version = newest
		case to == 0 || to == newest+1:
			r.Version, r.Started = newest+1, true
			_, err := tx.ExecContext(ctx, `INSERT INTO care_key_versions (version, started_by) VALUES ($1, $2)`, r.Version, by.Label())
			return err
		default:
			return fmt.Errorf("%w: %d (newest %d)", ErrRotationTarget, to, newest)
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	// Writers hold a share lock on the version they seal under until they commit: waiting for those
	// locks means no row sealed under an older version is still to come.
	if err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `SELECT version FROM care_key_versions WHERE version < $1 FOR UPDATE`, r.Version)
		return err
	}); err != nil {
		return r, err
	}
	for {
		n, err := s.resealBatch(ctx, r.Version, batch)
		if err != nil {
			return r, err
		}
		r.Resealed += n
		if n > 0 {
			continue
		}
		var left int
		if err := s.db.GetContext(ctx, &left, `SELECT count(*) FROM care_people WHERE key_version < $1`, r.Version); err != nil {
			return r, err
		}
		if left == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond) // the rows left are locked by a writer for a moment
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE care_key_versions SET finished_at = now() WHERE version = $1 AND finished_at IS NULL`, r.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // finished already: nothing to record
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "care.rotate_key", Target: "care_key:" + fmt.Sprint(r.Version),
			After: map[string]int{"version": r.Version, "resealed": r.Resealed}})
	})
	return r, err
}

// resealBatch re-seals up to batch rows sealed under an older version than to, in one transaction.
func (s *Service) resealBatch(ctx context.Context, to, batch int) (int, error) {
	b := s.box(to)
	n := 0
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		rows, err := tx.QueryxContext(ctx, `SELECT id, name_sealed, address_sealed, phone_sealed FROM care_people
WHERE key_version < $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`, to, batch)
		if err != nil {
			return err
		}
		type row struct {
			id                   int64
			name, address, phone []byte
		}
		var todo []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.name, &r.address, &r.phone); err != nil {
				rows.Close()
				return err
			}
			todo = append(todo, r)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range todo {
			var vals [3][]byte
			for i, c := range []struct {
				col string
				v   []byte
			}{{colName, r.name}, {colAddress, r.address}, {colPhone, r.phone}} {
				if vals[i], _, err = b.Reseal(c.col, c.v); err != nil {
					return fmt.Errorf("care: person %d %s: %w", r.id, c.col, err)
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE care_people SET name_sealed = $2, address_sealed = $3, phone_sealed = $4,
    key_version = $5 WHERE id = $1`, r.id, vals[0], vals[1], vals[2], to); err != nil {
				return err
			}
		}
		n = len(todo)
		return nil
	})
	return n, err
}
