package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The kinds of stock movement. Each moves a lot's on-hand and reserved by deltas of fixed signs
// (the database checks them): received (+on-hand), reserved (+reserved), released (−reserved),
// handed out (−on-hand, and −reserved when it was reserved), written off (−on-hand, with a
// reason), counted (on-hand set to what was counted; a reason when it changed), allocated
// (−on-hand, free stock given to a household in hardship, without credits).
const (
	MoveReceived   = "received"
	MoveReserved   = "reserved"
	MoveReleased   = "released"
	MoveHandedOut  = "handed_out"
	MoveWrittenOff = "written_off"
	MoveCounted    = "counted"
	MoveAllocated  = "allocated"
)

// Movement is one entry of the stock journal, with the lot's quantities right after it.
type Movement struct {
	ID            int64     `db:"id" json:"id"`
	StoreID       int64     `db:"store_id" json:"store_id"`
	ItemID        int64     `db:"item_id" json:"item_id"`
	LotID         int64     `db:"lot_id" json:"lot_id"`
	Kind          string    `db:"kind" json:"kind"`
	OnHandDelta   int       `db:"on_hand_delta" json:"on_hand_delta"`
	ReservedDelta int       `db:"reserved_delta" json:"reserved_delta"`
	OnHandAfter   int       `db:"on_hand_after" json:"on_hand_after"`
	ReservedAfter int       `db:"reserved_after" json:"reserved_after"`
	Ref           string    `db:"ref" json:"ref"` // what caused it: "donation:3", "order:12", "adjustment:5", "aid:4"
	Reason        string    `db:"reason" json:"reason,omitempty"`
	Actor         string    `db:"actor" json:"actor"`
	At            time.Time `db:"at" json:"at"`
}

const movementColumns = `id, store_id, item_id, lot_id, kind, on_hand_delta, reserved_delta, on_hand_after,
	reserved_after, ref, coalesce(reason, '') AS reason, actor, at`

// move is a movement to append.
type move struct {
	lot              int64
	kind             string
	onHand, reserved int
	reason           string
}

// appendMovements appends the movements, all caused by ref and made by actor at at, in one statement.
// Each movement is written with its lot's state after it, from the lots locked (in id order) by
// the statement; the journal's statement trigger checks that and moves each lot once. A movement
// that would take a lot below zero or past its on-hand fails the journal's CHECK and with it the
// whole transaction.
func (s *Service) appendMovements(ctx context.Context, tx *sqlx.Tx, ref, actor string, at time.Time, ms []move) ([]Movement, error) {
	refs, actors := make([]string, len(ms)), make([]string, len(ms))
	for i := range ms {
		refs[i], actors[i] = ref, actor
	}
	return s.appendMoves(ctx, tx, at, ms, refs, actors)
}

// appendMoves appends the movements at at, each ms[i] caused by refs[i] and made by actors[i], in
// one statement, in the order given (see appendMovements).
func (s *Service) appendMoves(ctx context.Context, tx *sqlx.Tx, at time.Time, ms []move, refs, actors []string) ([]Movement, error) {
	if len(ms) == 0 {
		return []Movement{}, nil
	}
	var (
		lots              = make([]int64, len(ms))
		kinds, reasons    = make([]string, len(ms)), make([]string, len(ms))
		onHands, reserves = make([]int64, len(ms)), make([]int64, len(ms))
	)
	for i, m := range ms {
		lots[i], kinds[i], reasons[i], onHands[i], reserves[i] = m.lot, m.kind, m.reason, int64(m.onHand), int64(m.reserved)
	}
	var out []Movement
	err := s.st.Select(ctx, tx, &out, `
WITH m AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::int[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY
        AS m (lot, kind, on_hand, reserved, reason, ref, actor, n)
), lot AS (
    SELECT id, store_id, item_id, on_hand, reserved FROM store_lots WHERE id IN (SELECT lot FROM m) ORDER BY id FOR UPDATE
)
INSERT INTO store_movements (store_id, item_id, lot_id, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after,
                             reason, ref, actor, at)
SELECT lot.store_id, lot.item_id, m.lot, m.kind, m.on_hand, m.reserved,
       lot.on_hand + sum(m.on_hand) OVER w, lot.reserved + sum(m.reserved) OVER w, nullif(m.reason, ''), m.ref, m.actor, $8
FROM m LEFT JOIN lot ON lot.id = m.lot
WINDOW w AS (PARTITION BY m.lot ORDER BY m.n)
ORDER BY m.n
RETURNING `+movementColumns,
		pq.Int64Array(lots), pq.StringArray(kinds), pq.Int64Array(onHands), pq.Int64Array(reserves),
		pq.StringArray(reasons), pq.StringArray(refs), pq.StringArray(actors), at)
	return out, err
}

// JournalFilter narrows the stock journal.
type JournalFilter struct {
	LotID  int64 // only this lot's movements; 0 for all
	ItemID int64 // only this item's movements; 0 for all
	After  int64 // keyset: movements with a larger id
	Limit  int   // at most this many (DefaultLimit when 0, MaxLimit at most)
}

// Journal returns the store's stock movements, oldest first.
// Errors: ErrStoreNotFound.
func (s *Service) Journal(ctx context.Context, storeID int64, f JournalFilter) ([]Movement, error) {
	if _, err := s.storeInfo(ctx, s.db, storeID); err != nil {
		return nil, err
	}
	out := []Movement{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+movementColumns+` FROM store_movements
WHERE store_id = $1 AND id > $2 AND ($3::bigint = 0 OR lot_id = $3) AND ($4::bigint = 0 OR item_id = $4)
ORDER BY id LIMIT $5`, storeID, f.After, f.LotID, f.ItemID, pageLimit(f.Limit))
	return out, err
}

// Discrepancy is a lot whose quantities differ from the sum of its movements.
type Discrepancy struct {
	LotID         int64 `db:"lot_id" json:"lot_id"`
	OnHand        int   `db:"on_hand" json:"on_hand"`
	Reserved      int   `db:"reserved" json:"reserved"`
	JournalOnHand int   `db:"journal_on_hand" json:"journal_on_hand"`
	JournalRes    int   `db:"journal_reserved" json:"journal_reserved"`
}

// VerifyStock compares every lot of the store (every store when storeID is 0) with the sum of its
// journal, and each lot's reservations with the pending orders that hold them, and returns the
// lots that disagree. The database makes disagreement impossible short of disabling its
// triggers; this is the check an auditor runs to see that stock matches the books.
func (s *Service) VerifyStock(ctx context.Context, storeID int64) ([]Discrepancy, error) {
	out := []Discrepancy{}
	err := s.db.SelectContext(ctx, &out, `
WITH j AS (
    SELECT lot_id, sum(on_hand_delta) AS on_hand, sum(reserved_delta) AS reserved
    FROM store_movements WHERE $1::bigint = 0 OR store_id = $1 GROUP BY lot_id
), held AS (
    SELECT a.lot_id, sum(a.qty) AS qty
    FROM store_allocations a JOIN store_orders o ON o.id = a.order_id
    WHERE o.status = 'pending' AND ($1 = 0 OR o.store_id = $1) GROUP BY a.lot_id
)
SELECT l.id AS lot_id, l.on_hand, l.reserved, coalesce(j.on_hand, 0) AS journal_on_hand,
       coalesce(j.reserved, 0) AS journal_reserved
FROM store_lots l LEFT JOIN j ON j.lot_id = l.id LEFT JOIN held h ON h.lot_id = l.id
WHERE ($1 = 0 OR l.store_id = $1)
  AND (l.on_hand <> coalesce(j.on_hand, 0) OR l.reserved <> coalesce(j.reserved, 0)
       OR l.reserved <> coalesce(h.qty, 0))
ORDER BY l.id`, storeID)
	return out, err
}
