package certificate

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"image/png"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
	"timebank/pkg/txn"
)

// MaxSealBytes is the largest seal image accepted.
const MaxSealBytes = 1 << 20

// SetSeal stores the organization's seal image (a PNG, ideally red on a transparent background),
// drawn in the seal area of its certificates' PDFs from then on; nil removes it. Certificates keep
// no copy: the seal belongs to the paper, not to the register.
// Errors: ErrInvalid (actor), ErrBadSeal, ErrOrgNotFound.
func (s *Service) SetSeal(ctx context.Context, by *principal.Principal, orgID int64, image []byte) error {
	bad := fields.Set{}
	if checkActor(by, bad); len(bad) > 0 {
		return bad.Err(ErrInvalid)
	}
	if image != nil {
		cfg, err := png.DecodeConfig(bytes.NewReader(image))
		if len(image) > MaxSealBytes || err != nil || cfg.Width < 16 || cfg.Height < 16 ||
			cfg.Width > 4000 || cfg.Height > 4000 {
			return ErrBadSeal
		}
	}
	return txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM organizations WHERE id = $1`, orgID); errors.Is(err, sql.ErrNoRows) {
			return ErrOrgNotFound
		} else if err != nil {
			return err
		}
		var err error
		if image == nil {
			_, err = tx.ExecContext(ctx, `DELETE FROM org_seals WHERE org_id = $1`, orgID)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO org_seals (org_id, png, updated_by) VALUES ($1, $2, $3)
ON CONFLICT (org_id) DO UPDATE SET png = excluded.png, updated_by = excluded.updated_by, updated_at = now()`,
				orgID, image, by.Label())
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "org.seal_set", Target: "org:" + itoa(orgID),
			OrgID: orgID, After: map[string]any{"bytes": len(image)}})
	})
}

// seal returns the organization's seal image, or nil when it has none.
func seal(ctx context.Context, q sqlx.QueryerContext, orgID int64) ([]byte, error) {
	var b []byte
	err := sqlx.GetContext(ctx, q, &b, `SELECT png FROM org_seals WHERE org_id = $1`, orgID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return b, err
}
