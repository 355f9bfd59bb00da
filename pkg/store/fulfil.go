package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pkg/principal"
)

// Handout says how many units of an ordered item were handed over; 0 means none of it.
type Handout struct {
	Item int64 `json:"item"`
	Qty  int   `json:"qty"`
}

// handedOut returns, line by line, what the hand-out gives: everything ordered when lines is nil,
// else what lines says (items it leaves out get nothing).
// Errors: ErrInvalid (*fields.Error).
func handedOut(o Order, lines []Handout) ([]int, error) {
	out := make([]int, len(o.Lines))
	if lines == nil {
		for i, l := range o.Lines {
			out[i] = l.Qty
		}
		return out, nil
	}
	bad := fields.Set{}
	if len(lines) > MaxLines {
		bad["lines"] = "too_many"
	}
	seen := map[int64]bool{}
	total := 0
	for i, h := range lines {
		f := fmt.Sprintf("lines[%d].", i)
		at := slices.IndexFunc(o.Lines, func(l OrderedLine) bool { return l.ItemID == h.Item })
		switch {
		case seen[h.Item]:
			bad[f+"item"] = "duplicate"
		case at < 0:
			bad[f+"item"] = "not_in_order"
		case h.Qty < 0 || h.Qty > o.Lines[at].Qty:
			bad[f+"qty"] = "range"
		default:
			out[at] = h.Qty
			total += h.Qty
		}
		seen[h.Item] = true
	}
	if len(bad) == 0 && total == 0 {
		bad["lines"] = "nothing_handed_out"
	}
	return out, bad.Err(ErrInvalid)
}

// Fulfil hands out a pending online order at the counter, all of it (lines nil) or part: in one
// transaction the reserved stock handed over leaves the lots first-expiring-first, the rest is
// released, and the hold is committed for the price of what was handed over (the rest of the
// hold is released). An order is handed out once: of two counters confirming the same order at
// the same moment, one succeeds and the other gets ErrOrderFulfilled. Hand-outs confirmed at the
// same moment share their transaction (fulfilBatch), each decided as it would be alone. Whether the
// actor serves the order's store is for the caller to decide.
// Errors: ErrInvalid (*fields.Error), ErrOrderNotFound, ErrOrderFulfilled, ErrOrderCancelled,
// ErrOrderExpired, ledger.ErrHoldResolved (the hold was released by hand in the ledger).
//
// With an idempotency key, the same request sent again after the order was handed out (its answer
// was lost) is answered with the order as it stands, as the first was; the same key with another
// request is ErrIdempotencyConflict. Without one, a second hand-out is ErrOrderFulfilled.
func (s *Service) Fulfil(ctx context.Context, actor *principal.Principal, orderID int64, lines []Handout, key string) (Order, error) {
	if err := needActor(actor); err != nil {
		return Order{}, err
	}
	if key != "" {
		if err := checkKey(key); err != nil {
			return Order{}, err
		}
	}
	f := fulfilling{actor: actor, order: orderID, lines: lines, key: key}
	o, err := s.fulfils.Do(ctx, f)
	if errors.Is(err, ErrOrderFulfilled) && key != "" {
		return s.fulfilReplay(ctx, f, err)
	}
	return o, err
}

// fulfilling is a hand-out asked for at a counter: alone (fulfilOne) or in a batch with others
// asked for at the same moment (fulfilBatch).
type fulfilling struct {
	actor *principal.Principal
	order int64
	lines []Handout
	key   string // the request's idempotency key, "" without one
}

// hash identifies the request for its idempotency key: the order, what was handed out, by whom.
func (f fulfilling) hash() []byte {
	return requestHash("fulfil", struct {
		Order int64
		Lines []Handout
		Actor string
	}{f.order, f.lines, f.actor.Label()})
}

// stamp marks the hand-out with the request's key, kept with the order.
func (f fulfilling) stamp(h *handing) {
	if f.key != "" {
		h.key, h.hash = f.key, f.hash()
	}
}

// fulfilReplay answers a request that found its order handed out: the order, when it was this
// request (its key and hash) that handed it out; ErrIdempotencyConflict for the key with another
// request; else refused, the error it got.
func (s *Service) fulfilReplay(ctx context.Context, f fulfilling, refused error) (Order, error) {
	var row struct {
		Key  sql.NullString `db:"fulfil_key"`
		Hash []byte         `db:"fulfil_hash"`
	}
	if err := s.st.Get(ctx, s.db, &row, `SELECT fulfil_key, fulfil_hash FROM store_orders WHERE id = $1`, f.order); err != nil {
		return Order{}, dbError(err)
	}
	switch {
	case !row.Key.Valid || row.Key.String != f.key:
		return Order{}, refused
	case !slices.Equal(row.Hash, f.hash()):
		return Order{}, ErrIdempotencyConflict
	}
	return s.Order(ctx, f.order)
}

// fulfilMany hands out a batch of orders, in one transaction when there are several, or else (or
// when that transaction fails) one by one.
func (s *Service) fulfilMany(ctx context.Context, calls []*call[fulfilling, Order]) {
	batchOrEach(ctx, s.log, &s.fulfilStats, "orders handed out", calls, s.fulfilBatch, s.fulfilOne)
}

// fulfilOne hands out one order in its own transaction.
func (s *Service) fulfilOne(ctx context.Context, f fulfilling) (Order, error) {
	var h handing
	err := s.ledger.InTx(ctx, func(tx *ledger.Tx) error {
		o, allocs, lots, err := s.lockOrder(ctx, tx.Sqlx(), f.order)
		if err != nil {
			return err
		}
		if h, err = handOut(o, f.lines, s.now()); err != nil {
			return err
		}
		f.stamp(&h)
		// The movements come in lot order, so their trigger locks the lots in id order, as every
		// operation on lots does, and before the ledger's rows.
		ms := handOutMoves(allocs, lots, h.given)
		if _, err := s.appendMovements(ctx, tx.Sqlx(), ref("order", f.order), f.actor.Label(), s.now(), ms); err != nil {
			return err
		}
		txID, err := tx.CommitHold(ctx, *o.HoldID, &h.charged, f.actor.Label())
		if err != nil {
			return err
		}
		hs := []handing{h}
		if err := s.resolveFulfilledMany(ctx, tx.Sqlx(), hs, []int64{txID}, []string{f.actor.Label()}, s.now()); err != nil {
			return err
		}
		h = hs[0]
		return nil
	})
	if err != nil {
		return Order{}, dbError(err)
	}
	return h.order, nil
}

// handOutMoves hands out each line's quantity from its reserved lots, first-expiring-first, and
// releases what remains reserved.
func handOutMoves(allocs []allocation, lots map[int64]Lot, given []int) []move {
	byLine := map[int][]allocation{}
	for _, a := range allocs {
		byLine[a.line] = append(byLine[a.line], a)
	}
	var ms []move
	for line, as := range byLine {
		slices.SortFunc(as, func(a, b allocation) int { return fefoLess(lots[a.lot], lots[b.lot]) })
		left := given[line]
		for _, a := range as {
			out := min(left, a.qty)
			left -= out
			if out > 0 {
				ms = append(ms, move{lot: a.lot, kind: MoveHandedOut, onHand: -out, reserved: -out})
			}
			if rest := a.qty - out; rest > 0 {
				ms = append(ms, move{lot: a.lot, kind: MoveReleased, reserved: -rest})
			}
		}
	}
	slices.SortFunc(ms, func(a, b move) int { return cmp.Compare(a.lot, b.lot) })
	return ms
}
