package org

import (
	"context"

	"github.com/lib/pq"
)

// subtreeQuery walks down the organization tree from one organization. Parents are created before
// their children and never change, so the tree has no cycle; the depth bound keeps a damaged table
// from looping, as ancestry's does going up.
const subtreeQuery = `
WITH RECURSIVE down (id, depth) AS (
    SELECT id, 0 FROM organizations WHERE id = $1
    UNION ALL
    SELECT o.id, down.depth + 1
    FROM down JOIN organizations o ON o.parent_id = down.id
    WHERE down.depth < 64
)
SELECT coalesce(array_agg(id ORDER BY depth, id), '{}') FROM down`

// Subtree returns the organization's id followed by the ids of the organizations under it at any
// depth, nearest first: a kiosk of a federation lists its member teams' activities too.
// Errors: ErrOrgNotFound.
func (r *Registry) Subtree(ctx context.Context, id int64) ([]int64, error) {
	var ids pq.Int64Array
	if err := r.db.QueryRowContext(ctx, subtreeQuery, id).Scan(&ids); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, ErrOrgNotFound
	}
	return ids, nil
}
