package org

import (
	"context"
	"database/sql"
	"errors"
)

// Org returns the organization with the id.
// Errors: ErrOrgNotFound.
func (r *Registry) Org(ctx context.Context, id int64) (Org, error) {
	var o Org
	err := r.db.GetContext(ctx, &o, `SELECT `+orgColumns+` FROM organizations WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Org{}, ErrOrgNotFound
	}
	return o, err
}

// OrgsInRegion returns a page of the organizations whose region lies within the node (6 or 12
// digits), at any depth, by id: those with an id above after, at most limit of them (DefaultLimit
// when 0, at most MaxLimit). status "" lists both statuses. A node without organizations, or one
// that does not exist, gives an empty page.
// Errors: ErrRegionNotFound (the code is not a division code), ErrInvalid (unknown status).
func (r *Registry) OrgsInRegion(ctx context.Context, code string, status Status, after int64, limit int) ([]Org, error) {
	c, level, ok := normalizeCode(code)
	if !ok {
		return nil, ErrRegionNotFound
	}
	if status != "" && status != Registered && status != Filed {
		return nil, invalid("status", "unknown")
	}
	// "Within the node" is a prefix test on the code, which the text_pattern_ops index answers.
	const q = `
SELECT ` + orgColumns + ` FROM organizations
WHERE region_code LIKE $1 AND ($2 = '' OR status = $2) AND id > $3
ORDER BY id LIMIT $4`
	var out []Org
	err := r.db.SelectContext(ctx, &out, q, c[:prefixLen(level)]+"%", status, max(after, 0), pageLimit(limit))
	return out, err
}

// SubOrgs returns the organizations whose parent is the organization, by id (its direct children;
// call again for theirs).
// Errors: ErrOrgNotFound.
func (r *Registry) SubOrgs(ctx context.Context, id int64) ([]Org, error) {
	var out []Org
	err := r.db.SelectContext(ctx, &out,
		`SELECT `+orgColumns+` FROM organizations WHERE parent_id = $1 ORDER BY id`, id)
	if err == nil && len(out) == 0 {
		_, err = r.Org(ctx, id)
	}
	return out, err
}
