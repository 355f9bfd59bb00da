package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// orderStoresMax is how many orders' stores orderStores keeps before it starts again empty: about a
// day of a busy store's orders, a few megabytes.
const orderStoresMax = 1 << 16

// orderStores remembers which store each order belongs to, for OrderStore: the counter asks it
// before every hand-out (whether the actor serves the order's store), and an order never changes
// store, so what was read or placed once stays true and needs no invalidation. An order that is
// gone is still refused where it is handed out (lockOrder reads it in the transaction).
type orderStores struct {
	mu sync.Mutex
	m  map[int64]int64
}

func (c *orderStores) get(order int64) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.m[order]
	return st, ok
}

func (c *orderStores) put(order, store int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= orderStoresMax {
		c.m = make(map[int64]int64, 1024)
	}
	c.m[order] = store
}

// OrderStore returns the store an order belongs to, for deciding who may act on it: from memory
// for an order this process placed or looked up before, else from PostgreSQL.
// Errors: ErrOrderNotFound.
func (s *Service) OrderStore(ctx context.Context, id int64) (int64, error) {
	if st, ok := s.orderStores.get(id); ok {
		return st, nil
	}
	var storeID int64
	err := s.st.Get(ctx, s.db, &storeID, `SELECT store_id FROM store_orders WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrOrderNotFound
	}
	if err == nil {
		s.orderStores.put(id, storeID)
	}
	return storeID, err
}
