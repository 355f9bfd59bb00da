package identity

import (
	"context"
)

// RegionGrant is an active role held at a region node, as the members page lists a grant (no
// store), with the name of who granted it, for the node's page of people and roles. The phone is
// masked.
type RegionGrant struct {
	MemberGrant
	// GrantedByName is the name of the person GrantedBy labels, empty when it was not a person.
	GrantedByName string `db:"granted_by_name" json:"granted_by_name"`
}

// MaxRegionGrants bounds the roles a node's list returns: a node has a handful of administrators and
// grid workers, never thousands.
const MaxRegionGrants = 1000

// RegionGrants returns the active roles held at the region node itself (not at the nodes below it),
// the most powerful role first, then the newest.
func (u *Users) RegionGrants(ctx context.Context, code string) ([]RegionGrant, error) {
	// The granter's name is found through the person's id in the label, so that the join uses the
	// users' key.
	const q = `
SELECT g.id, g.user_id, u.name, u.phone, u.volunteer_no, g.role, g.granted_at, g.granted_by,
       coalesce(b.name, '') AS granted_by_name
FROM role_grants g
JOIN users u ON u.id = g.user_id
LEFT JOIN users b ON b.id = CASE WHEN g.granted_by ~ '^user:[0-9]{1,18}$' THEN substr(g.granted_by, 6)::bigint END
WHERE g.scope_kind = 'region' AND g.region_code = $1 AND g.revoked_at IS NULL
ORDER BY CASE g.role WHEN 'region_admin' THEN 0 WHEN 'auditor' THEN 1 ELSE 2 END, g.id DESC
LIMIT $2`
	out := []RegionGrant{}
	if err := u.db.SelectContext(ctx, &out, q, code, MaxRegionGrants); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Phone = MaskPhone(out[i].Phone)
	}
	return out, nil
}

// RegionGrantByID returns the active grant when it is held at the region node, so that a page or
// route about the node acts on its own grants only.
// Errors: ErrGrantNotFound (no active grant with that id at that node).
func (u *Users) RegionGrantByID(ctx context.Context, code string, id int64) (RegionGrant, error) {
	gs, err := u.RegionGrants(ctx, code)
	if err != nil {
		return RegionGrant{}, err
	}
	for _, g := range gs {
		if g.ID == id {
			return g, nil
		}
	}
	return RegionGrant{}, ErrGrantNotFound
}
