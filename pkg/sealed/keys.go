package sealed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/audit"
	"timebank/pkg/txn"
)

// The key table: sealed_key_versions holds every key version in use, one table for every sealed
// column of the service. The newest version seals new values; a version is finished when no row of
// any sealed table is left under an older one.
//
// A sealed table follows one convention, which is how Rotate finds it without a list to forget: its
// sealed columns are bytea named <field>_sealed and sealed for the column name "<table>.<field>",
// its rows have an id, and its key_version column (a foreign key to sealed_key_versions) is the
// version every sealed column of the row is under.

// Current is the key version new values are sealed under, read inside the writer's transaction with
// a share lock: a rotation starting meanwhile waits for the write to commit, so that no row sealed
// under an older version comes after the rotation has passed. Seal with box.At(v), and write v in the
// row's key_version.
//
// The lock is taken on the row the statement's snapshot found newest; if the statement waited for
// it (a rotation holding it while it started the next version), the next version may have been
// committed meanwhile, and the rotation's wait be over. So the newest is read again, after the lock,
// in a snapshot of its own, until the two agree.
func Current(ctx context.Context, tx *sqlx.Tx) (int, error) {
	for {
		var locked, newest int
		if err := tx.GetContext(ctx, &locked, `SELECT version FROM sealed_key_versions ORDER BY version DESC LIMIT 1 FOR SHARE`); err != nil {
			return 0, err
		}
		if err := tx.GetContext(ctx, &newest, `SELECT max(version) FROM sealed_key_versions`); err != nil {
			return 0, err
		}
		if newest == locked {
			return locked, nil
		}
	}
}

// Rotation is what a key rotation did.
type Rotation struct {
	Version  int            `json:"version"`  // the key version every sealed row is now under
	Resealed int            `json:"resealed"` // rows re-sealed by this run, all tables together
	Tables   map[string]int `json:"tables"`   // rows re-sealed by this run, per table
	Started  bool           `json:"started"`  // this run started the version (not resumed, not already done)
}

// ErrRotationTarget means the version asked for is neither the newest nor the one after it.
var ErrRotationTarget = errors.New("sealed: key version out of sequence")

// Rotate re-seals every sealed column of every table (see the convention above) under key version
// to, with box's secret (0: resume an unfinished rotation, or start the next version). It is
// idempotent (a finished version is left as it is) and resumable (an interrupted run is finished by
// the next): rows are re-sealed in batches, each committed, skipping rows a writer holds, and the
// version is marked finished only when no row of any table is left under an older one. Instances
// still running open every version, and seal new rows under the newest from the moment it is
// started. by names who rotates in the audit log. Errors: ErrRotationTarget.
func Rotate(ctx context.Context, db *sqlx.DB, box *Box, by string, to, batch int) (Rotation, error) {
	if batch <= 0 {
		batch = 500
	}
	r := Rotation{Tables: map[string]int{}}
	err := txn.Run(ctx, db, func(tx *sqlx.Tx) error {
		var newest int
		var finished sql.NullTime
		if err := tx.QueryRowxContext(ctx, `SELECT version, finished_at FROM sealed_key_versions ORDER BY version DESC LIMIT 1 FOR UPDATE`).
			Scan(&newest, &finished); err != nil {
			return err
		}
		switch {
		case to == 0 && !finished.Valid, to == newest:
			r.Version = newest
		case (to == 0 || to == newest+1) && newest < 0xffff:
			r.Version, r.Started = newest+1, true
			_, err := tx.ExecContext(ctx, `INSERT INTO sealed_key_versions (version, started_by) VALUES ($1, $2)`, r.Version, by)
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
	if err := txn.Run(ctx, db, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `SELECT version FROM sealed_key_versions WHERE version < $1 FOR UPDATE`, r.Version)
		return err
	}); err != nil {
		return r, err
	}
	tables, err := sealedTables(ctx, db)
	if err != nil {
		return r, err
	}
	b := box.At(r.Version)
	for _, t := range tables {
		n, err := t.reseal(ctx, db, b, batch)
		r.Resealed += n
		r.Tables[t.name] = n
		if err != nil {
			return r, err
		}
	}
	err = txn.Run(ctx, db, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sealed_key_versions SET finished_at = now() WHERE version = $1 AND finished_at IS NULL`, r.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // finished already: nothing to record
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: "sealed.rotate_key", Target: fmt.Sprint("sealed_key:", r.Version),
			After: map[string]any{"version": r.Version, "resealed": r.Resealed, "tables": r.Tables}})
	})
	return r, err
}

// reseal re-seals the table's rows under an older version than b's, batch by batch, until none is
// left (rows a writer holds are skipped and waited for).
func (t sealedTable) reseal(ctx context.Context, db *sqlx.DB, b *Box, batch int) (int, error) {
	total := 0
	for {
		n, err := t.resealBatch(ctx, db, b, batch)
		total += n
		if err != nil {
			return total, err
		}
		if n > 0 {
			continue
		}
		var left int
		if err := db.GetContext(ctx, &left, `SELECT count(*) FROM `+t.quoted()+` WHERE `+quote(t.version)+` < $1`, b.Current()); err != nil {
			return total, err
		}
		if left == 0 {
			return total, nil
		}
		select { // the rows left are locked by a writer for a moment
		case <-ctx.Done():
			return total, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
