package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/fields"
)

// Order channels and statuses. An online order waits, its stock reserved and credits held, until
// it is handed out (fulfilled), cancelled, or expires; a walk-in sale at the counter is fulfilled
// at once.
const (
	ChannelOnline  = "online"
	ChannelCounter = "counter"

	StatusPending   = "pending"
	StatusFulfilled = "fulfilled"
	StatusCancelled = "cancelled"
	StatusExpired   = "expired"
)

// NewOrder is a volunteer's order from a store's catalogue.
type NewOrder struct {
	Store int64       `json:"store"`
	Lines []OrderLine `json:"lines"`
}

// Validate checks the order.
// Errors: ErrInvalid (*fields.Error).
func (n NewOrder) Validate() error {
	bad := fields.Set{}
	if n.Store <= 0 {
		bad["store"] = "required"
	}
	validateLines(bad, n.Lines)
	return bad.Err(ErrInvalid)
}

// OrderedLine is a line of an order: what was asked for at what price, and what was handed out.
type OrderedLine struct {
	Line      int    `db:"line" json:"line"`
	ItemID    int64  `db:"item_id" json:"item_id"`
	ItemName  string `db:"item_name" json:"item_name"`
	Unit      string `db:"unit" json:"unit"`
	Qty       int    `db:"qty" json:"qty"`
	Price     int64  `db:"price" json:"price"` // credit minutes per unit when ordered
	HandedOut *int   `db:"handed_out" json:"handed_out,omitempty"`
}

// Order is an online order or a walk-in sale.
type Order struct {
	ID        int64  `db:"id" json:"id"`
	StoreID   int64  `db:"store_id" json:"store_id"`
	StoreName string `db:"store_name" json:"store_name"`
	UserID    int64  `db:"user_id" json:"user_id"`
	Channel   string `db:"channel" json:"channel"`
	Status    string `db:"status" json:"status"`
	// Total is the price of everything ordered, in credit minutes: what an online order holds.
	Total int64 `db:"total" json:"total"`
	// Charged is what was committed when the order was handed out (less than Total when only part
	// was), in credit minutes.
	Charged       *int64        `db:"charged" json:"charged,omitempty"`
	HoldID        *int64        `db:"hold_id" json:"hold_id,omitempty"`
	TransactionID *int64        `db:"tx_id" json:"transaction_id,omitempty"`
	CreatedAt     time.Time     `db:"created_at" json:"created_at"`
	ExpiresAt     *time.Time    `db:"expires_at" json:"expires_at,omitempty"`
	ResolvedAt    *time.Time    `db:"resolved_at" json:"resolved_at,omitempty"`
	Lines         []OrderedLine `db:"-" json:"lines"`
	// PickupURL is what the pickup QR code carries; only the volunteer placing the order or asking
	// for its code gets it, and only while the order is pending.
	PickupURL string `db:"-" json:"pickup_url,omitempty"`
	// Replayed says the request repeated an earlier one with the same idempotency key.
	Replayed bool `db:"-" json:"-"`
}

const orderColumns = `o.id, o.store_id, s.name AS store_name, o.user_id, o.channel, o.status, o.total, o.charged,
	o.hold_id, o.tx_id, o.created_at, o.expires_at, o.resolved_at`

// orderLinesColumn is an order's lines as a JSON array, in line order, for the query's order o.
//
// The hot queries of orders look rows up one by one through LATERAL subqueries fenced with
// OFFSET 0: whatever the statistics say (tables analyzed while empty, no autovacuum), a handful of
// index lookups is the only plan, never a hash join over every item or lot.
const orderLinesColumn = `(
    SELECT coalesce(json_agg(json_build_object('line', l.line, 'item_id', l.item_id, 'item_name', i.name,
               'unit', i.unit, 'qty', l.qty, 'price', l.price, 'handed_out', l.handed_out) ORDER BY l.line), '[]')
    FROM store_order_lines l
    CROSS JOIN LATERAL (SELECT name, unit FROM store_items WHERE id = l.item_id OFFSET 0) i
    WHERE l.order_id = o.id) AS lines`

// orderRow is an order as one row, its lines (and, for the locking read, its allocations) as JSON.
type orderRow struct {
	Order
	Lines       []byte `db:"lines"`
	Allocations []byte `db:"allocations"`
}

// decode returns the order with its lines.
func (r orderRow) decode() (Order, error) {
	o := r.Order
	err := json.Unmarshal(r.Lines, &o.Lines)
	return o, err
}

// Order returns an order with its lines.
// Errors: ErrOrderNotFound.
func (s *Service) Order(ctx context.Context, id int64) (Order, error) {
	var r orderRow
	err := s.st.Get(ctx, s.db, &r, `SELECT `+orderColumns+`, `+orderLinesColumn+`
FROM store_orders o JOIN stores s ON s.id = o.store_id WHERE o.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Order{}, ErrOrderNotFound
	} else if err != nil {
		return Order{}, err
	}
	return r.decode()
}

// lockOrder reads an order with its lines and what each line reserved from which lot, and takes
// the order's row lock for the rest of the transaction, in one statement. A concurrent resolution
// makes it wait and then read the order as resolved; lines and allocations do not change while an
// order is pending. The lots come back with their best-before dates only (for first-expiring-first).
// Errors: ErrOrderNotFound.
func (s *Service) lockOrder(ctx context.Context, tx *sqlx.Tx, id int64) (Order, []allocation, map[int64]Lot, error) {
	locked, err := s.lockOrders(ctx, tx, []int64{id})
	if err != nil {
		return Order{}, nil, nil, err
	}
	lo, ok := locked[id]
	if !ok {
		return Order{}, nil, nil, ErrOrderNotFound
	}
	return lo.order, lo.allocs, lo.lots, nil
}

// lockedOrder is an order read under its row lock, with its allocations and their lots.
type lockedOrder struct {
	order  Order
	allocs []allocation
	lots   map[int64]Lot
}

// lockOrders is lockOrder for several orders, locked in id order, in one statement. Orders that
// do not exist are missing from the map.
func (s *Service) lockOrders(ctx context.Context, tx *sqlx.Tx, ids []int64) (map[int64]lockedOrder, error) {
	var rs []orderRow
	err := s.st.Select(ctx, tx, &rs, `
WITH o AS (SELECT * FROM store_orders WHERE id = ANY((SELECT $1)::bigint[]) ORDER BY id FOR UPDATE)
SELECT `+orderColumns+`, `+orderLinesColumn+`, (
    SELECT coalesce(json_agg(json_build_object('line', a.line, 'lot', a.lot_id, 'qty', a.qty,
               'best_before', coalesce(to_char(t.best_before, 'YYYY-MM-DD'), '')) ORDER BY a.line, a.lot_id), '[]')
    FROM store_allocations a
    CROSS JOIN LATERAL (SELECT best_before FROM store_lots WHERE id = a.lot_id OFFSET 0) t
    WHERE a.order_id = o.id) AS allocations
FROM o JOIN stores s ON s.id = o.store_id`, pq.Int64Array(ids))
	if err != nil {
		return nil, err
	}
	out := make(map[int64]lockedOrder, len(rs))
	for _, r := range rs {
		o, err := r.decode()
		if err != nil {
			return nil, err
		}
		var rows []struct {
			Line       int    `json:"line"`
			Lot        int64  `json:"lot"`
			Qty        int    `json:"qty"`
			BestBefore string `json:"best_before"`
		}
		if err := json.Unmarshal(r.Allocations, &rows); err != nil {
			return nil, err
		}
		lo := lockedOrder{order: o, allocs: make([]allocation, len(rows)), lots: make(map[int64]Lot, len(rows))}
		for i, a := range rows {
			lo.allocs[i] = allocation{line: a.Line, lot: a.Lot, qty: a.Qty}
			lo.lots[a.Lot] = Lot{ID: a.Lot, StoreID: o.StoreID, BestBefore: a.BestBefore}
		}
		out[o.ID] = lo
	}
	return out, nil
}

// OrderFilter narrows a list of orders.
type OrderFilter struct {
	Status string // only orders with this status; "" for all
	Before int64  // keyset: orders with a smaller id (lists run newest first); 0 for the newest
	Limit  int    // at most this many (DefaultLimit when 0, MaxLimit at most)
}

// OrdersOf returns a person's orders and sales, newest first, without their lines.
func (s *Service) OrdersOf(ctx context.Context, userID int64, f OrderFilter) ([]Order, error) {
	return s.orders(ctx, "o.user_id = $1", userID, f)
}

// StoreOrders returns a store's orders and sales, newest first, without their lines.
// Errors: ErrStoreNotFound.
func (s *Service) StoreOrders(ctx context.Context, storeID int64, f OrderFilter) ([]Order, error) {
	if _, err := s.storeInfo(ctx, s.db, storeID); err != nil {
		return nil, err
	}
	return s.orders(ctx, "o.store_id = $1", storeID, f)
}

func (s *Service) orders(ctx context.Context, where string, id int64, f OrderFilter) ([]Order, error) {
	switch f.Status {
	case "", StatusPending, StatusFulfilled, StatusCancelled, StatusExpired:
	default:
		return nil, invalid("status", "unknown")
	}
	out := []Order{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+orderColumns+`
FROM store_orders o JOIN stores s ON s.id = o.store_id
WHERE `+where+` AND ($2 = '' OR o.status = $2) AND ($3::bigint = 0 OR o.id < $3)
ORDER BY o.id DESC LIMIT $4`, id, f.Status, f.Before, pageLimit(f.Limit))
	for i := range out {
		out[i].Lines = []OrderedLine{}
	}
	return out, err
}

// stateError says why an order that is no longer pending cannot be acted on.
func stateError(o Order, now time.Time) error {
	switch o.Status {
	case StatusFulfilled:
		return ErrOrderFulfilled
	case StatusCancelled:
		return ErrOrderCancelled
	case StatusExpired:
		return ErrOrderExpired
	}
	if o.ExpiresAt != nil && !now.Before(*o.ExpiresAt) {
		return ErrOrderExpired // due, and the worker has not come by yet
	}
	return nil
}
