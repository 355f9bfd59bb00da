package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
)

// Categories are the kinds of goods a store may list. There is none for medicines: charity
// supermarkets do not take them (DOMAIN.md). Food ("food", "grain_oil") must carry a best-before
// date and pass the shelf-life check when donated.
var Categories = []string{"food", "grain_oil", "daily", "clothing", "stationery", "appliance", "other"}

// IsFood reports whether goods of the category are food.
func IsFood(category string) bool { return category == "food" || category == "grain_oil" }

// MaxPrice is the highest price of one unit: 100,000 hours, far above any real item, low enough that
// no order total can overflow.
const MaxPrice = 6_000_000

// Item is a kind of goods a store offers, with its price and rules, and a summary of its stock.
type Item struct {
	ID       int64  `db:"id" json:"id"`
	StoreID  int64  `db:"store_id" json:"store_id"`
	Name     string `db:"name" json:"name"`
	Category string `db:"category" json:"category"`
	Unit     string `db:"unit" json:"unit"`
	// Price is what one unit costs, in credit minutes.
	Price int64 `db:"price" json:"price"`
	// LimitQty units per LimitPeriod per person at most; 0 and "" mean no limit.
	LimitQty    int    `db:"limit_qty" json:"limit_qty"`
	LimitPeriod Period `db:"limit_period" json:"limit_period"`
	// MinStars is the star level a volunteer needs to redeem the item; 0 means everyone.
	MinStars int `db:"min_stars" json:"min_stars"`
	// LowStock is the available quantity at or below which the item is flagged; 0 means never.
	LowStock  int       `db:"low_stock" json:"low_stock"`
	Active    bool      `db:"active" json:"active"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	UpdatedAt time.Time `db:"updated_at" json:"updated_at"`
	// The stock: units on the shelves, reserved by online orders, and free to order today (within
	// their best-before date).
	OnHand    int `db:"on_hand" json:"on_hand"`
	Reserved  int `db:"reserved" json:"reserved"`
	Available int `db:"available" json:"available"`
	// HasPhoto says whether the item has a photo; PhotoVersion changes with each new photo, so a
	// photo's URL carrying it (?v=) can be cached for long.
	HasPhoto     bool   `db:"has_photo" json:"has_photo"`
	PhotoVersion string `db:"photo_version" json:"photo_version,omitempty"`
}

// NewItem is a request to add an item to a store's catalogue or to change one.
type NewItem struct {
	Name        string `json:"name"`
	Category    string `json:"category"`
	Unit        string `json:"unit"`
	Price       int64  `json:"price"`
	LimitQty    int    `json:"limit_qty,omitempty"`
	LimitPeriod Period `json:"limit_period,omitempty"`
	MinStars    int    `json:"min_stars,omitempty"`
	LowStock    int    `json:"low_stock,omitempty"`
	Active      *bool  `json:"active,omitempty"` // true when left out
}

// Validate checks the request and trims its text.
// Errors: ErrInvalid (*fields.Error).
func (n *NewItem) Validate() error {
	bad := fields.Set{}
	var reason string
	if n.Name, reason = (fields.Text{Max: 100, Required: true}).Clean(n.Name); reason != "" {
		bad["name"] = reason
	}
	if n.Unit, reason = (fields.Text{Max: 10, Required: true}).Clean(n.Unit); reason != "" {
		bad["unit"] = reason
	}
	switch {
	case n.Category == "medicine" || n.Category == "药品":
		bad["category"] = "medicine_refused"
	case !slices.Contains(Categories, n.Category):
		bad["category"] = "unknown"
	}
	if n.Price < 1 || n.Price > MaxPrice {
		bad["price"] = "range"
	}
	switch {
	case n.LimitQty == 0 && n.LimitPeriod == "":
	case n.LimitQty < 1 || n.LimitQty > 10000:
		bad["limit_qty"] = "range"
	case !n.LimitPeriod.Valid():
		bad["limit_period"] = "unknown"
	}
	if n.MinStars < 0 || n.MinStars > 10 {
		bad["min_stars"] = "range"
	}
	if n.LowStock < 0 || n.LowStock > 1_000_000 {
		bad["low_stock"] = "range"
	}
	return bad.Err(ErrInvalid)
}

func (n *NewItem) active() bool { return n.Active == nil || *n.Active }

func nullPeriod(p Period) *string {
	if p == "" {
		return nil
	}
	s := string(p)
	return &s
}

func nullQty(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

// CreateItem adds an item to the store's catalogue, with an audit entry.
// Errors: ErrInvalid (*fields.Error), ErrStoreNotFound, ErrItemExists.
func (s *Service) CreateItem(ctx context.Context, actor *principal.Principal, storeID int64, n NewItem) (Item, error) {
	if err := n.Validate(); err != nil {
		return Item{}, err
	}
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &id, `
INSERT INTO store_items (store_id, name, category, unit, price, limit_qty, limit_period, min_stars, low_stock, active)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			storeID, n.Name, n.Category, n.Unit, n.Price, nullQty(n.LimitQty), nullPeriod(n.LimitPeriod),
			n.MinStars, n.LowStock, n.active())
		if err != nil {
			return dbError(err)
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor.Label(), Action: "store.item_create",
			Target: ref("item", id), StoreID: storeID, After: n})
	})
	if err != nil {
		return Item{}, err
	}
	return s.Item(ctx, storeID, id)
}

// UpdateItem replaces an item's name, price and rules, with an audit entry. Orders already placed
// keep the price they were placed at.
// Errors: ErrInvalid (*fields.Error), ErrItemNotFound, ErrItemExists.
func (s *Service) UpdateItem(ctx context.Context, actor *principal.Principal, storeID, itemID int64, n NewItem) (Item, error) {
	if err := n.Validate(); err != nil {
		return Item{}, err
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		before, err := s.item(ctx, tx, storeID, itemID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
UPDATE store_items SET name = $3, category = $4, unit = $5, price = $6, limit_qty = $7, limit_period = $8,
       min_stars = $9, low_stock = $10, active = $11, updated_at = now()
WHERE store_id = $1 AND id = $2`,
			storeID, itemID, n.Name, n.Category, n.Unit, n.Price, nullQty(n.LimitQty), nullPeriod(n.LimitPeriod),
			n.MinStars, n.LowStock, n.active())
		if err != nil {
			return dbError(err)
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor.Label(), Action: "store.item_update",
			Target: ref("item", itemID), StoreID: storeID, Before: before, After: n})
	})
	if err != nil {
		return Item{}, err
	}
	return s.Item(ctx, storeID, itemID)
}

// itemQuery selects items with their stock; $1 is the store, $2 today's date (lots past their date
// are not available). The caller appends its WHERE conditions and ordering.
const itemQuery = `
SELECT i.id, i.store_id, i.name, i.category, i.unit, i.price, coalesce(i.limit_qty, 0) AS limit_qty,
       coalesce(i.limit_period, '') AS limit_period, i.min_stars, i.low_stock, i.active, i.created_at, i.updated_at,
       coalesce(sum(l.on_hand), 0) AS on_hand, coalesce(sum(l.reserved), 0) AS reserved,
       coalesce(sum(l.on_hand - l.reserved) FILTER (WHERE l.best_before IS NULL OR l.best_before >= $2::date), 0)
           AS available,
       EXISTS (SELECT FROM store_item_photos p WHERE p.item_id = i.id) AS has_photo,
       coalesce((SELECT left(p.etag, 16) FROM store_item_photos p WHERE p.item_id = i.id), '') AS photo_version
FROM store_items i LEFT JOIN store_lots l ON l.item_id = i.id AND l.on_hand > 0
WHERE i.store_id = $1`

// Item returns one item of the store with its stock.
// Errors: ErrItemNotFound.
func (s *Service) Item(ctx context.Context, storeID, itemID int64) (Item, error) {
	return s.item(ctx, s.db, storeID, itemID)
}

func (s *Service) item(ctx context.Context, q sqlx.QueryerContext, storeID, itemID int64) (Item, error) {
	var it Item
	err := sqlx.GetContext(ctx, q, &it, itemQuery+` AND i.id = $3 GROUP BY i.id`,
		storeID, today(s.now()).Format(dayLayout), itemID)
	if errors.Is(err, sql.ErrNoRows) {
		return it, ErrItemNotFound
	}
	return it, err
}

// ItemFilter narrows a list of items.
type ItemFilter struct {
	ActiveOnly bool   // only what volunteers may order (the catalogue)
	Query      string // part of the name, as the counter searches
	After      int64  // keyset: items with a larger id
	Limit      int    // at most this many (DefaultLimit when 0, MaxLimit at most)
}

// Page sizes of the keyset-paged lists.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

func pageLimit(n int) int {
	if n <= 0 {
		return DefaultLimit
	}
	return min(n, MaxLimit)
}

// Items returns the store's items by id, with their stock.
// Errors: ErrStoreNotFound.
func (s *Service) Items(ctx context.Context, storeID int64, f ItemFilter) ([]Item, error) {
	if _, err := s.storeInfo(ctx, s.db, storeID); err != nil {
		return nil, err
	}
	q := strings.TrimSpace(f.Query)
	if utf8.RuneCountInString(q) > 50 || !utf8.ValidString(q) || strings.ContainsRune(q, 0) {
		return nil, invalid("q", "format")
	}
	out := []Item{}
	err := s.db.SelectContext(ctx, &out, itemQuery+`
  AND i.id > $3 AND (NOT $4 OR i.active) AND ($5 = '' OR strpos(i.name, $5) > 0)
GROUP BY i.id ORDER BY i.id LIMIT $6`,
		storeID, today(s.now()).Format(dayLayout), f.After, f.ActiveOnly, q, pageLimit(f.Limit))
	return out, err
}

// Cost returns the price of qty units, in credit minutes.
func (it Item) Cost(qty int) int64 { return it.Price * int64(qty) }
