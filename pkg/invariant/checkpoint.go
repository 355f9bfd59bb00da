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

// Window is where a check that is not one query (the walk of Redis) starts and ends this time, as
// Verify plans its SQL checks: from its checkpoint (ok) unless opt.Full or the checkpoint no longer
// matches its digest, up to end (the newest key); target is the settled key the checkpoint may move
// to once the check is clean (Save).
func Window(ctx context.Context, db *sqlx.DB, c Check, opt Options) (from, end, target int64, ok bool, err error) {
	if err = db.GetContext(ctx, &target, c.Last, opt.Settle.Seconds()); err != nil {
		return 0, 0, 0, false, err
	}
	if end, err = newest(ctx, db, c); err != nil {
		return 0, 0, 0, false, err
	}
	if opt.Full {
		return 0, end, target, false, nil
	}
	from, ok, err = checkpoint(ctx, db, c)
	if err != nil || !ok {
		return 0, end, target, false, err
	}
	return from, end, max(target, from), true, nil
}

// Save moves a check's checkpoint to key upto (see Window), once the check found nothing.
func Save(ctx context.Context, db *sqlx.DB, c Check, upto int64) error { return save(ctx, db, c, upto) }
