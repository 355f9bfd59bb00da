package audit

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The kinds of Scope; they are the values of access.ScopeKind.
const (
	ScopePlatform = "platform"
	ScopeRegion   = "region"
	ScopeOrg      = "org"
	ScopeStore    = "store"
)

// Scope is a part of the log a reader may see: the scope of one of the reader's grants. It holds the
// fields of access.Grant that say where (this package cannot import access, which depends on the
// packages that record here), so a caller converts each grant of
// principal.Scopes(access.ReadAudit):
//
//	audit.Scope{Kind: string(g.Kind), RegionCode: g.RegionCode, OrgID: g.OrgID, StoreID: g.StoreID}
type Scope struct {
	Kind       string // ScopePlatform, ScopeRegion, ScopeOrg or ScopeStore
	RegionCode string // region: entries whose region lies within this node (6 or 12 digits)
	OrgID      int64  // org: entries of this organization and of its sub-organizations, at any depth
	StoreID    int64  // store: entries of this store
}

// Filter selects a page of the log.
type Filter struct {
	Scopes []Scope // what the reader may see; no scope (or only unusable ones) sees nothing
	After  int64   // the id of the last entry of the previous page; 0 for the newest page
	Limit  int     // page size: DefaultLimit when 0, at most MaxLimit
}

// Page sizes of List.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// List returns the entries the scopes cover, newest first, at most Limit of them, all with an id
// below After when After is set. A region scope covers the entries whose region lies within its
// node; an organization scope those of the organization and every organization below it (found in
// the database at the time of the call); a store scope those of the store. Entries without a place
// (a platform administrator's own grants) are seen by platform scopes only.
func List(ctx context.Context, q sqlx.QueryerContext, f Filter) ([]Entry, error) {
	var (
		all      bool
		prefixes []string
		orgs     []int64
		stores   []int64
	)
	for _, s := range f.Scopes {
		switch s.Kind {
		case ScopePlatform:
			all = true
		case ScopeRegion:
			if p, ok := regionPrefix(s.RegionCode); ok {
				prefixes = append(prefixes, p+"%")
			}
		case ScopeOrg:
			if s.OrgID > 0 {
				orgs = append(orgs, s.OrgID)
			}
		case ScopeStore:
			if s.StoreID > 0 {
				stores = append(stores, s.StoreID)
			}
		}
	}
	if !all && len(prefixes) == 0 && len(orgs) == 0 && len(stores) == 0 {
		return nil, nil
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	// The organizations below an org scope are found by walking down the tree; UNION (not UNION
	// ALL) stops the walk should the tree ever hold a cycle.
	const query = `
WITH RECURSIVE orgs (id) AS (
    SELECT id FROM organizations WHERE id = ANY($3::bigint[])
    UNION
    SELECT o.id FROM organizations o JOIN orgs ON o.parent_id = orgs.id
)
SELECT a.id, a.at, a.actor, a.action, a.target, coalesce(a.region_code, ''), coalesce(a.org_id, 0),
       coalesce(a.store_id, 0), a.before, a.after, a.request_id
FROM audit_log a
WHERE ($5 = 0 OR a.id < $5)
  AND ($1 OR a.region_code LIKE ANY($2::text[]) OR a.org_id IN (SELECT id FROM orgs)
       OR a.store_id = ANY($4::bigint[]))
ORDER BY a.id DESC
LIMIT $6`
	rows, err := q.QueryContext(ctx, query, all, pq.StringArray(prefixes), pq.Int64Array(orgs),
		pq.Int64Array(stores), max(f.After, 0), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var before, after []byte
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Target, &e.RegionCode, &e.OrgID,
			&e.StoreID, &before, &after, &e.RequestID); err != nil {
			return nil, err
		}
		if before != nil {
			e.Before = json.RawMessage(before)
		}
		if after != nil {
			e.After = json.RawMessage(after)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// partEnds are where the parts of a 12-digit division code end: PP CC DD SSS RRR.
var partEnds = [...]int{2, 4, 6, 9, 12}

// regionPrefix returns the leading digits that every code within the region node shares: the code
// up to its last non-zero part. It is the rule of org.IsWithin, repeated here because the org
// package records into this one; a code that is not a well-formed division code covers nothing.
func regionPrefix(code string) (string, bool) {
	code = strings.TrimSpace(code)
	if len(code) == 6 {
		code += "000000"
	}
	if !validRegionCode(code) || code[:2] == "00" {
		return "", false
	}
	keep := partEnds[0]
	for i := 1; i < len(partEnds); i++ {
		if strings.Trim(code[partEnds[i-1]:partEnds[i]], "0") == "" {
			// A zero part ends the code: a non-zero part after it makes the code malformed.
			if strings.Trim(code[partEnds[i]:], "0") != "" {
				return "", false
			}
			break
		}
		keep = partEnds[i]
	}
	return code[:keep], true
}

// validRegionCode reports whether s has the stored form of a division code: 12 digits.
func validRegionCode(s string) bool { return len(s) == 12 && allDigits(s) }
