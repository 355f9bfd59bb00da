package invariant

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jmoiron/sqlx"
)

// checkpoint returns the key up to which a check was last found clean, if there is one and it still
// describes this database (its digest is what it was).
func checkpoint(ctx context.Context, db *sqlx.DB, c Check) (int64, bool, error) {
	var cp struct {
		Upto   int64  `db:"upto"`
		Digest string `db:"digest"`
	}
	err := db.GetContext(ctx, &cp, `SELECT upto, digest FROM verify_checkpoints WHERE name = $1`, c.Since)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	var now string
	if err := db.GetContext(ctx, &now, c.Digest, cp.Upto); err != nil {
		return 0, false, err
	}
	return cp.Upto, now == cp.Digest, nil
}

// save moves a check's checkpoint to key upto, with the digest of what it verified there.
func save(ctx context.Context, db *sqlx.DB, c Check, upto int64) error {
	var digest string
	if err := db.GetContext(ctx, &digest, c.Digest, upto); err != nil {
		return err
	}
	_, err := db.ExecContext(ctx, `INSERT INTO verify_checkpoints (name, upto, digest) VALUES ($1, $2, $3)
ON CONFLICT (name) DO UPDATE SET upto = EXCLUDED.upto, digest = EXCLUDED.digest, verified_at = now()`,
		c.Since, upto, digest)
	return err
}
