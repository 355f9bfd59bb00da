package org

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/lib/pq"
)

// Target is where a thing sits in the region and organization trees, as the access checks need it;
// access.Target is this type. It is declared here because the access package depends on this one
// (for IsWithin), not the other way round.
type Target struct {
	RegionCode string  // the region of the thing's organization (or the region itself)
	OrgIDs     []int64 // its organization and that organization's ancestors, nearest first
	StoreID    int64   // its store, if it is in one
}

// ancestry walks up the organization tree from the organization a seed query selects (id,
// parent_id, region_code, depth 0), and returns the seed's region and the ids nearest first, in one
// row. Parents are created before their children and never change, so the tree has no cycle; the
// depth bound keeps a damaged table from looping.
const (
	ancestryHead = `WITH RECURSIVE up (id, parent_id, region_code, depth) AS (`
	ancestryTail = `
    UNION ALL
    SELECT o.id, o.parent_id, o.region_code, up.depth + 1
    FROM up JOIN organizations o ON o.id = up.parent_id
    WHERE up.depth < 64
)
SELECT (array_agg(region_code ORDER BY depth))[1], array_agg(id ORDER BY depth) FROM up`

	orgTargetQuery = ancestryHead + `
    SELECT id, parent_id, region_code, 0 FROM organizations WHERE id = $1` + ancestryTail
	storeTargetQuery = ancestryHead + `
    SELECT o.id, o.parent_id, o.region_code, 0
    FROM stores s JOIN organizations o ON o.id = s.org_id WHERE s.id = $1` + ancestryTail
)

// OrgTarget returns the organization's place: its region and its id followed by its ancestors'.
// It runs on every request about an organization, as one query.
// Errors: ErrOrgNotFound.
func (r *Registry) OrgTarget(ctx context.Context, orgID int64) (Target, error) {
	t, err := r.target(ctx, orgTargetQuery, orgID)
	if errors.Is(err, sql.ErrNoRows) {
		return Target{}, ErrOrgNotFound
	}
	return t, err
}

// StoreTarget returns the store's place: the store and its organization's target. One query, the
// first time a store is asked for: a store never changes organization, nor an organization its
// parent or region (nothing updates or deletes them), so the answer is kept in memory and holds
// for every instance; the counter asks it before every hand-out.
// Errors: ErrStoreNotFound.
func (r *Registry) StoreTarget(ctx context.Context, storeID int64) (Target, error) {
	if t, ok := r.storeTargets.Load(storeID); ok {
		return t.(Target).clone(), nil
	}
	t, err := r.target(ctx, storeTargetQuery, storeID)
	if errors.Is(err, sql.ErrNoRows) {
		return Target{}, ErrStoreNotFound
	} else if err != nil {
		return Target{}, err
	}
	t.StoreID = storeID
	r.storeTargets.Store(storeID, t.clone())
	return t, nil
}

// clone is the target with its own copy of the organizations, for a caller free to change them.
func (t Target) clone() Target {
	t.OrgIDs = slices.Clone(t.OrgIDs)
	return t
}

func (r *Registry) target(ctx context.Context, query string, id int64) (Target, error) {
	var region sql.NullString
	var ids pq.Int64Array
	// Prepared: every request about an organization or store runs one of these two queries.
	if err := r.ledger.Statements().QueryRow(ctx, r.db, query, id).Scan(&region, &ids); err != nil {
		return Target{}, err
	}
	if !region.Valid {
		return Target{}, sql.ErrNoRows
	}
	return Target{RegionCode: region.String, OrgIDs: ids}, nil
}

// RegionTarget returns the place of a region node (6 or 12 digits); it needs no query. A code that
// is not a division code is kept as given, and only a platform grant covers it.
func RegionTarget(code string) Target {
	if c, _, ok := normalizeCode(code); ok {
		code = c
	}
	return Target{RegionCode: code}
}
