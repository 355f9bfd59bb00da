package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"

	"timebank/pkg/access"
	"timebank/pkg/prepared"
	"timebank/pkg/principal"
)

// ErrDeviceNotFound means the device token is unknown or revoked.
var ErrDeviceNotFound = errors.New("identity: no such device token")

// grantsJSON aggregates a user's active grants with the names of their scopes, for one query.
const grantsJSON = `coalesce(json_agg(json_build_object(
        'role', g.role, 'scope', g.scope_kind, 'region_code', coalesce(g.region_code, ''),
        'org_id', coalesce(g.org_id, 0), 'store_id', coalesce(g.store_id, 0),
        'scope_name', coalesce(r.name, o.name, st.name, ''))
        ORDER BY g.id) FILTER (WHERE g.id IS NOT NULL), '[]')`

// Principal returns the user as the access checks see them: their name and active grants.
// Errors: ErrUserNotFound.
func (u *Users) Principal(ctx context.Context, id int64) (access.Principal, error) {
	kept := u.cache.userMap()
	if p, ok := kept.Get(id); ok {
		return p, nil
	}
	gen := kept.Gen()
	const q = `
SELECT u.name, ` + grantsJSON + `
FROM users u
LEFT JOIN role_grants g ON g.user_id = u.id AND g.revoked_at IS NULL
LEFT JOIN regions r ON r.code = g.region_code
LEFT JOIN organizations o ON o.id = g.org_id
LEFT JOIN stores st ON st.id = g.store_id
WHERE u.id = $1
GROUP BY u.id`
	var name string
	var grants []byte
	err := u.stmts().QueryRow(ctx, u.db, q, id).Scan(&name, &grants)
	if errors.Is(err, sql.ErrNoRows) {
		return access.Principal{}, ErrUserNotFound
	} else if err != nil {
		return access.Principal{}, err
	}
	p := access.Principal{Principal: principal.Principal{UserID: id, Name: name}}
	if err := json.Unmarshal(grants, &p.Grants); err != nil {
		return access.Principal{}, err
	}
	kept.Keep(gen, id, p)
	return p, nil
}

// stmts are the pool's prepared statements, shared with the ledger: the principal is loaded on
// every signed-in request. Without a ledger, queries run unprepared.
func (u *Users) stmts() *prepared.Statements {
	if u.ledger == nil {
		return nil
	}
	return u.ledger.Statements()
}

// deviceTokenPrefix starts every device token, so that the web layer tells them from session tokens.
const deviceTokenPrefix = "tbd_"

// hashDeviceToken is what the database keeps of a device token: a leaked table gives no usable token.
func hashDeviceToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func newDeviceToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return deviceTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// DevicePrincipal returns the kiosk or counter device that holds the token, with its one grant.
// Errors: ErrDeviceNotFound.
func (u *Users) DevicePrincipal(ctx context.Context, token string) (access.Principal, error) {
	const q = `
SELECT d.id, d.label, d.role, coalesce(d.org_id, 0), coalesce(d.store_id, 0)
FROM device_tokens d WHERE d.token_hash = $1 AND d.revoked_at IS NULL`
	hash := sha256.Sum256([]byte(token))
	kept := u.cache.deviceMap()
	if p, ok := kept.Get(hash); ok {
		return p, nil
	}
	gen := kept.Gen()
	var id, orgID, storeID int64
	var label, role string
	err := u.stmts().QueryRow(ctx, u.db, q, hash[:]).Scan(&id, &label, &role, &orgID, &storeID)
	if errors.Is(err, sql.ErrNoRows) {
		return access.Principal{}, ErrDeviceNotFound
	} else if err != nil {
		return access.Principal{}, err
	}
	d := Device{ID: id, Label: label, Role: access.Role(role), OrgID: &orgID}
	if storeID != 0 {
		d.OrgID, d.StoreID = nil, &storeID
	}
	p := d.Principal()
	kept.Keep(gen, hash, p)
	return p, nil
}

// Principal is the device as the access checks see it: its label and its one grant, at its store
// (a counter) or its organization (a kiosk).
func (d Device) Principal() access.Principal {
	g := access.Grant{Role: d.Role, Kind: access.Org}
	switch {
	case d.StoreID != nil:
		g = access.Grant{Role: d.Role, Kind: access.Store, StoreID: *d.StoreID}
	case d.OrgID != nil:
		g.OrgID = *d.OrgID
	}
	return access.Principal{Principal: principal.Principal{DeviceID: d.ID, Name: d.Label}, Grants: []access.Grant{g}}
}

// IsDeviceToken reports whether a bearer token is shaped like a device token.
func IsDeviceToken(token string) bool {
	return len(token) > len(deviceTokenPrefix) && token[:len(deviceTokenPrefix)] == deviceTokenPrefix
}
