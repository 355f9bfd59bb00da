package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/ledger"
	"timebank/pkg/principal"
)

// expiryActor names the expiry worker in the journal.
const expiryActor = "system:store-expiry"

// errAlready says an order already has the status asked for.
var errAlready = errors.New("store: already so")

// Cancel cancels a pending online order: its reserved stock goes back on the shelf and its hold is
// voided, in one transaction. Cancelling a cancelled order returns it unchanged. Whether the actor
// may (the volunteer who placed it, or the store's counter) is for the caller to decide.
// Errors: ErrOrderNotFound, ErrOrderFulfilled, ErrOrderExpired.
func (s *Service) Cancel(ctx context.Context, actor *principal.Principal, orderID int64) (Order, error) {
	if err := needActor(actor); err != nil {
		return Order{}, err
	}
	err := s.release(ctx, actor.Label(), orderID, StatusCancelled)
	if err != nil && !errors.Is(err, errAlready) {
		return Order{}, err
	}
	return s.Order(ctx, orderID)
}

// ExpireOrders expires up to limit pending online orders whose pickup time has passed, releasing
// their stock and voiding their holds, and returns how many it expired. Several servers may run it
// at once: each order is expired once, under its row lock.
func (s *Service) ExpireOrders(ctx context.Context, limit int) (int, error) {
	var ids []int64
	err := s.db.SelectContext(ctx, &ids, `
SELECT id FROM store_orders WHERE status = 'pending' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
		s.now(), limit)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		err := s.release(ctx, expiryActor, id, StatusExpired)
		switch {
		case err == nil:
			n++
		case errors.Is(err, errAlready), errors.Is(err, ErrOrderFulfilled), errors.Is(err, ErrOrderCancelled):
			// resolved meanwhile
		default:
			return n, fmt.Errorf("store: expire order %d: %w", id, err)
		}
	}
	return n, nil
}

// RunExpiry expires due orders every interval until ctx ends, as the serve command's worker.
func (s *Service) RunExpiry(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for {
			n, err := s.ExpireOrders(ctx, 100)
			if err != nil && ctx.Err() == nil {
				s.log.Warn("store: expire orders", "err", err)
			}
			if n < 100 || err != nil {
				break
			}
		}
	}
}

// release ends a pending online order without handing anything out (cancelled or expired): the
// reservations are released and the hold voided.
func (s *Service) release(ctx context.Context, actor string, orderID int64, status string) error {
	return s.ledger.InTx(ctx, func(tx *ledger.Tx) error {
		o, allocs, _, err := s.lockOrder(ctx, tx.Sqlx(), orderID)
		if err != nil {
			return err
		}
		if o.Status == status {
			return errAlready
		}
		if o.Status != StatusPending {
			return stateError(o, s.now())
		}
		ms := make([]move, len(allocs))
		for i, a := range allocs {
			ms[i] = move{lot: a.lot, kind: MoveReleased, reserved: -a.qty}
		}
		if _, err := s.lockAllocated(ctx, tx.Sqlx(), o.StoreID, allocs); err != nil {
			return err
		}
		if _, err := s.appendMovements(ctx, tx.Sqlx(), ref("order", orderID), actor, s.now(), ms); err != nil {
			return err
		}
		if err := voidHold(ctx, tx, *o.HoldID); err != nil {
			return err
		}
		_, err = tx.Sqlx().ExecContext(ctx, `
UPDATE store_orders SET status = $2, resolved_at = $3, resolved_by = $4 WHERE id = $1`,
			orderID, status, s.now(), actor)
		if err != nil || status != StatusExpired {
			return err
		}
		return s.tellExpired(ctx, tx.Sqlx(), o)
	})
}

// voidHold voids the order's hold. A hold the ledger already released (its own expiry ran first,
// or an operator voided it by hand) needs nothing more; the savepoint keeps that refusal from
// ending the transaction.
func voidHold(ctx context.Context, tx *ledger.Tx, holdID int64) error {
	if _, err := tx.Sqlx().ExecContext(ctx, `SAVEPOINT void_hold`); err != nil {
		return err
	}
	err := tx.VoidHold(ctx, holdID)
	if errors.Is(err, ledger.ErrHoldResolved) {
		_, err = tx.Sqlx().ExecContext(ctx, `ROLLBACK TO SAVEPOINT void_hold`)
	}
	return err
}

// lockAllocated locks the lots the allocations name, in id order, and returns them by id.
func (s *Service) lockAllocated(ctx context.Context, tx *sqlx.Tx, storeID int64, allocs []allocation) (map[int64]Lot, error) {
	ids := make([]int64, len(allocs))
	for i, a := range allocs {
		ids[i] = a.lot
	}
	return s.lockLots(ctx, tx, storeID, ids)
}
