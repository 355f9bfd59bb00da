package store

import (
	"context"

	"github.com/lib/pq"

	"timebank/pkg/replica"
)

// StockItem is an item with the lots that hold it, first-expiring-first.
type StockItem struct {
	Item Item  `json:"item"`
	Lots []Lot `json:"lots"`
}

// Stock returns the store's items (by id, keyset-paged like Items) with their lots that still hold
// goods.
// Errors: ErrStoreNotFound.
func (s *Service) Stock(ctx context.Context, storeID int64, f ItemFilter) ([]StockItem, error) {
	items, err := s.Items(ctx, storeID, f)
	if err != nil || len(items) == 0 {
		return []StockItem{}, err
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	var lots []Lot
	err = s.db.SelectContext(ctx, &lots, `SELECT `+lotColumns+` FROM store_lots
WHERE store_id = $1 AND item_id = ANY($2) AND on_hand > 0 ORDER BY item_id, best_before NULLS LAST, id`,
		storeID, pq.Int64Array(ids))
	if err != nil {
		return nil, err
	}
	byItem := map[int64][]Lot{}
	for _, l := range lots {
		byItem[l.ItemID] = append(byItem[l.ItemID], l)
	}
	out := make([]StockItem, len(items))
	for i, it := range items {
		out[i] = StockItem{Item: it, Lots: byItem[it.ID]}
		if out[i].Lots == nil {
			out[i].Lots = []Lot{}
		}
	}
	return out, nil
}

// The kinds of warning.
const (
	WarnLowStock   = "low_stock"   // an active item's available stock is at or below its threshold
	WarnNearExpiry = "near_expiry" // a lot reaches its best-before date within the policy's days
	WarnExpired    = "expired"     // a lot is past its best-before date and should be written off
)

// Warning is something about the stock the store manager should act on.
type Warning struct {
	Kind       string `db:"kind" json:"kind"`
	ItemID     int64  `db:"item_id" json:"item_id"`
	ItemName   string `db:"item_name" json:"item_name"`
	LotID      int64  `db:"lot_id" json:"lot_id,omitempty"`
	BestBefore string `db:"best_before" json:"best_before,omitempty"`
	// Qty is the item's available quantity (low stock) or the lot's on-hand (dates).
	Qty int `db:"qty" json:"qty"`
	// Threshold is the item's low-stock threshold (low stock only).
	Threshold int `db:"threshold" json:"threshold,omitempty"`
}

// Warnings returns the store's warnings: expired lots first, then lots near their date (earliest
// first), then items running low.
// Errors: ErrStoreNotFound.
func (s *Service) Warnings(ctx context.Context, storeID int64) ([]Warning, error) {
	if _, err := s.storeInfo(ctx, s.db, storeID); err != nil {
		return nil, err
	}
	p, err := s.policy(ctx, s.db, storeID)
	if err != nil {
		return nil, err
	}
	day := today(s.now())
	out := []Warning{}
	err = s.db.SelectContext(ctx, &out, `
SELECT * FROM (
SELECT CASE WHEN l.best_before < $2::date THEN 'expired' ELSE 'near_expiry' END AS kind, l.item_id,
       i.name AS item_name, l.id AS lot_id, to_char(l.best_before, 'YYYY-MM-DD') AS best_before,
       l.on_hand AS qty, 0 AS threshold
FROM store_lots l JOIN store_items i ON i.id = l.item_id
WHERE l.store_id = $1 AND l.on_hand > 0 AND l.best_before <= $3::date
UNION ALL
SELECT 'low_stock', i.id, i.name, 0, '', x.available, i.low_stock
`+lowStock("$1", "$2")+`
) w ORDER BY CASE kind WHEN 'expired' THEN 0 WHEN 'near_expiry' THEN 1 ELSE 2 END, best_before, item_id, lot_id`, storeID, day.Format(dayLayout), day.AddDate(0, 0, p.NearExpiryDays).Format(dayLayout))
	return out, err
}

// lowStock is the FROM and WHERE of the store's active items at or below their low-stock
// threshold, each with its available quantity (x.available: on hand less reserved, of lots not past
// their date on day), for the store and day given as SQL expressions.
func lowStock(store, day string) string {
	return `FROM store_items i
CROSS JOIN LATERAL (
    SELECT coalesce(sum(l.on_hand - l.reserved), 0) AS available FROM store_lots l
    WHERE l.item_id = i.id AND l.on_hand > 0 AND (l.best_before IS NULL OR l.best_before >= ` + day + `::date)) x
WHERE i.store_id = ` + store + ` AND i.active AND i.low_stock > 0 AND x.available <= i.low_stock`
}

// DayReport is a store's day: what went out, what came in, the credits received and what was
// allocated to households in hardship.
type DayReport struct {
	StoreID int64  `json:"store_id"`
	Day     string `json:"day"` // "2006-01-02", China Standard Time
	// Online orders handed out that day, and walk-in sales made.
	OrdersHandedOut int `db:"orders_handed_out" json:"orders_handed_out"`
	Sales           int `db:"sales" json:"sales"`
	OrdersCancelled int `db:"orders_cancelled" json:"orders_cancelled"`
	OrdersExpired   int `db:"orders_expired" json:"orders_expired"`
	// CreditsReceived is what handed-out orders and sales charged, in credit minutes.
	CreditsReceived int64 `db:"credits_received" json:"credits_received"`
	// Donations received, their units and estimated value in fen.
	Donations       int   `db:"donations" json:"donations"`
	UnitsDonated    int   `db:"units_donated" json:"units_donated"`
	DonatedValueFen int64 `db:"donated_value_fen" json:"donated_value_fen"`
	// Units that left the shelves by hand-out and by write-off, from the journal.
	UnitsHandedOut  int `db:"units_handed_out" json:"units_handed_out"`
	UnitsWrittenOff int `db:"units_written_off" json:"units_written_off"`
	// Allocations to households in hardship made that day and the units they gave, without credits.
	// No household is named: the report is read more widely than the households' list.
	Allocations    int `db:"allocations" json:"allocations"`
	UnitsAllocated int `db:"units_allocated" json:"units_allocated"`
}

// DayReport returns the report of the store's day (a date in China Standard Time).
// Errors: ErrInvalid (a malformed day), ErrStoreNotFound.
func (s *Service) DayReport(ctx context.Context, storeID int64, day string) (DayReport, error) {
	return s.dayReport(ctx, s.db, storeID, day)
}

// dayReport is DayReport with its figures read through reads: the primary for the page a clerk
// reads right after a hand-out, the export's reader for a period's export.
func (s *Service) dayReport(ctx context.Context, reads replica.Reader, storeID int64, day string) (DayReport, error) {
	start, ok := parseDay(day)
	if !ok {
		return DayReport{}, invalid("day", "day_format")
	}
	if _, err := s.storeInfo(ctx, s.db, storeID); err != nil {
		return DayReport{}, err
	}
	r := DayReport{StoreID: storeID, Day: day}
	err := reads.GetContext(ctx, &r, `
SELECT
  (SELECT count(*) FROM store_orders WHERE store_id = $1 AND resolved_at >= $2 AND resolved_at < $3
     AND status = 'fulfilled' AND channel = 'online') AS orders_handed_out,
  (SELECT count(*) FROM store_orders WHERE store_id = $1 AND resolved_at >= $2 AND resolved_at < $3
     AND status = 'fulfilled' AND channel = 'counter') AS sales,
  (SELECT count(*) FROM store_orders WHERE store_id = $1 AND resolved_at >= $2 AND resolved_at < $3
     AND status = 'cancelled') AS orders_cancelled,
  (SELECT count(*) FROM store_orders WHERE store_id = $1 AND resolved_at >= $2 AND resolved_at < $3
     AND status = 'expired') AS orders_expired,
  (SELECT coalesce(sum(charged), 0) FROM store_orders WHERE store_id = $1 AND resolved_at >= $2
     AND resolved_at < $3 AND status = 'fulfilled') AS credits_received,
  (SELECT count(*) FROM store_donations WHERE store_id = $1 AND received_at >= $2 AND received_at < $3) AS donations,
  (SELECT coalesce(sum(dl.qty), 0) FROM store_donations d JOIN store_donation_lines dl ON dl.donation_id = d.id
     WHERE d.store_id = $1 AND d.received_at >= $2 AND d.received_at < $3) AS units_donated,
  (SELECT coalesce(sum(total_value_fen), 0) FROM store_donations WHERE store_id = $1 AND received_at >= $2
     AND received_at < $3) AS donated_value_fen,
  (SELECT coalesce(-sum(on_hand_delta), 0) FROM store_movements WHERE store_id = $1 AND at >= $2 AND at < $3
     AND kind = 'handed_out') AS units_handed_out,
  (SELECT coalesce(-sum(on_hand_delta), 0) FROM store_movements WHERE store_id = $1 AND at >= $2 AND at < $3
     AND kind = 'written_off') AS units_written_off,
  (SELECT count(*) FROM store_aid WHERE store_id = $1 AND created_at >= $2 AND created_at < $3) AS allocations,
  (SELECT coalesce(-sum(on_hand_delta), 0) FROM store_movements WHERE store_id = $1 AND at >= $2 AND at < $3
     AND kind = 'allocated') AS units_allocated`, storeID, start, start.AddDate(0, 0, 1))
	return r, err
}

// Today returns today's date in China Standard Time, as DayReport takes it.
func (s *Service) Today() string { return today(s.now()).Format(dayLayout) }
