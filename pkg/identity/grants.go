package identity

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/pkg/access"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
	"timebank/pkg/txn"
)

// Errors of granting roles.
var (
	// ErrScopeNotFound means the region, organization or store of a grant does not exist.
	ErrScopeNotFound = errors.New("identity: no such region, organization or store")
	// ErrGrantNotFound means there is no active grant with that id.
	ErrGrantNotFound = errors.New("identity: no such role grant")
)

// Change says who makes a privileged change, and in which request, for the audit log.
type Change struct {
	Actor     *principal.Principal
	RequestID string
}

// checkGrant refuses a role at a kind of scope it cannot be held at, or a scope without its target.
func checkGrant(g access.Grant) error {
	if !g.Role.Valid() {
		return invalid("role", "role_unknown")
	}
	if !slices.Contains(g.Role.ScopeKinds(), g.Kind) {
		return invalid("role", "role_scope")
	}
	switch {
	case g.Kind == access.Region && g.RegionCode == "",
		g.Kind == access.Org && g.OrgID <= 0,
		g.Kind == access.Store && g.StoreID <= 0:
		return invalid("scope", "required")
	}
	return nil
}

// MemberGrant is an active grant with the person holding it, for the members page. The phone is
// masked.
type MemberGrant struct {
	ID          int64       `db:"id" json:"id"`
	UserID      int64       `db:"user_id" json:"user_id"`
	Name        string      `db:"name" json:"name"`
	Phone       string      `db:"phone" json:"phone"`
	VolunteerNo string      `db:"volunteer_no" json:"volunteer_no"`
	Role        access.Role `db:"role" json:"role"`
	StoreID     *int64      `db:"store_id" json:"store_id,omitempty"`
	GrantedBy   string      `db:"granted_by" json:"granted_by"`
	GrantedAt   time.Time   `db:"granted_at" json:"granted_at"`
}

// Grant gives the user the role at the grant's scope and records it in the audit log. Granting a role
// the user already holds there changes nothing and returns the existing grant's id.
// Errors: ErrInvalid (*fields.Error), ErrUserNotFound, ErrScopeNotFound.
func (u *Users) Grant(ctx context.Context, ch Change, userID int64, g access.Grant) (int64, error) {
	var id int64
	err := txn.Run(ctx, u.db, func(tx *sqlx.Tx) (err error) {
		id, err = u.GrantTx(ctx, tx, ch, userID, g)
		return err
	})
	if err != nil {
		return 0, err
	}
	u.changed(ctx, userTopic(userID))
	return id, nil
}

// GrantTx is Grant inside the caller's transaction; after it commits, the caller calls
// PrincipalsChanged with the user.
// Errors: ErrInvalid (*fields.Error), ErrUserNotFound, ErrScopeNotFound.
func (u *Users) GrantTx(ctx context.Context, tx *sqlx.Tx, ch Change, userID int64, g access.Grant) (int64, error) {
	if err := checkGrant(g); err != nil {
		return 0, err
	}
	const ins = `
INSERT INTO role_grants (user_id, role, scope_kind, region_code, org_id, store_id, granted_by)
VALUES ($1, $2, $3, nullif($4, ''), nullif($5, 0), nullif($6, 0), $7)
ON CONFLICT DO NOTHING
RETURNING id`
	var id int64
	err := tx.GetContext(ctx, &id, ins, userID, g.Role, g.Kind, g.RegionCode, g.OrgID, g.StoreID, ch.Actor.Label())
	if errors.Is(err, sql.ErrNoRows) {
		return u.activeGrant(ctx, tx, userID, g)
	} else if err != nil {
		return 0, grantError(err)
	}
	err = audit.Record(ctx, tx, audit.Entry{Actor: ch.Actor.Label(), Action: "role.grant", Target: "user:" + itoa(userID),
		RegionCode: g.RegionCode, OrgID: g.OrgID, StoreID: g.StoreID, RequestID: ch.RequestID,
		After: map[string]any{"grant": id, "role": g.Role, "scope": g.Kind}})
	return id, err
}

func (u *Users) activeGrant(ctx context.Context, tx *sqlx.Tx, userID int64, g access.Grant) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, `SELECT id FROM role_grants WHERE user_id = $1 AND role = $2 AND scope_kind = $3
		AND coalesce(region_code, '') = $4 AND coalesce(org_id, 0) = $5 AND coalesce(store_id, 0) = $6
		AND revoked_at IS NULL`, userID, g.Role, g.Kind, g.RegionCode, g.OrgID, g.StoreID)
	return id, err
}

func grantError(err error) error {
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code == "23503" { // foreign key
		if pe.Constraint == "role_grants_user_id_fkey" {
			return ErrUserNotFound
		}
		return ErrScopeNotFound
	}
	return err
}

// GrantByID returns an active grant, so that a caller can check its scope before revoking it.
// Errors: ErrGrantNotFound.
func (u *Users) GrantByID(ctx context.Context, id int64) (int64, access.Grant, error) {
	var userID int64
	var g access.Grant
	err := u.db.QueryRowContext(ctx, `SELECT user_id, role, scope_kind, coalesce(region_code, ''),
		coalesce(org_id, 0), coalesce(store_id, 0) FROM role_grants WHERE id = $1 AND revoked_at IS NULL`, id).
		Scan(&userID, &g.Role, &g.Kind, &g.RegionCode, &g.OrgID, &g.StoreID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, g, ErrGrantNotFound
	}
	return userID, g, err
}

// Revoke ends an active grant (the row stays, with who revoked it and when) and records it.
// Errors: ErrGrantNotFound.
func (u *Users) Revoke(ctx context.Context, ch Change, grantID int64) error {
	var userID int64
	err := txn.Run(ctx, u.db, func(tx *sqlx.Tx) error {
		var g access.Grant
		err := tx.QueryRowContext(ctx, `UPDATE role_grants SET revoked_at = now(), revoked_by = $2
		WHERE id = $1 AND revoked_at IS NULL
		RETURNING user_id, role, scope_kind, coalesce(region_code, ''), coalesce(org_id, 0), coalesce(store_id, 0)`,
			grantID, ch.Actor.Label()).Scan(&userID, &g.Role, &g.Kind, &g.RegionCode, &g.OrgID, &g.StoreID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrGrantNotFound
		} else if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: ch.Actor.Label(), Action: "role.revoke", Target: "user:" + itoa(userID),
			RegionCode: g.RegionCode, OrgID: g.OrgID, StoreID: g.StoreID, RequestID: ch.RequestID,
			Before: map[string]any{"grant": grantID, "role": g.Role, "scope": g.Kind}})
	})
	if err != nil {
		return err
	}
	u.changed(ctx, userTopic(userID))
	return nil
}

// Members returns the active grants held in an organization and in its stores, newest first.
func (u *Users) Members(ctx context.Context, orgID int64) ([]MemberGrant, error) {
	const q = `
SELECT g.id, g.user_id, u.name, u.phone, u.volunteer_no, g.role, g.store_id, g.granted_by, g.granted_at
FROM role_grants g JOIN users u ON u.id = g.user_id
WHERE g.revoked_at IS NULL
  AND (g.org_id = $1 OR g.store_id IN (SELECT id FROM stores WHERE org_id = $1))
ORDER BY g.id DESC
LIMIT 1000`
	var out []MemberGrant
	if err := u.db.SelectContext(ctx, &out, q, orgID); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Phone = MaskPhone(out[i].Phone)
	}
	return out, nil
}
