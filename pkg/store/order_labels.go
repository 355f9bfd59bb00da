package store

import (
	"context"

	"github.com/lib/pq"
)

// OrderLabel is what names an order or a sale to the person who made it: the store, online or at
// the counter, its first line's item and quantity, and how many other items it holds.
type OrderLabel struct {
	ID        int64  `db:"id"`
	StoreName string `db:"store_name"`
	Channel   string `db:"channel"`
	FirstItem string `db:"first_item"`
	FirstQty  int    `db:"first_qty"`
	MoreItems int    `db:"more_items"`
}

// OrderLabels returns the labels of the orders, by id, in one query; an id with no order is left
// out. A statement names its redemptions with them.
// Errors: none of its own (database errors only).
func (s *Service) OrderLabels(ctx context.Context, ids []int64) (map[int64]OrderLabel, error) {
	out := map[int64]OrderLabel{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []OrderLabel
	if err := s.db.SelectContext(ctx, &rows, `
SELECT o.id, s.name AS store_name, o.channel, coalesce(f.name, '') AS first_item, coalesce(f.qty, 0) AS first_qty,
       (SELECT greatest(count(*) - 1, 0) FROM store_order_lines l WHERE l.order_id = o.id) AS more_items
FROM store_orders o JOIN stores s ON s.id = o.store_id
LEFT JOIN LATERAL (SELECT i.name, l.qty FROM store_order_lines l JOIN store_items i ON i.id = l.item_id
                   WHERE l.order_id = o.id ORDER BY l.line LIMIT 1) f ON true
WHERE o.id = ANY($1)`, pq.Int64Array(ids)); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}
