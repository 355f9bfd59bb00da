package identity

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/access"
	"timebank/pkg/audit"
	"timebank/pkg/txn"
)

// Device is a kiosk screen (an organization's check-in codes) or a counter PC (one store), acting with
// a token an administrator created. The token is shown once; the database keeps its hash.
type Device struct {
	ID        int64       `db:"id" json:"id"`
	Label     string      `db:"label" json:"label"`
	Role      access.Role `db:"role" json:"role"`
	OrgID     *int64      `db:"org_id" json:"org_id,omitempty"`
	StoreID   *int64      `db:"store_id" json:"store_id,omitempty"`
	CreatedBy string      `db:"created_by" json:"created_by"`
	CreatedAt time.Time   `db:"created_at" json:"created_at"`
	RevokedAt *time.Time  `db:"revoked_at" json:"revoked_at,omitempty"`
}

const deviceColumns = `id, label, role, org_id, store_id, created_by, created_at, revoked_at`

// CreateDevice issues a device token: a kiosk for an organization (orgID) or a counter for a store
// (storeID). It returns the token, which is never stored nor shown again.
// Errors: ErrInvalid (*fields.Error), ErrScopeNotFound.
func (u *Users) CreateDevice(ctx context.Context, ch Change, role access.Role, orgID, storeID int64, label string) (Device, string, error) {
	label, ok := cleanName(label)
	switch {
	case !ok:
		return Device{}, "", invalid("label", "label_length")
	case role == access.Kiosk && orgID <= 0, role == access.Counter && storeID <= 0:
		return Device{}, "", invalid("scope", "required")
	case role != access.Kiosk && role != access.Counter:
		return Device{}, "", invalid("role", "role_unknown")
	}
	if role == access.Kiosk {
		storeID = 0
	} else {
		orgID = 0
	}
	token := newDeviceToken()
	var d Device
	err := txn.Run(ctx, u.db, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &d, `INSERT INTO device_tokens (token_hash, label, role, org_id, store_id, created_by)
		VALUES ($1, $2, $3, nullif($4, 0), nullif($5, 0), $6) RETURNING `+deviceColumns,
			hashDeviceToken(token), label, role, orgID, storeID, ch.Actor.Label())
		if err != nil {
			return grantError(err)
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: ch.Actor.Label(), Action: "device.create", Target: "device:" + itoa(d.ID),
			OrgID: orgID, StoreID: storeID, RequestID: ch.RequestID, After: map[string]any{"label": label, "role": role}})
	})
	if err != nil {
		return Device{}, "", err
	}
	return d, token, nil
}

// DeviceByID returns a device, revoked or not. Errors: ErrDeviceNotFound.
func (u *Users) DeviceByID(ctx context.Context, id int64) (Device, error) {
	var d Device
	err := u.db.GetContext(ctx, &d, `SELECT `+deviceColumns+` FROM device_tokens WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrDeviceNotFound
	}
	return d, err
}

// RevokeDevice stops a device token from working, at once, and records it.
// Errors: ErrDeviceNotFound (unknown or already revoked).
func (u *Users) RevokeDevice(ctx context.Context, ch Change, id int64) error {
	err := txn.Run(ctx, u.db, func(tx *sqlx.Tx) error {
		var d Device
		err := tx.GetContext(ctx, &d, `UPDATE device_tokens SET revoked_at = now(), revoked_by = $2
		WHERE id = $1 AND revoked_at IS NULL RETURNING `+deviceColumns, id, ch.Actor.Label())
		if errors.Is(err, sql.ErrNoRows) {
			return ErrDeviceNotFound
		} else if err != nil {
			return err
		}
		e := audit.Entry{Actor: ch.Actor.Label(), Action: "device.revoke", Target: "device:" + itoa(id), RequestID: ch.RequestID,
			Before: map[string]any{"label": d.Label, "role": d.Role}}
		if d.OrgID != nil {
			e.OrgID = *d.OrgID
		}
		if d.StoreID != nil {
			e.StoreID = *d.StoreID
		}
		return audit.Record(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	u.changed(ctx, deviceTopic(id))
	return nil
}

// Devices returns the devices of an organization and of its stores, newest first, revoked ones too.
func (u *Users) Devices(ctx context.Context, orgID int64) ([]Device, error) {
	var out []Device
	err := u.db.SelectContext(ctx, &out, `SELECT `+deviceColumns+` FROM device_tokens
		WHERE org_id = $1 OR store_id IN (SELECT id FROM stores WHERE org_id = $1) ORDER BY id DESC LIMIT 1000`, orgID)
	return out, err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
