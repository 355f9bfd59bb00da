package store

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/ledger"
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
// returns the first (Replayed set), whoever retries.
// Errors: ErrInvalid (*ValidationError), ErrStoreNotFound, ErrItemNotFound, ErrItemUnavailable,
// ErrStarsRequired, ErrOverLimit, ErrOutOfStock (each a *LineError naming the line and item),
// ledger.ErrInsufficientFunds (a *ledger.AccountError naming the account), ErrIdempotencyConflict.
func (s *Service) PlaceOrder(ctx context.Context, actor Actor, key string, n NewOrder) (Order, error) {
	if err := needActor(actor); err != nil {
		return Order{}, err
	}
	if actor.UserID == 0 {
		return Order{}, invalid("user", "person_only")
	}
	if err := checkKey(key); err != nil {
		return Order{}, err
	}
	if err := n.Validate(); err != nil {
		return Order{}, err
	}
	hash := requestHash("order", n)
	if id, err := s.replayed(ctx, "store_orders", label(actor), key, hash); err != nil || id != 0 {
		return s.replayOrder(ctx, id, err)
	}
	st, err := s.storeInfo(ctx, s.db, n.Store)
	if err != nil {
		return Order{}, err
	}
	items, err := s.itemsByID(ctx, s.db, n.Store, itemIDs(n.Lines))
	if err != nil {
		return Order{}, err
	}
	if err := s.checkItems(ctx, actor.UserID, n.Lines, items); err != nil {
		return Order{}, err
	}
	user, err := s.users.ByID(ctx, actor.UserID)
	if err != nil {
		return Order{}, err
	}
	p, err := s.policy(ctx, s.db, n.Store)
	if err != nil {
		return Order{}, err
	}
	now := s.now()
	expires := now.Add(p.pickupWindow()).Truncate(time.Second)
	var id int64
	err = s.ledger.InTx(ctx, func(tx *ledger.Tx) error {
		var err error
		id, err = s.insertOrder(ctx, tx.Sqlx(), actor, actor.UserID, ChannelOnline, key, hash, n, items, now, &expires)
		if err != nil {
			return err
		}
		if err := checkLimits(ctx, tx.Sqlx(), actor.UserID, id, now, n.Lines, items); err != nil {
			return err
		}
		// Goods must still be within their date when the volunteer comes at the last moment.
		if err := s.reserve(ctx, tx.Sqlx(), actor, id, n, items, today(expires).Format(dayLayout)); err != nil {
			return err
		}
		hold, _, err := tx.Hold(ctx, ledger.HoldRequest{
			From: user.AccountCode, To: st.AccountCode, Amount: orderTotal(n.Lines, items),
			ExpiresAt: expires.Add(holdMargin), Kind: ledger.TxRedeem, Memo: "公益仓订单 " + strconv.FormatInt(id, 10),
			Reference: ref("order", id), IdempotencyKey: ref("store:order", id), CreatedBy: label(actor),
		})
		if err != nil {
			return err
		}
		_, err = tx.Sqlx().ExecContext(ctx, `UPDATE store_orders SET hold_id = $2 WHERE id = $1`, id, hold)
		return err
	})
	if errors.Is(err, errReplay) {
		id, err = s.replayed(ctx, "store_orders", label(actor), key, hash)
		return s.replayOrder(ctx, id, err)
	}
	if err != nil {
		return Order{}, dbError(err)
	}
	o, err := s.Order(ctx, id)
	if err != nil {
		return Order{}, err
	}
	o.PickupURL, err = s.pickupURL(o)
	return o, err
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
func (s *Service) insertOrder(ctx context.Context, tx *sqlx.Tx, actor Actor, userID int64, channel, key string,
	hash []byte, n NewOrder, items map[int64]Item, now time.Time, expires *time.Time) (int64, error) {
	var ids []int64
	err := tx.SelectContext(ctx, &ids, `
INSERT INTO store_orders (store_id, user_id, channel, status, total, idem_scope, idem_key, request_hash,
                          created_by, created_at, expires_at)
VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $5, $8, $9)
ON CONFLICT (idem_scope, idem_key) DO NOTHING RETURNING id`,
		n.Store, userID, channel, orderTotal(n.Lines, items), label(actor), key, hash, now, expires)
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

// reserve allocates the lines from lots dated on or after minDate and appends the reservations to
// the journal.
func (s *Service) reserve(ctx context.Context, tx *sqlx.Tx, actor Actor, orderID int64, n NewOrder, items map[int64]Item, minDate string) error {
	lots, err := lockFreeLots(ctx, tx, n.Store, itemIDs(n.Lines), minDate)
	if err != nil {
		return err
	}
	allocs, err := allocate(n.Lines, items, lots)
	if err != nil {
		return err
	}
	ls, lotIDs, qtys := make([]int64, len(allocs)), make([]int64, len(allocs)), make([]int64, len(allocs))
	ms := make([]move, len(allocs))
	for i, a := range allocs {
		ls[i], lotIDs[i], qtys[i] = int64(a.line), a.lot, int64(a.qty)
		ms[i] = move{lot: a.lot, kind: MoveReserved, reserved: a.qty}
	}
	_, err = tx.ExecContext(ctx, `
INSERT INTO store_allocations (order_id, line, lot_id, qty)
SELECT $1, line, lot, qty FROM unnest($2::int[], $3::bigint[], $4::int[]) AS a (line, lot, qty)`,
		orderID, pq.Int64Array(ls), pq.Int64Array(lotIDs), pq.Int64Array(qtys))
	if err != nil {
		return err
	}
	_, err = appendMovements(ctx, tx, ref("order", orderID), label(actor), s.now(), ms)
	return err
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
