package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/fields"
	"timebank/pgerr"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
)

// NewAid is an allocation of goods to a household in hardship (困难家庭物资发放): no credits change
// hands, the goods simply leave the shelf for the household.
type NewAid struct {
	Store     int64       `json:"-"` // the store in the path
	Household int64       `json:"household"`
	Lines     []OrderLine `json:"lines"`
	Note      string      `json:"note,omitempty"`
}

// validate checks the allocation: a household, one to MaxLines lines, each item once with 1 to
// 1000 units, a note of at most 200 characters.
func (n *NewAid) validate() error {
	bad := fields.Set{}
	if n.Household <= 0 {
		bad["household"] = "required"
	}
	validateLines(bad, n.Lines)
	var reason string
	if n.Note, reason = (fields.Text{Max: 200}).Clean(n.Note); reason != "" {
		bad["note"] = reason
	}
	return bad.Err(ErrInvalid)
}

// AidLine is one line of a recorded allocation.
type AidLine struct {
	Line     int    `db:"line" json:"line"`
	ItemID   int64  `db:"item_id" json:"item_id"`
	ItemName string `db:"item_name" json:"item_name"`
	Unit     string `db:"unit" json:"unit"`
	Qty      int    `db:"qty" json:"qty"`
}

// Aid is a recorded allocation, as its signed slip (发放签收单) shows it: the store, the household by
// its number and masked name (never its tier), the goods, who handed them out and when.
type Aid struct {
	ID              int64     `db:"id" json:"id"`
	StoreID         int64     `db:"store_id" json:"store_id"`
	StoreName       string    `db:"store_name" json:"store_name"`
	OrgName         string    `db:"org_name" json:"org_name"`
	HouseholdID     int64     `db:"household_id" json:"household_id"`
	HouseholdNumber int       `db:"household_number" json:"household_number"`
	NameMasked      string    `db:"name_masked" json:"name_masked"`
	Handler         string    `db:"handler" json:"handler"`
	HandlerName     string    `db:"handler_name" json:"handler_name"`
	Note            string    `db:"note" json:"note,omitempty"`
	CreatedAt       time.Time `db:"created_at" json:"created_at"`
	Lines           []AidLine `db:"-" json:"lines"`
	// Replayed says the request repeated an earlier one with the same idempotency key.
	Replayed bool `db:"-" json:"-"`
}

// Units is how many units the allocation gave.
func (a Aid) Units() int {
	n := 0
	for _, l := range a.Lines {
		n += l.Qty
	}
	return n
}

// Allocate gives goods to a household in hardship, in one transaction: the lines are taken from
// the store's free stock (what no order reserved) of lots within their date today,
// first-expiring-first, as "allocated" movements of the journal, and the allocation is recorded with
// an audit entry naming the household by id and the counts only. No credits move. Items the
// catalogue does not offer (inactive) may be allocated: a store may keep goods off the shelves of
// credits precisely for households in hardship. key is the caller's idempotency key, unique per
// store: the same key with the same allocation returns the first (Replayed set); with a different
// one it is a conflict. Any refusal writes nothing.
// Errors: ErrInvalid (*fields.Error), ErrStoreNotFound, ErrHouseholdNotFound (also a household
// of another store), ErrHouseholdInactive, ErrItemNotFound and ErrOutOfStock (each a *LineError
// naming the line and item), ErrIdempotencyConflict.
func (s *Service) Allocate(ctx context.Context, actor *principal.Principal, key string, n NewAid) (Aid, error) {
	if err := needActor(actor); err != nil {
		return Aid{}, err
	}
	if err := checkKey(key); err != nil {
		return Aid{}, err
	}
	if err := n.validate(); err != nil {
		return Aid{}, err
	}
	hash := requestHash("aid", struct {
		Store int64
		N     NewAid
	}{n.Store, n})
	if id, err := s.replayed(ctx, "store_aid", n.Store, key, hash); err != nil || id != 0 {
		return s.replayAid(ctx, n.Store, id, err)
	}
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		id, err = s.insertAid(ctx, tx, actor, key, hash, n)
		return err
	})
	if errors.Is(err, errReplay) || pgerr.Unique(err, "store_aid_idempotency") {
		id, err = s.replayed(ctx, "store_aid", n.Store, key, hash)
		return s.replayAid(ctx, n.Store, id, err)
	}
	if err != nil {
		return Aid{}, err
	}
	return s.Aid(ctx, n.Store, id)
}

// insertAid checks the store, household and items, takes the key, takes the goods off the shelf
// and writes the allocation, its lines and its audit entry.
func (s *Service) insertAid(ctx context.Context, tx *sqlx.Tx, actor *principal.Principal, key string, hash []byte, n NewAid) (int64, error) {
	if _, err := s.storeInfo(ctx, tx, n.Store); err != nil {
		return 0, err
	}
	h, err := s.household(ctx, tx, n.Store, n.Household, true)
	if err != nil {
		return 0, err
	}
	if !h.Active {
		return 0, ErrHouseholdInactive
	}
	ids := itemIDs(n.Lines)
	items, err := s.itemsByID(ctx, tx, n.Store, ids)
	if err != nil {
		return 0, err
	}
	var inserted []int64
	err = tx.SelectContext(ctx, &inserted, `
INSERT INTO store_aid (store_id, household_id, handler, handler_name, note, idem_key, request_hash, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (store_id, idem_key) DO NOTHING RETURNING id`,
		n.Store, n.Household, actor.Label(), handlerName(actor), n.Note, key, hash, s.now())
	if err != nil {
		return 0, err
	}
	if len(inserted) == 0 {
		return 0, errReplay
	}
	id := inserted[0]
	lots, err := s.lockFreeLots(ctx, tx, n.Store, ids, today(s.now()).Format(dayLayout))
	if err != nil {
		return 0, err
	}
	allocs, err := allocate(n.Lines, items, lots)
	if err != nil {
		return 0, err
	}
	ms := make([]move, len(allocs))
	for i, a := range allocs {
		ms[i] = move{lot: a.lot, kind: MoveAllocated, onHand: -a.qty}
	}
	if _, err := s.appendMovements(ctx, tx, ref("aid", id), actor.Label(), s.now(), ms); err != nil {
		return 0, err
	}
	qtys := make([]int64, len(n.Lines))
	units := 0
	for i, l := range n.Lines {
		qtys[i] = int64(l.Qty)
		units += l.Qty
	}
	_, err = tx.ExecContext(ctx, `
INSERT INTO store_aid_lines (aid_id, line, store_id, item_id, qty)
SELECT $1, n - 1, $2, item, qty FROM unnest($3::bigint[], $4::int[]) WITH ORDINALITY AS l (item, qty, n)`,
		id, n.Store, pq.Int64Array(ids), pq.Int64Array(qtys))
	if err != nil {
		return 0, err
	}
	return id, audit.Record(ctx, tx, audit.Entry{Actor: actor.Label(), Action: "store.aid_allocate",
		Target: ref("aid", id), StoreID: n.Store,
		After: map[string]any{"household": n.Household, "lines": len(n.Lines), "units": units}})
}

func (s *Service) replayAid(ctx context.Context, storeID, id int64, err error) (Aid, error) {
	if err != nil {
		return Aid{}, err
	}
	a, err := s.Aid(ctx, storeID, id)
	a.Replayed = true
	return a, err
}

const aidQuery = `
SELECT a.id, a.store_id, s.name AS store_name, o.name AS org_name, a.household_id, h.number AS household_number,
       h.name_masked, a.handler, a.handler_name, a.note, a.created_at
FROM store_aid a JOIN store_households h ON h.id = a.household_id
JOIN stores s ON s.id = a.store_id JOIN organizations o ON o.id = s.org_id`

// Aid returns one of the store's allocations with its lines.
// Errors: ErrAidNotFound.
func (s *Service) Aid(ctx context.Context, storeID, id int64) (Aid, error) {
	var a Aid
	err := s.db.GetContext(ctx, &a, aidQuery+` WHERE a.store_id = $1 AND a.id = $2`, storeID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrAidNotFound
	} else if err != nil {
		return a, err
	}
	list := []Aid{a}
	if err := s.aidLines(ctx, list); err != nil {
		return Aid{}, err
	}
	return list[0], nil
}

// AidFilter narrows the list of allocations.
type AidFilter struct {
	Household int64 // only this household's; 0 for all
	Before    int64 // keyset: allocations with a smaller id
	Limit     int   // at most this many (DefaultLimit when 0, MaxLimit at most)
}

// Allocations returns the store's allocations, newest first, with their lines.
// Errors: ErrStoreNotFound.
func (s *Service) Allocations(ctx context.Context, storeID int64, f AidFilter) ([]Aid, error) {
	if _, err := s.storeInfo(ctx, s.db, storeID); err != nil {
		return nil, err
	}
	out := []Aid{}
	err := s.db.SelectContext(ctx, &out, aidQuery+`
WHERE a.store_id = $1 AND ($2::bigint = 0 OR a.household_id = $2) AND ($3::bigint = 0 OR a.id < $3)
ORDER BY a.id DESC LIMIT $4`, storeID, f.Household, f.Before, pageLimit(f.Limit))
	if err != nil {
		return nil, err
	}
	return out, s.aidLines(ctx, out)
}

// aidLines reads the lines of the allocations into them.
func (s *Service) aidLines(ctx context.Context, list []Aid) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	at := map[int64]int{}
	for i, a := range list {
		ids[i], at[a.ID] = a.ID, i
		list[i].Lines = []AidLine{}
	}
	var rows []struct {
		AidID int64 `db:"aid_id"`
		AidLine
	}
	err := s.db.SelectContext(ctx, &rows, `
SELECT l.aid_id, l.line, l.item_id, i.name AS item_name, i.unit, l.qty
FROM store_aid_lines l JOIN store_items i ON i.id = l.item_id
WHERE l.aid_id = ANY($1) ORDER BY l.aid_id, l.line`, pq.Int64Array(ids))
	for _, r := range rows {
		list[at[r.AidID]].Lines = append(list[at[r.AidID]].Lines, r.AidLine)
	}
	return err
}
