package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/pkg/principal"
)

// expiredReason is the write-off reason of goods past their best-before date.
const expiredReason = "expired"

// The reasons for writing stock off or correcting it after a count.
var (
	WriteOffReasons = []string{"expired", "damaged", "spoiled", "lost", "other"}
	CountReasons    = []string{"recount", "lost", "damaged", "other"}
)

// LotQty names a lot and a quantity: what to write off, or what a count found on the shelf.
type LotQty struct {
	Lot int64 `json:"lot"`
	Qty int   `json:"qty"`
}

// NewAdjustment is a write-off (goods that can no longer be given out, recorded as disposed of) or
// a stock count (the quantities found on the shelves, which replace the books' where they differ).
type NewAdjustment struct {
	Reason string   `json:"reason"`
	Note   string   `json:"note,omitempty"`
	Lines  []LotQty `json:"lines"`
}

// validate checks the request against the reasons of its kind.
func (n *NewAdjustment) validate(reasons []string, minQty int) error {
	bad := fields.Set{}
	if !slices.Contains(reasons, n.Reason) {
		bad["reason"] = "unknown"
	}
	var r string
	if n.Note, r = (fields.Text{Max: 500}).Clean(n.Note); r != "" {
		bad["note"] = r
	}
	switch {
	case len(n.Lines) == 0:
		bad["lines"] = "required"
	case len(n.Lines) > 200:
		bad["lines"] = "too_many"
	}
	seen := map[int64]bool{}
	for i, l := range n.Lines {
		f := fmt.Sprintf("lines[%d].", i)
		switch {
		case l.Lot <= 0:
			bad[f+"lot"] = "required"
		case seen[l.Lot]:
			bad[f+"lot"] = "duplicate"
		}
		seen[l.Lot] = true
		if l.Qty < minQty || l.Qty > 1_000_000 {
			bad[f+"qty"] = "range"
		}
	}
	return bad.Err(ErrInvalid)
}

// Adjustment is a recorded write-off or count with the movements it appended.
type Adjustment struct {
	ID        int64      `db:"id" json:"id"`
	StoreID   int64      `db:"store_id" json:"store_id"`
	Kind      string     `db:"kind" json:"kind"` // "writeoff" or "count"
	Reason    string     `db:"reason" json:"reason"`
	Note      string     `db:"note" json:"note,omitempty"`
	Actor     string     `db:"actor" json:"actor"`
	CreatedAt time.Time  `db:"created_at" json:"created_at"`
	Movements []Movement `db:"-" json:"movements"`
	Replayed  bool       `db:"-" json:"-"`
}

// WriteOff records goods disposed of: each line's quantity leaves its lot, with the reason. Only
// stock that no order has reserved can be written off. key is the caller's idempotency key.
// Errors: ErrInvalid (*fields.Error), ErrStoreNotFound, ErrLotNotFound, ErrStockReserved and
// ErrOutOfStock (each a *LineError), ErrIdempotencyConflict.
func (s *Service) WriteOff(ctx context.Context, actor *principal.Principal, storeID int64, key string, n NewAdjustment) (Adjustment, error) {
	if err := n.validate(WriteOffReasons, 1); err != nil {
		return Adjustment{}, err
	}
	return s.adjust(ctx, actor, storeID, key, "writeoff", n, func(i int, l Lot, qty int) (move, error) {
		switch {
		case qty > l.OnHand:
			return move{}, &LineError{Err: ErrOutOfStock, Line: i, Item: l.ItemID, Field: "qty", Reason: ReasonOutOfStock}
		case qty > l.Free():
			return move{}, &LineError{Err: ErrStockReserved, Line: i, Item: l.ItemID, Field: "qty", Reason: ReasonReserved}
		}
		return move{lot: l.ID, kind: MoveWrittenOff, onHand: -qty, reason: n.Reason}, nil
	})
}

// Count records a stock count: each line gives the quantity found in its lot, and the lot is set
// to it (a "counted" movement by the difference, with the reason; a zero movement when the books
// were right, so the journal shows the lot was counted). A lot cannot be counted below what
// orders reserved: those goods must be handed out or the orders cancelled first.
// Errors: ErrInvalid (*fields.Error), ErrStoreNotFound, ErrLotNotFound, ErrStockReserved (a
// *LineError), ErrIdempotencyConflict.
func (s *Service) Count(ctx context.Context, actor *principal.Principal, storeID int64, key string, n NewAdjustment) (Adjustment, error) {
	if err := n.validate(CountReasons, 0); err != nil {
		return Adjustment{}, err
	}
	return s.adjust(ctx, actor, storeID, key, "count", n, func(i int, l Lot, counted int) (move, error) {
		if counted < l.Reserved {
			return move{}, &LineError{Err: ErrStockReserved, Line: i, Item: l.ItemID, Field: "qty", Reason: ReasonReserved}
		}
		return move{lot: l.ID, kind: MoveCounted, onHand: counted - l.OnHand, reason: n.Reason}, nil
	})
}

// WriteOffExpired writes off the free stock of every lot of the store past its best-before date
// (days in China Standard Time), with the reason "expired". Stock reserved by orders stays until
// the orders are resolved. key is the caller's idempotency key.
// Errors: ErrStoreNotFound, ErrIdempotencyConflict.
func (s *Service) WriteOffExpired(ctx context.Context, actor *principal.Principal, storeID int64, key string) (Adjustment, error) {
	var lots []Lot
	err := s.db.SelectContext(ctx, &lots, `SELECT `+lotColumns+` FROM store_lots
WHERE store_id = $1 AND on_hand > reserved AND best_before < $2::date ORDER BY id`,
		storeID, today(s.now()).Format(dayLayout))
	if err != nil {
		return Adjustment{}, err
	}
	n := NewAdjustment{Reason: expiredReason, Lines: []LotQty{}}
	for _, l := range lots {
		n.Lines = append(n.Lines, LotQty{Lot: l.ID, Qty: l.Free()})
	}
	// The quantities are re-read under lock: an order may have reserved some meanwhile.
	return s.adjust(ctx, actor, storeID, key, "writeoff", n, func(_ int, l Lot, _ int) (move, error) {
		if l.Free() == 0 {
			return move{}, nil
		}
		return move{lot: l.ID, kind: MoveWrittenOff, onHand: -l.Free(), reason: expiredReason}, nil
	})
}

// adjust records a write-off or count: the header, then one movement per line as step decides
// from the lot locked for it (a zero move is skipped).
func (s *Service) adjust(ctx context.Context, actor *principal.Principal, storeID int64, key, kind string, n NewAdjustment,
	step func(i int, l Lot, qty int) (move, error)) (Adjustment, error) {
	if err := needActor(actor); err != nil {
		return Adjustment{}, err
	}
	if err := checkKey(key); err != nil {
		return Adjustment{}, err
	}
	hash := requestHash(kind, struct {
		Store int64
		N     NewAdjustment
	}{storeID, n})
	if id, err := s.replayed(ctx, "store_adjustments", actor.Label(), key, hash); err != nil || id != 0 {
		return s.replayAdjustment(ctx, id, err)
	}
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var ids []int64
		err := tx.SelectContext(ctx, &ids, `
INSERT INTO store_adjustments (store_id, kind, reason, note, actor, idem_scope, idem_key, request_hash, created_at)
VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8) ON CONFLICT (idem_scope, idem_key) DO NOTHING RETURNING id`,
			storeID, kind, n.Reason, n.Note, actor.Label(), key, hash, s.now())
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return errReplay
		}
		id = ids[0]
		lotIDs := make([]int64, len(n.Lines))
		for i, l := range n.Lines {
			lotIDs[i] = l.Lot
		}
		lots, err := s.lockLots(ctx, tx, storeID, lotIDs)
		if err != nil {
			return err
		}
		var ms []move
		for i, l := range n.Lines {
			lot, ok := lots[l.Lot]
			if !ok {
				return &LineError{Err: ErrLotNotFound, Line: i, Field: "lot", Reason: "not_found"}
			}
			m, err := step(i, lot, l.Qty)
			if err != nil {
				return err
			}
			if m.lot != 0 && (m.onHand != 0 || kind == "count") {
				if m.onHand == 0 {
					m.reason = "" // the books were right: nothing to explain
				}
				ms = append(ms, m)
			}
		}
		_, err = s.appendMovements(ctx, tx, ref("adjustment", id), actor.Label(), s.now(), ms)
		return err
	})
	if errors.Is(err, errReplay) {
		id, err = s.replayed(ctx, "store_adjustments", actor.Label(), key, hash)
		return s.replayAdjustment(ctx, id, err)
	}
	if err != nil {
		return Adjustment{}, err
	}
	return s.adjustment(ctx, id)
}

func (s *Service) replayAdjustment(ctx context.Context, id int64, err error) (Adjustment, error) {
	if err != nil {
		return Adjustment{}, err
	}
	a, err := s.adjustment(ctx, id)
	a.Replayed = true
	return a, err
}

// adjustment reads a recorded write-off or count with its movements.
func (s *Service) adjustment(ctx context.Context, id int64) (Adjustment, error) {
	var a Adjustment
	err := s.db.GetContext(ctx, &a, `SELECT id, store_id, kind, reason, note, actor, created_at
FROM store_adjustments WHERE id = $1`, id)
	if err != nil {
		return a, err
	}
	a.Movements = []Movement{}
	err = s.db.SelectContext(ctx, &a.Movements, `SELECT `+movementColumns+` FROM store_movements
WHERE ref = $1 ORDER BY id`, ref("adjustment", id))
	return a, err
}
