package store

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/ledger"
)

// handing is an order of a batch being handed out: calls[call], the order as locked, what each
// line hands out and what that costs.
type handing struct {
	call    int
	order   Order
	given   []int
	charged int64
	key     string // the request's idempotency key and hash, kept with the order ("" and nil without)
	hash    []byte
}

// fulfilBatch hands out orders confirmed at the same moment in one transaction, with a fixed
// number of statements: it locks the orders in id order, decides each as fulfilOne would (an
// order that is not pending, has expired or is asked for wrongly is refused and changes nothing),
// and then appends every hand-out movement in lot order, commits the holds and resolves the
// orders together. It finishes every call once the transaction has committed and its balances are
// in Redis (beside the next batch, see afterCommit), and none when it fails (the caller then hands
// them out one by one, which tells which failed and why).
func (s *Service) fulfilBatch(ctx context.Context, calls []*call[fulfilling, Order]) error {
	ids := make([]int64, 0, len(calls))
	for _, c := range calls {
		if slices.Contains(ids, c.Req.order) {
			return errNoBatch // two counters, one order: one by one, the second learns it was handed out
		}
		ids = append(ids, c.Req.order)
	}
	refused := make([]error, len(calls))
	var hs []handing
	project, err := s.ledger.InTxProjectLater(ctx, func(tx *ledger.Tx) error {
		locked, err := s.lockOrders(ctx, tx.Sqlx(), ids)
		if err != nil {
			return err
		}
		now := s.now()
		type refMove struct {
			move
			ref, actor string
		}
		var moves []refMove
		for i, c := range calls {
			lo, ok := locked[c.Req.order]
			if !ok {
				refused[i] = ErrOrderNotFound
				continue
			}
			h, err := handOut(lo.order, c.Req.lines, now)
			if err != nil {
				refused[i] = err
				continue
			}
			h.call = i
			c.Req.stamp(&h)
			for _, m := range handOutMoves(lo.allocs, lo.lots, h.given) {
				moves = append(moves, refMove{m, ref("order", h.order.ID), c.Req.actor.Label()})
			}
			hs = append(hs, h)
		}
		if len(hs) == 0 {
			return nil
		}
		// In lot order, as every operation on lots locks them, and before the ledger's rows.
		slices.SortStableFunc(moves, func(a, b refMove) int { return cmp.Compare(a.lot, b.lot) })
		ms, refs, actors := make([]move, len(moves)), make([]string, len(moves)), make([]string, len(moves))
		for i, m := range moves {
			ms[i], refs[i], actors[i] = m.move, m.ref, m.actor
		}
		if _, err := s.appendMoves(ctx, tx.Sqlx(), now, ms, refs, actors); err != nil {
			return err
		}
		holds, charged, by := make([]int64, len(hs)), make([]int64, len(hs)), make([]string, len(hs))
		for i, h := range hs {
			holds[i], charged[i], by[i] = *h.order.HoldID, h.charged, calls[h.call].Req.actor.Label()
		}
		txs, err := tx.CommitHolds(ctx, holds, charged, by)
		if err != nil {
			return err
		}
		return s.resolveFulfilledMany(ctx, tx.Sqlx(), hs, txs, by, now)
	})
	if err != nil {
		return err
	}
	afterCommit(ctx, project, func(context.Context) {
		for i, c := range calls {
			if refused[i] != nil {
				c.Finish(Order{}, refused[i])
			}
		}
		for _, h := range hs {
			calls[h.call].Finish(h.order, nil)
		}
	})
	return nil
}

// handOut decides a hand-out of the locked order o as fulfilOne does: what each line gives and
// what that costs, or why the order cannot be handed out.
func handOut(o Order, lines []Handout, now time.Time) (handing, error) {
	if o.Channel != ChannelOnline {
		return handing{}, ErrOrderFulfilled // a sale is handed out when it is made
	}
	if err := stateError(o, now); err != nil {
		return handing{}, err
	}
	given, err := handedOut(o, lines)
	if err != nil {
		return handing{}, err
	}
	h := handing{order: o, given: given}
	for i, l := range o.Lines {
		h.charged += l.Price * int64(given[i])
	}
	return h, nil
}

// resolveFulfilledMany records what each line of the batch's orders handed out and marks the
// orders fulfilled (hs[i] by its transaction txs[i], at a counter by[i]), in one statement, and
// sets each order in hs as it now stands.
func (s *Service) resolveFulfilledMany(ctx context.Context, tx *sqlx.Tx, hs []handing, txs []int64, by []string, now time.Time) error {
	var lOrder, lLine, lQty, oID, oCharged []int64
	var keys []string
	var hashes [][]byte
	for _, h := range hs {
		for i, g := range h.given {
			lOrder, lLine, lQty = append(lOrder, h.order.ID), append(lLine, int64(i)), append(lQty, int64(g))
		}
		oID, oCharged = append(oID, h.order.ID), append(oCharged, h.charged)
		keys, hashes = append(keys, h.key), append(hashes, h.hash)
	}
	var resolved []struct {
		ID int64     `db:"id"`
		At time.Time `db:"resolved_at"`
	}
	err := s.st.Select(ctx, tx, &resolved, `
WITH l AS (
    UPDATE store_order_lines ol SET handed_out = x.qty
    FROM unnest($1::bigint[], $2::int[], $3::int[]) AS x (order_id, line, qty)
    WHERE ol.order_id = x.order_id AND ol.line = x.line
)
UPDATE store_orders o
   SET status = 'fulfilled', charged = x.charged, tx_id = x.tx, resolved_at = $8, resolved_by = x.actor,
       fulfil_key = nullif(x.key, ''), fulfil_hash = CASE WHEN x.key <> '' THEN x.hash END
  FROM unnest($4::bigint[], $5::bigint[], $6::bigint[], $7::text[], $9::text[], $10::bytea[]) AS x (id, charged, tx, actor, key, hash)
 WHERE o.id = x.id
RETURNING o.id, o.resolved_at`,
		pq.Int64Array(lOrder), pq.Int64Array(lLine), pq.Int64Array(lQty),
		pq.Int64Array(oID), pq.Int64Array(oCharged), pq.Int64Array(txs), pq.StringArray(by), now,
		pq.StringArray(keys), pq.ByteaArray(hashes))
	if err != nil {
		return err
	}
	at := make(map[int64]time.Time, len(resolved))
	for _, r := range resolved {
		at[r.ID] = r.At
	}
	for i := range hs {
		h := &hs[i]
		charged, txID, when := h.charged, txs[i], at[h.order.ID]
		h.order.Status, h.order.Charged, h.order.TransactionID, h.order.ResolvedAt = StatusFulfilled, &charged, &txID, &when
		for j := range h.order.Lines {
			h.order.Lines[j].HandedOut = &h.given[j]
		}
	}
	return nil
}
