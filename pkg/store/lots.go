package store

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Lot is a quantity of one item that arrived together, with one best-before date and one origin.
// Goods are handed out first-expiring-first: the lot with the earliest best-before date goes
// first, lots without a date last.
type Lot struct {
	ID         int64     `db:"id" json:"id"`
	StoreID    int64     `db:"store_id" json:"store_id"`
	ItemID     int64     `db:"item_id" json:"item_id"`
	BestBefore string    `db:"best_before" json:"best_before,omitempty"` // "2006-01-02", "" for none
	Source     string    `db:"source" json:"source"`                     // "donation", "purchase" or "other"
	DonationID *int64    `db:"donation_id" json:"donation_id,omitempty"`
	OnHand     int       `db:"on_hand" json:"on_hand"`
	Reserved   int       `db:"reserved" json:"reserved"`
	CreatedAt  time.Time `db:"created_at" json:"created_at"`
}

// Free is what of the lot is on the shelf and not reserved by an order.
func (l Lot) Free() int { return l.OnHand - l.Reserved }

const lotColumns = `id, store_id, item_id, coalesce(to_char(best_before, 'YYYY-MM-DD'), '') AS best_before,
	source, donation_id, on_hand, reserved, created_at`

// fefoLess orders lots first-expiring-first: earliest date first, undated last, then oldest lot.
func fefoLess(a, b Lot) int {
	switch {
	case a.BestBefore == b.BestBefore:
	case a.BestBefore == "":
		return 1
	case b.BestBefore == "":
		return -1
	case a.BestBefore < b.BestBefore:
		return -1
	default:
		return 1
	}
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

// A list of ids is passed as ANY((SELECT $n)::bigint[]): the planner sees the array only as the
// value of an init plan, so a custom plan costs what the generic plan does and PostgreSQL keeps the
// generic plan of the prepared statement instead of planning every call for the array it is given.

// Every operation that changes lots locks them with one statement in id order, and before any
// ledger row: two operations over the same lots then never wait for each other in a circle.

// lockFreeLots locks the lots of the store's items that have free stock dated on or after
// minDate (all dated lots when minDate is ""), in id order.
func (s *Service) lockFreeLots(ctx context.Context, tx *sqlx.Tx, storeID int64, items []int64, minDate string) ([]Lot, error) {
	var lots []Lot
	err := s.st.Select(ctx, tx, &lots, `SELECT `+lotColumns+` FROM store_lots
WHERE store_id = $1 AND item_id = ANY((SELECT $2)::bigint[]) AND on_hand > 0 AND on_hand > reserved
  AND ($3::text = '' OR best_before IS NULL OR best_before >= $3::date)
ORDER BY id FOR UPDATE`, storeID, pq.Int64Array(items), minDate)
	return lots, err
}

// lockLotsTaking takes n ids from the orders' sequence (for orders about to be placed: their
// holds' keys name them) and, in the same statement, locks in id order the lots of the items with
// free stock dated on or after minDate (or undated). The items are the orders' own, already
// checked to be their store's.
func (s *Service) lockLotsTaking(ctx context.Context, tx *sqlx.Tx, items []int64, minDate string, n int) ([]int64, []Lot, error) {
	items = slices.Compact(slices.Sorted(slices.Values(items)))
	rows, err := s.st.Query(ctx, tx, `
WITH n AS MATERIALIZED (
    SELECT array_agg(nextval(pg_get_serial_sequence('store_orders', 'id'))) AS ids FROM generate_series(1, $3)
)
SELECT n.ids, l.id, l.store_id, l.item_id, l.best_before, l.on_hand, l.reserved
FROM n LEFT JOIN (
    SELECT id, store_id, item_id, coalesce(to_char(best_before, 'YYYY-MM-DD'), '') AS best_before, on_hand, reserved
    FROM store_lots
    WHERE item_id = ANY((SELECT $1)::bigint[]) AND on_hand > 0 AND on_hand > reserved
      AND (best_before IS NULL OR best_before >= $2::date)
    ORDER BY id FOR UPDATE
) l ON true`, pq.Int64Array(items), minDate, n)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var (
		ids  pq.Int64Array
		lots []Lot
	)
	for rows.Next() {
		var (
			id, store, item  sql.NullInt64
			bestBefore       sql.NullString
			onHand, reserved sql.NullInt64
		)
		if err := rows.Scan(&ids, &id, &store, &item, &bestBefore, &onHand, &reserved); err != nil {
			return nil, nil, err
		}
		if id.Valid {
			lots = append(lots, Lot{ID: id.Int64, StoreID: store.Int64, ItemID: item.Int64, BestBefore: bestBefore.String,
				OnHand: int(onHand.Int64), Reserved: int(reserved.Int64)})
		}
	}
	return ids, lots, rows.Err()
}

// lockLots locks the store's lots with the ids, in id order, and returns them by id.
func (s *Service) lockLots(ctx context.Context, tx *sqlx.Tx, storeID int64, ids []int64) (map[int64]Lot, error) {
	var lots []Lot
	err := s.st.Select(ctx, tx, &lots, `SELECT `+lotColumns+` FROM store_lots
WHERE store_id = $1 AND id = ANY($2) ORDER BY id FOR UPDATE`, storeID, pq.Int64Array(ids))
	if err != nil {
		return nil, err
	}
	out := make(map[int64]Lot, len(lots))
	for _, l := range lots {
		out[l.ID] = l
	}
	return out, nil
}

// newLot opens an empty lot; a "received" movement then brings its stock in.
func newLot(ctx context.Context, tx *sqlx.Tx, storeID, itemID int64, bestBefore, source string, donation *int64) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, `
INSERT INTO store_lots (store_id, item_id, best_before, source, donation_id)
VALUES ($1, $2, nullif($3, '')::date, $4, $5) RETURNING id`, storeID, itemID, bestBefore, source, donation)
	return id, err
}
