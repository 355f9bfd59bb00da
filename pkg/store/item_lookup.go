package store

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// itemsByID returns the store's items with the ids, or a LineError naming the first line whose
// item the store does not have.
func (s *Service) itemsByID(ctx context.Context, q sqlx.QueryerContext, storeID int64, ids []int64) (map[int64]Item, error) {
	out, err := s.itemsWithIDs(ctx, q, storeID, ids)
	if err != nil {
		return nil, err
	}
	if missing := missingItems(ids, out); len(missing) > 0 {
		return nil, missing[0]
	}
	return out, nil
}

// itemsWithIDs returns those of the store's items with the ids that it has.
func (s *Service) itemsWithIDs(ctx context.Context, q sqlx.QueryerContext, storeID int64, ids []int64) (map[int64]Item, error) {
	var items []Item
	err := sqlx.SelectContext(ctx, q, &items, itemQuery+` AND i.id = ANY($3) GROUP BY i.id`,
		storeID, today(s.now()).Format(dayLayout), pq.Int64Array(ids))
	if err != nil {
		return nil, err
	}
	out := make(map[int64]Item, len(items))
	for _, it := range items {
		out[it.ID] = it
	}
	return out, nil
}

// missingItems returns a LineError for every line whose item is not among the items.
func missingItems(ids []int64, items map[int64]Item) []*LineError {
	var out []*LineError
	for i, id := range ids {
		if _, ok := items[id]; !ok {
			out = append(out, &LineError{Err: ErrItemNotFound, Line: i, Item: id, Field: "item", Reason: "not_found"})
		}
	}
	return out
}
