package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/ledger"
)

// errNoBatch ends a batch that cannot be placed as one (the same key twice, a volunteer's account
// the ledger cannot lock as one row): its orders are placed one by one.
var errNoBatch = errors.New("store: the orders cannot be placed as one batch")

// placeBatch places orders that arrived together in one transaction, with a fixed number of
// statements: it counts the limited items the volunteers already have (holding their limit
// locks), locks the free lots of every item ordered, locks the volunteers' balances, and then
// decides order by order, in arrival order, as placeOne would one after another: an order over a
// limit, out of stock or short of credits is refused and takes nothing; the others take their
// share of what is left. The accepted orders' holds and rows are written together. It finishes
// every call once the transaction has committed and its balances are in Redis (beside the next
// batch, see afterCommit), and none when it fails (the caller then places them one by one).
func (s *Service) placeBatch(ctx context.Context, calls []*call[placing, Order]) error {
	seen := make(map[[2]string]bool, len(calls))
	for _, c := range calls {
		k := [2]string{c.Req.actor.Label(), c.Req.key}
		if seen[k] {
			return errNoBatch // a repeat in flight with its first: one by one, it replays the first
		}
		seen[k] = true
	}
	orders := make([]Order, len(calls))
	refused := make([]error, len(calls))
	project, err := s.ledger.InTxProjectLater(ctx, func(tx *ledger.Tx) error {
		used, err := s.usageForBatch(ctx, tx.Sqlx(), calls)
		if err != nil {
			return err
		}
		ids, stock, err := s.lockLotsForBatch(ctx, tx.Sqlx(), calls)
		if err != nil {
			return err
		}
		accounts := make([]string, len(calls))
		for i, c := range calls {
			accounts[i] = c.Req.account
		}
		credits, err := tx.Available(ctx, accounts)
		if err != nil {
			return err
		}
		var (
			holds  []ledger.HoldRequest
			placed []placedOrder
		)
		for i, c := range calls {
			allocs, err := c.Req.fit(used, stock, credits)
			if errors.Is(err, errNoBatch) {
				return err
			} else if err != nil {
				refused[i] = err
				continue
			}
			id := ids[len(placed)]
			holds = append(holds, c.Req.holdRequest(id))
			placed = append(placed, placedOrder{call: i, p: c.Req, id: id, allocs: allocs})
		}
		if len(placed) == 0 {
			return nil
		}
		holdIDs, err := tx.HoldMany(ctx, holds)
		if err != nil {
			return err
		}
		for i := range placed {
			placed[i].hold = holdIDs[i]
		}
		if err := s.insertPlacedMany(ctx, tx.Sqlx(), placed, orders); err != nil {
			return err
		}
		ready := make([]Order, len(placed))
		for i, po := range placed {
			ready[i] = orders[po.call]
		}
		return s.tellReady(ctx, tx.Sqlx(), ready...)
	})
	if err != nil {
		return err
	}
	afterCommit(ctx, project, func(ctx context.Context) {
		for i, c := range calls {
			if refused[i] != nil {
				c.Finish(s.placeFailed(ctx, c.Req, refused[i]))
				continue
			}
			o := orders[i]
			url, err := s.pickupURL(o)
			o.PickupURL = url
			c.Finish(o, err)
		}
	})
	return nil
}

// placedOrder is an order of a batch that fits: calls[call], its id and hold, and its lots.
type placedOrder struct {
	call   int
	p      placing
	id     int64
	hold   int64
	allocs []allocation
}

// usageForBatch counts, as checkLimits does and under the same locks, what each person of the
// batch already has of each limited item they order.
func (s *Service) usageForBatch(ctx context.Context, tx *sqlx.Tx, calls []*call[placing, Order]) (map[usageKey]int, error) {
	var keys []usageKey
	for _, c := range calls {
		for _, l := range c.Req.n.Lines {
			if it := c.Req.oc.items[l.Item]; it.LimitQty > 0 {
				keys = append(keys, limitKey(c.Req.actor.UserID, it, c.Req.now))
			}
		}
	}
	return s.limitUsage(ctx, tx, keys, 0)
}

// lockLotsForBatch takes an order id per order of the batch from the orders' sequence and locks,
// in id order, the lots with free stock of every item ordered that are still within their date at
// the end of the earliest pickup window (fit keeps each order to the lots within its own). It
// returns the lots by item.
func (s *Service) lockLotsForBatch(ctx context.Context, tx *sqlx.Tx, calls []*call[placing, Order]) ([]int64, map[int64][]*Lot, error) {
	var items []int64
	minDate := ""
	for _, c := range calls {
		items = append(items, itemIDs(c.Req.n.Lines)...)
		if d := today(c.Req.expires).Format(dayLayout); minDate == "" || d < minDate {
			minDate = d
		}
	}
	ids, lots, err := s.lockLotsTaking(ctx, tx, items, minDate, len(calls))
	stock := map[int64][]*Lot{}
	for i := range lots {
		stock[lots[i].ItemID] = append(stock[lots[i].ItemID], &lots[i])
	}
	return ids, stock, err
}

// fit decides whether the order fits what the batch has left, checked as placeOne checks it: its
// limits (used: what each person has of each limited item, with the batch's earlier orders), its
// stock (the free lots by item, within the order's date) and its credits. An order that fits takes
// its share of all three and gets its allocations; one that does not gets placeOne's refusal.
func (p placing) fit(used map[usageKey]int, stock map[int64][]*Lot, credits map[string]int64) ([]allocation, error) {
	for i, l := range p.n.Lines {
		it := p.oc.items[l.Item]
		if it.LimitQty > 0 && used[limitKey(p.actor.UserID, it, p.now)]+l.Qty > it.LimitQty {
			return nil, lineError(ErrOverLimit, i, it, "qty", ReasonOverLimit)
		}
	}
	minDate := today(p.expires).Format(dayLayout)
	var lots []Lot
	byID := map[int64]*Lot{}
	for _, l := range p.n.Lines {
		for _, lot := range stock[l.Item] {
			if lot.BestBefore == "" || lot.BestBefore >= minDate {
				lots = append(lots, *lot)
				byID[lot.ID] = lot
			}
		}
	}
	allocs, err := allocate(p.n.Lines, p.oc.items, lots)
	if err != nil {
		return nil, err
	}
	have, ok := credits[p.account]
	if !ok {
		return nil, errNoBatch // not a one-row account: placeOne says what is wrong
	}
	if have < p.total {
		return nil, &ledger.AccountError{Err: ledger.ErrInsufficientFunds, Account: p.account}
	}
	credits[p.account] = have - p.total
	for _, a := range allocs {
		byID[a.lot].Reserved += a.qty
	}
	for _, l := range p.n.Lines {
		if it := p.oc.items[l.Item]; it.LimitQty > 0 {
			used[limitKey(p.actor.UserID, it, p.now)] += l.Qty
		}
	}
	return allocs, nil
}

// insertPlacedMany writes the batch's placed orders, as insertPlaced writes one, in one statement,
// and sets each in orders (by its call) as stored. A key that another request took meanwhile ends
// the transaction with errReplay.
func (s *Service) insertPlacedMany(ctx context.Context, tx *sqlx.Tx, placed []placedOrder, orders []Order) error {
	var (
		oID, oStore, oUser, oTotal, oHold []int64
		oScope, oKey, oAt, oExp           []string
		oHash                             [][]byte
		lOrder, lLine, lItem, lQty, lPr   []int64
		aOrder, aLine, aLot, aQty         []int64
		mActor, mAt                       []string
	)
	for _, po := range placed {
		p, at := po.p, po.p.now.Format(timeLayout)
		oID, oStore, oUser, oTotal, oHold = append(oID, po.id), append(oStore, p.n.Store), append(oUser, p.actor.UserID),
			append(oTotal, p.total), append(oHold, po.hold)
		oScope, oKey, oAt, oExp = append(oScope, p.actor.Label()), append(oKey, p.key), append(oAt, at),
			append(oExp, p.expires.Format(timeLayout))
		oHash = append(oHash, p.hash)
		for i, l := range p.n.Lines {
			lOrder, lLine, lItem, lQty = append(lOrder, po.id), append(lLine, int64(i)), append(lItem, l.Item), append(lQty, int64(l.Qty))
			lPr = append(lPr, p.oc.items[l.Item].Price)
		}
		for _, a := range po.allocs {
			aOrder, aLine, aLot, aQty = append(aOrder, po.id), append(aLine, int64(a.line)), append(aLot, a.lot), append(aQty, int64(a.qty))
			mActor, mAt = append(mActor, p.actor.Label()), append(mAt, at)
		}
	}
	rows, err := s.st.Query(ctx, tx, `
WITH o AS (
    INSERT INTO store_orders (id, store_id, user_id, channel, status, total, hold_id, idem_scope, idem_key,
                              request_hash, created_by, created_at, expires_at)
    OVERRIDING SYSTEM VALUE
    SELECT x.id, x.store, x.usr, 'online', 'pending', x.total, x.hold, x.scope, x.key, x.hash, x.scope, x.at, x.expires
    FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::text[],
                $8::bytea[], $9::timestamptz[], $10::timestamptz[])
         AS x (id, store, usr, total, hold, scope, key, hash, at, expires)
    ON CONFLICT (idem_scope, idem_key) DO NOTHING
    RETURNING id, created_at, expires_at
), l AS (
    INSERT INTO store_order_lines (order_id, line, item_id, qty, price)
    SELECT l.order_id, l.line, l.item, l.qty, l.price
    FROM unnest($11::bigint[], $12::int[], $13::bigint[], $14::int[], $15::bigint[]) AS l (order_id, line, item, qty, price)
    JOIN o ON o.id = l.order_id
), a AS (
    INSERT INTO store_allocations (order_id, line, lot_id, qty)
    SELECT a.order_id, a.line, a.lot, a.qty
    FROM unnest($16::bigint[], $17::int[], $18::bigint[], $19::int[]) AS a (order_id, line, lot, qty)
    JOIN o ON o.id = a.order_id
), m AS (
    INSERT INTO store_movements (store_id, item_id, lot_id, kind, on_hand_delta, reserved_delta, on_hand_after,
                                 reserved_after, ref, actor, at)
    SELECT lot.store_id, lot.item_id, m.lot, 'reserved', 0, m.qty, lot.on_hand, lot.reserved + sum(m.qty) OVER w,
           'order:' || m.order_id, m.actor, m.at
    FROM unnest($18::bigint[], $19::int[], $16::bigint[], $20::text[], $21::timestamptz[]) WITH ORDINALITY
         AS m (lot, qty, order_id, actor, at, n)
    JOIN o ON o.id = m.order_id
    LEFT JOIN store_lots lot ON lot.id = m.lot -- locked by lockLotsTaking
    WINDOW w AS (PARTITION BY m.lot ORDER BY m.n)
    ORDER BY m.lot, m.n
)
SELECT id, created_at, expires_at FROM o`,
		pq.Int64Array(oID), pq.Int64Array(oStore), pq.Int64Array(oUser), pq.Int64Array(oTotal), pq.Int64Array(oHold),
		pq.StringArray(oScope), pq.StringArray(oKey), pq.ByteaArray(oHash), pq.StringArray(oAt), pq.StringArray(oExp),
		pq.Int64Array(lOrder), pq.Int64Array(lLine), pq.Int64Array(lItem), pq.Int64Array(lQty), pq.Int64Array(lPr),
		pq.Int64Array(aOrder), pq.Int64Array(aLine), pq.Int64Array(aLot), pq.Int64Array(aQty),
		pq.StringArray(mActor), pq.StringArray(mAt))
	if err != nil {
		return err
	}
	defer rows.Close()
	byID := make(map[int64]int, len(placed))
	for i, po := range placed {
		byID[po.id] = i
	}
	written := 0
	for rows.Next() {
		var (
			id      int64
			created sql.NullTime
			expires sql.NullTime
		)
		if err := rows.Scan(&id, &created, &expires); err != nil {
			return err
		}
		po := placed[byID[id]]
		o := po.p.order(po.id, po.hold)
		o.CreatedAt, o.ExpiresAt = created.Time, &expires.Time
		orders[po.call] = o
		written++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if written != len(placed) {
		return errReplay
	}
	return rows.Close()
}

// timeLayout writes times into the text arrays the batch statements take.
const timeLayout = time.RFC3339Nano
