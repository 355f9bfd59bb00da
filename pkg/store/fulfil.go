package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/ledger"
)

// Handout says how many units of an ordered item were handed over; 0 means none of it.
type Handout struct {
	Item int64 `json:"item"`
	Qty  int   `json:"qty"`
}

// handedOut returns, line by line, what the hand-out gives: everything ordered when lines is nil,
// else what lines says (items it leaves out get nothing).
// Errors: ErrInvalid (*ValidationError).
func handedOut(o Order, lines []Handout) ([]int, error) {
	out := make([]int, len(o.Lines))
	if lines == nil {
		for i, l := range o.Lines {
			out[i] = l.Qty
		}
		return out, nil
	}
	bad := fieldErrors{}
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
	return out, bad.err()
}

// Fulfil hands out a pending online order at the counter, all of it (lines nil) or part: in one
// transaction the reserved stock handed over leaves the lots first-expiring-first, the rest is
// released, and the hold is committed for the price of what was handed over (the rest of the
// hold is released). An order is handed out once: of two counters confirming the same order at
// the same moment, one succeeds and the other gets ErrOrderFulfilled. Whether the actor serves the
// order's store is for the caller to decide.
// Errors: ErrInvalid (*ValidationError), ErrOrderNotFound, ErrOrderFulfilled, ErrOrderCancelled,
// ErrOrderExpired, ledger.ErrHoldResolved (the hold was released by hand in the ledger).
func (s *Service) Fulfil(ctx context.Context, actor Actor, orderID int64, lines []Handout) (Order, error) {
	if err := needActor(actor); err != nil {
		return Order{}, err
	}
	var o Order
	err := s.ledger.InTx(ctx, func(tx *ledger.Tx) error {
		var (
			allocs []allocation
			lots   map[int64]Lot
			err    error
		)
		o, allocs, lots, err = s.lockOrder(ctx, tx.Sqlx(), orderID)
		if err != nil {
			return err
		}
		if o.Channel != ChannelOnline {
			return ErrOrderFulfilled // a sale is handed out when it is made
		}
		if err := stateError(o, s.now()); err != nil {
			return err
		}
		given, err := handedOut(o, lines)
		if err != nil {
			return err
		}
		// The movements come in lot order, so their trigger locks the lots in id order, as every
		// operation on lots does, and before the ledger's rows.
		ms := handOutMoves(allocs, lots, given)
		if _, err := s.appendMovements(ctx, tx.Sqlx(), ref("order", orderID), label(actor), s.now(), ms); err != nil {
			return err
		}
		var charged int64
		for i, l := range o.Lines {
			charged += l.Price * int64(given[i])
		}
		txID, err := tx.CommitHold(ctx, *o.HoldID, &charged, label(actor))
		if err != nil {
			return err
		}
		resolved, err := s.resolveFulfilled(ctx, tx.Sqlx(), orderID, given, charged, txID, s.now(), label(actor))
		if err != nil {
			return err
		}
		o.Status, o.Charged, o.TransactionID, o.ResolvedAt = StatusFulfilled, &charged, &txID, &resolved
		for i := range o.Lines {
			o.Lines[i].HandedOut = &given[i]
		}
		return nil
	})
	if err != nil {
		return Order{}, dbError(err)
	}
	return o, nil
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

// resolveFulfilled records what each line handed out and marks the order fulfilled, in one
// statement, and returns when the order was resolved (as stored).
func (s *Service) resolveFulfilled(ctx context.Context, tx *sqlx.Tx, orderID int64, given []int, charged, txID int64,
	now time.Time, actor string) (time.Time, error) {
	qty := make([]int64, len(given))
	for i, g := range given {
		qty[i] = int64(g)
	}
	var resolved time.Time
	err := s.st.Get(ctx, tx, &resolved, `
WITH l AS (
    UPDATE store_order_lines SET handed_out = ($2::int[])[line + 1] WHERE order_id = $1
)
UPDATE store_orders SET status = 'fulfilled', charged = $3, tx_id = $4, resolved_at = $5, resolved_by = $6
WHERE id = $1 RETURNING resolved_at`, orderID, pq.Int64Array(qty), charged, txID, now, actor)
	return resolved, err
}
