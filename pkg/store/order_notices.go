package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/notify"
)

// ExpiryWarning is how long before a pending order expires its volunteer is reminded to pick it up.
const ExpiryWarning = 24 * time.Hour

// tellReady writes, in the placing transaction, the notice that each order's goods are reserved and
// wait at the store until it expires: an online order is ready for pickup once it is placed. The
// orders are written already (their expiry set).
func (s *Service) tellReady(ctx context.Context, tx *sqlx.Tx, orders ...Order) error {
	if s.opt.Notify == nil || len(orders) == 0 {
		return nil
	}
	ns := make([]notify.Notice, len(orders))
	for i, o := range orders {
		ns[i] = notify.Notice{UserID: o.UserID, Kind: notify.OrderReady, Event: fmt.Sprintf("order:%d:ready", o.ID),
			Params: map[string]any{"order": o.ID, "store": o.StoreName, "expires_at": o.ExpiresAt, "total": o.Total}}
	}
	return s.opt.Notify.Write(ctx, tx, ns...)
}

// tellExpired writes, in the expiry's transaction, the notice that the order expired and its
// credits were released.
func (s *Service) tellExpired(ctx context.Context, tx *sqlx.Tx, o Order) error {
	if s.opt.Notify == nil {
		return nil
	}
	var store string
	if err := tx.GetContext(ctx, &store, `SELECT name FROM stores WHERE id = $1`, o.StoreID); err != nil {
		return err
	}
	return s.opt.Notify.Write(ctx, tx, notify.Notice{UserID: o.UserID, Kind: notify.OrderExpired,
		Event:  fmt.Sprintf("order:%d:expired", o.ID),
		Params: map[string]any{"order": o.ID, "store": store, "total": o.Total}})
}

// RemindExpiring tells the volunteers of up to limit pending online orders that expire within
// ExpiryWarning, once per order, and returns how many it told.
func (s *Service) RemindExpiring(ctx context.Context, limit int) (int, error) {
	if s.opt.Notify == nil {
		return 0, nil
	}
	var due []struct {
		ID        int64     `db:"id"`
		UserID    int64     `db:"user_id"`
		Store     string    `db:"store"`
		ExpiresAt time.Time `db:"expires_at"`
	}
	now := s.now()
	err := s.db.SelectContext(ctx, &due, `
SELECT o.id, o.user_id, s.name AS store, o.expires_at FROM store_orders o JOIN stores s ON s.id = o.store_id
WHERE o.status = 'pending' AND o.channel = 'online' AND o.expires_at > $1 AND o.expires_at <= $2
  AND NOT EXISTS (SELECT FROM notification_outbox n
                  WHERE n.user_id = o.user_id AND n.event = 'order:' || o.id || ':expiring')
ORDER BY o.expires_at LIMIT $3`, now, now.Add(ExpiryWarning), limit)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	ns := make([]notify.Notice, len(due))
	for i, d := range due {
		ns[i] = notify.Notice{UserID: d.UserID, Kind: notify.OrderExpiring, Event: fmt.Sprintf("order:%d:expiring", d.ID),
			Params: map[string]any{"order": d.ID, "store": d.Store, "expires_at": d.ExpiresAt}}
	}
	return len(due), s.opt.Notify.Write(ctx, s.db, ns...)
}
