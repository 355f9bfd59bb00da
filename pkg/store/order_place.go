package store

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"timebank/ledger"
	"timebank/pkg/principal"
	"timebank/pkg/qr"
)

// holdMargin is how much longer an order's ledger hold lasts than the order. The order's expiry
// worker voids the hold together with the stock; the ledger's own expiry of holds is only the
// backstop for a store worker that did not run.
const holdMargin = time.Hour

// errReplay ends a transaction whose idempotency key another request already used.
var errReplay = errors.New("store: replay")

// PlaceOrder places a volunteer's online order: in one PostgreSQL transaction it checks each line
// (item offered, star level, per-person limit), reserves the stock first-expiring-first from lots
// still within their date at the end of the pickup window, and holds the order's price in credits
// from the volunteer's account for the store. Any refusal changes nothing. The order comes back
// with its pickup URL. key is the caller's idempotency key: the same key with the same order
// returns the first (Replayed set), whoever retries. Orders placed at the same moment in a store
// share their transaction (placeBatch); each is decided as it would be alone, in arrival order.
// Errors: ErrInvalid (*fields.Error), ErrStoreNotFound, ErrMinimumHours (*MinimumHoursError),
// ErrItemNotFound, ErrItemUnavailable, ErrStarsRequired, ErrOverLimit, ErrOutOfStock (each a *LineError naming the line and item),
// ledger.ErrInsufficientFunds (a *ledger.AccountError naming the account), ErrIdempotencyConflict.
func (s *Service) PlaceOrder(ctx context.Context, actor *principal.Principal, key string, n NewOrder) (Order, error) {
	p, replay, err := s.prepareOrder(ctx, actor, key, n)
	if err != nil || replay != nil {
		return *replay, err
	}
	o, err := s.placeGroup(n.Store).Do(ctx, p)
	if err == nil && o.ID != 0 {
		s.orderStores.put(o.ID, o.StoreID)
	}
	return o, err
}

// prepareOrder checks an order before its transaction and prices it. When the order is not to be
// placed, replay is the answer: the order of an earlier request under the key, or nothing with err.
func (s *Service) prepareOrder(ctx context.Context, actor *principal.Principal, key string, n NewOrder) (p placing, replay *Order, err error) {
	none := &Order{}
	if err := needActor(actor); err != nil {
		return p, none, err
	}
	if actor.UserID == 0 {
		return p, none, invalid("user", "person_only")
	}
	if err := checkKey(key); err != nil {
		return p, none, err
	}
	if err := n.Validate(); err != nil {
		return p, none, err
	}
	hash := requestHash("order", n)
	oc, err := s.orderContext(ctx, actor, key, hash, n)
	if err != nil || oc.replay != 0 {
		o, err := s.replayOrder(ctx, oc.replay, err)
		return p, &o, err
	}
	if err := s.checkFirstRedemption(ctx, actor.UserID, oc.store.OrgID, &oc.redeemed); err != nil {
		return p, none, err
	}
	if err := s.checkItems(ctx, actor.UserID, oc.store.OrgID, n.Lines, oc.items); err != nil {
		return p, none, err
	}
	account, err := oc.account()
	if err != nil {
		return p, none, err
	}
	now := s.now()
	expires := now.Add(oc.policy.pickupWindow()).Truncate(time.Second)
	return placing{actor: actor, key: key, hash: hash, n: n, oc: oc, account: account, now: now, expires: expires,
		total: orderTotal(n.Lines, oc.items)}, nil, nil
}

// placing is an order checked and priced, ready for its transaction: alone (placeOne) or in a
// batch with others that arrived at the same moment (placeBatch).
type placing struct {
	actor        *principal.Principal
	key          string
	hash         []byte
	n            NewOrder
	oc           orderContext
	account      string
	now, expires time.Time
	total        int64
}

// placeMany places a batch of orders, in one transaction when there are several, or else (or when
// that transaction fails) one by one.
func (s *Service) placeMany(ctx context.Context, calls []*call[placing, Order]) {
	batchOrEach(ctx, s.log, &s.placeStats, "orders placed", calls, s.placeBatch, s.placeOne)
}

// placeOne places one order in its own transaction.
func (s *Service) placeOne(ctx context.Context, p placing) (Order, error) {
	n, oc := p.n, p.oc
	var o Order
	err := s.ledger.InTx(ctx, func(tx *ledger.Tx) error {
		if err := s.checkLimits(ctx, tx.Sqlx(), p.actor.UserID, 0, p.now, n.Lines, oc.items); err != nil {
			return err
		}
		// Goods must still be within their date when the volunteer comes at the last moment.
		ids, lots, err := s.lockLotsTaking(ctx, tx.Sqlx(), itemIDs(n.Lines), today(p.expires).Format(dayLayout), 1)
		if err != nil {
			return err
		}
		id := ids[0]
		allocs, err := allocate(n.Lines, oc.items, lots)
		if err != nil {
			return err
		}
		hold, _, err := tx.Hold(ctx, p.holdRequest(id))
		if err != nil {
			return err
		}
		o = p.order(id, hold)
		if err := s.insertPlaced(ctx, tx.Sqlx(), p.actor, p.key, p.hash, &o, allocs, p.now, p.expires); err != nil {
			return err
		}
		return s.tellReady(ctx, tx.Sqlx(), o)
	})
	if err != nil {
		return s.placeFailed(ctx, p, err)
	}
	o.PickupURL, err = s.pickupURL(o)
	return o, err
}

// placeFailed answers an order that was refused or failed. The key is taken last, when the order
// is written: a repeat sent while the first was still in flight waited for its stock, credits or
// limit and may have been refused for lack of them. Once the first has committed, the key tells
// it was a repeat.
func (s *Service) placeFailed(ctx context.Context, p placing, err error) (Order, error) {
	id, rerr := s.replayed(ctx, "store_orders", p.actor.Label(), p.key, p.hash)
	switch {
	case errors.Is(err, errReplay), rerr == nil && id != 0, errors.Is(rerr, ErrIdempotencyConflict):
		return s.replayOrder(ctx, id, rerr)
	}
	return Order{}, dbError(err)
}

// holdRequest is the ledger hold of the order with the id: its price, from the volunteer to the
// store, until a while after the order expires.
func (p placing) holdRequest(id int64) ledger.HoldRequest {
	return ledger.HoldRequest{
		From: p.account, To: p.oc.store.AccountCode, Amount: p.total,
		ExpiresAt: p.expires.Add(holdMargin), Kind: ledger.TxRedeem, Memo: "公益仓订单 " + strconv.FormatInt(id, 10),
		Reference: ref("order", id), IdempotencyKey: ref("store:order", id), CreatedBy: p.actor.Label(),
	}
}

// order is the placed order with the id and hold, as it is about to be written.
func (p placing) order(id, hold int64) Order {
	o := Order{ID: id, StoreID: p.n.Store, StoreName: p.oc.store.Name, UserID: p.actor.UserID, Channel: ChannelOnline,
		Status: StatusPending, Total: p.total, HoldID: &hold, Lines: make([]OrderedLine, len(p.n.Lines))}
	for i, l := range p.n.Lines {
		it := p.oc.items[l.Item]
		o.Lines[i] = OrderedLine{Line: i, ItemID: it.ID, ItemName: it.Name, Unit: it.Unit, Qty: l.Qty, Price: it.Price}
	}
	return o
}

func (s *Service) replayOrder(ctx context.Context, id int64, err error) (Order, error) {
	if err != nil {
		return Order{}, err
	}
	o, err := s.Order(ctx, id)
	o.Replayed = true
	if err == nil && o.Channel == ChannelOnline && o.Status == StatusPending {
		o.PickupURL, err = s.pickupURL(o)
	}
	return o, err
}

// insertOrder writes the order and its lines, pending. A concurrent request that already took the
// idempotency key ends the transaction with errReplay.
func (s *Service) insertOrder(ctx context.Context, tx *sqlx.Tx, actor *principal.Principal, userID int64, channel, key string,
	hash []byte, n NewOrder, items map[int64]Item, now time.Time, expires *time.Time) (int64, error) {
	var ids []int64
	err := tx.SelectContext(ctx, &ids, `
INSERT INTO store_orders (store_id, user_id, channel, status, total, idem_scope, idem_key, request_hash,
                          created_by, created_at, expires_at)
VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $5, $8, $9)
ON CONFLICT (idem_scope, idem_key) DO NOTHING RETURNING id`,
		n.Store, userID, channel, orderTotal(n.Lines, items), actor.Label(), key, hash, now, expires)
	if err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, errReplay
	}
	id := ids[0]
	lines, qtys, prices := make([]int64, len(n.Lines)), make([]int64, len(n.Lines)), make([]int64, len(n.Lines))
	for i, l := range n.Lines {
		lines[i], qtys[i], prices[i] = l.Item, int64(l.Qty), items[l.Item].Price
	}
	_, err = tx.ExecContext(ctx, `
INSERT INTO store_order_lines (order_id, line, item_id, qty, price)
SELECT $1, n - 1, item, qty, price FROM unnest($2::bigint[], $3::int[], $4::bigint[]) WITH ORDINALITY AS l (item, qty, price, n)`,
		id, pq.Int64Array(lines), pq.Int64Array(qtys), pq.Int64Array(prices))
	return id, err
}

// insertPlaced writes the placed order o (its id taken from the orders' sequence when its lots
// were locked), its lines, what each line reserved from which lot and the reservations in the
// journal, in one statement, and sets the order's times as stored. A concurrent request that
// already took the idempotency key ends the transaction with errReplay.
func (s *Service) insertPlaced(ctx context.Context, tx *sqlx.Tx, actor *principal.Principal, key string, hash []byte, o *Order,
	allocs []allocation, now, expires time.Time) error {
	items, qtys, prices := make([]int64, len(o.Lines)), make([]int64, len(o.Lines)), make([]int64, len(o.Lines))
	for i, l := range o.Lines {
		items[i], qtys[i], prices[i] = l.ItemID, int64(l.Qty), l.Price
	}
	lines, lots, taken := make([]int64, len(allocs)), make([]int64, len(allocs)), make([]int64, len(allocs))
	for i, a := range allocs {
		lines[i], lots[i], taken[i] = int64(a.line), a.lot, int64(a.qty)
	}
	rows, err := s.st.Query(ctx, tx, `
WITH o AS (
    INSERT INTO store_orders (id, store_id, user_id, channel, status, total, hold_id, idem_scope, idem_key,
                              request_hash, created_by, created_at, expires_at)
    OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, 'online', 'pending', $4, $5, $6, $7, $8, $6, $9, $10)
    ON CONFLICT (idem_scope, idem_key) DO NOTHING
    RETURNING id, created_at, expires_at
), l AS (
    INSERT INTO store_order_lines (order_id, line, item_id, qty, price)
    SELECT o.id, n - 1, item, qty, price
    FROM o, unnest($11::bigint[], $12::int[], $13::bigint[]) WITH ORDINALITY AS l (item, qty, price, n)
), a AS (
    INSERT INTO store_allocations (order_id, line, lot_id, qty)
    SELECT o.id, line, lot, qty FROM o, unnest($14::int[], $15::bigint[], $16::int[]) AS a (line, lot, qty)
), m AS (
    INSERT INTO store_movements (store_id, item_id, lot_id, kind, on_hand_delta, reserved_delta, on_hand_after,
                                 reserved_after, ref, actor, at)
    SELECT lot.store_id, lot.item_id, m.lot, 'reserved', 0, m.qty, lot.on_hand, lot.reserved + sum(m.qty) OVER w,
           'order:' || o.id, $6, $9
    FROM o CROSS JOIN unnest($15::bigint[], $16::int[]) WITH ORDINALITY AS m (lot, qty, n)
    LEFT JOIN store_lots lot ON lot.id = m.lot -- locked by lockLotsTaking
    WINDOW w AS (PARTITION BY m.lot ORDER BY m.n)
    ORDER BY m.n
)
SELECT created_at, expires_at FROM o`,
		o.ID, o.StoreID, o.UserID, o.Total, o.HoldID, actor.Label(), key, hash, now, expires,
		pq.Int64Array(items), pq.Int64Array(qtys), pq.Int64Array(prices),
		pq.Int64Array(lines), pq.Int64Array(lots), pq.Int64Array(taken))
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return errReplay
	}
	var exp time.Time
	if err := rows.Scan(&o.CreatedAt, &exp); err != nil {
		return err
	}
	o.ExpiresAt = &exp
	return rows.Close()
}

// pickupURL issues a fresh pickup code for a pending online order: single use, valid until the
// order expires.
func (s *Service) pickupURL(o Order) (string, error) {
	tok, _, err := s.codes.Issue(qr.Pickup, o.ID, o.StoreID, *o.ExpiresAt)
	if err != nil {
		return "", err
	}
	return qr.URL(s.opt.BaseURL, tok), nil
}

// PickupURL returns a fresh pickup code URL for the person's pending order, for the order page to
// show (each call issues a new single-use code).
// Errors: ErrOrderNotFound (also for another person's order), ErrOrderFulfilled,
// ErrOrderCancelled, ErrOrderExpired.
func (s *Service) PickupURL(ctx context.Context, userID, orderID int64) (string, error) {
	o, err := s.Order(ctx, orderID)
	if err != nil {
		return "", err
	}
	if o.UserID != userID || o.Channel != ChannelOnline {
		return "", ErrOrderNotFound
	}
	if err := stateError(o, s.now()); err != nil {
		return "", err
	}
	return s.pickupURL(o)
}
