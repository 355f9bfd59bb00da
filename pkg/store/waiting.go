package store

import (
	"context"

	"github.com/lib/pq"
)

// Waiting is what waits at a store's counter and on its shelves: online orders to hand out (pending
// and not yet expired) and active items whose available stock is at or below their low-stock
// threshold.
type Waiting struct {
	StoreID  int64  `db:"id" json:"store_id"`
	Name     string `db:"name" json:"name"`
	ToHand   int    `db:"to_hand" json:"to_hand"`
	LowStock int    `db:"low_stock" json:"low_stock"`
}

// WaitingFor counts what waits at each of the stores, in one query, in the order given; a store
// that does not exist is left out.
// Errors: none of its own (database errors only).
func (s *Service) WaitingFor(ctx context.Context, storeIDs []int64) ([]Waiting, error) {
	out := []Waiting{}
	if len(storeIDs) == 0 {
		return out, nil
	}
	day := today(s.now())
	err := s.db.SelectContext(ctx, &out, `
SELECT s.id, s.name,
  (SELECT count(*) FROM store_orders o
   WHERE o.store_id = s.id AND o.status = 'pending' AND o.expires_at > $2) AS to_hand,
  (SELECT count(*) `+lowStock("s.id", "$3")+`) AS low_stock
FROM unnest($1::bigint[]) WITH ORDINALITY AS g(id, n) JOIN stores s ON s.id = g.id
ORDER BY g.n`, pq.Int64Array(storeIDs), s.now(), day.Format(dayLayout))
	return out, err
}
