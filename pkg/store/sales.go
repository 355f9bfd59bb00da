package store

import (
	"context"
	"errors"
	"strconv"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pkg/principal"
	"timebank/pkg/qr"
)

// NewSale is a walk-in sale at the counter: the member code the volunteer shows and the goods.
type NewSale struct {
	Store       int64       `json:"store"`
	MemberToken string      `json:"member_token"`
	Lines       []OrderLine `json:"lines"`
}

// Validate checks the sale.
// Errors: ErrInvalid (*fields.Error).
func (n NewSale) Validate() error {
	bad := fields.Set{}
	if n.Store <= 0 {
		bad["store"] = "required"
	}
	if n.MemberToken == "" {
		bad["member_token"] = "required"
	} else if len(n.MemberToken) > 2048 {
		bad["member_token"] = "too_long"
	}
	validateLines(bad, n.Lines)
	return bad.Err(ErrInvalid)
}

// Sale is the receipt of a walk-in sale: the goods handed out, the credits spent (the order's
// Charged) and what the member has left.
type Sale struct {
	Order  Order  `json:"order"`
	Member Member `json:"member"`
}

// Sell makes a walk-in sale: the member code is checked and spent (it is single use), and in one
// transaction the goods leave the shelf first-expiring-first (lots within their date today) and
// their price is posted from the member's account to the store's. Items, stars and limits are
// checked as for an online order. key is the counter page's idempotency key for this sale: a
// double click or a retried request returns the first sale (Replayed set) and never charges twice,
// even once the member code has expired or been spent. Whether the actor serves the store is for
// the caller to decide.
// Errors: ErrInvalid (*fields.Error), ErrCodeInvalid, ErrCodeExpired, ErrCodeUsed,
// ErrStoreNotFound, ErrMinimumHours, ErrItemNotFound, ErrItemUnavailable, ErrStarsRequired, ErrOverLimit,
// ErrOutOfStock (each a *LineError), ledger.ErrInsufficientFunds (a *ledger.AccountError),
// ErrIdempotencyConflict.
func (s *Service) Sell(ctx context.Context, actor *principal.Principal, key string, n NewSale) (Sale, error) {
	if err := needActor(actor); err != nil {
		return Sale{}, err
	}
	if err := checkKey(key); err != nil {
		return Sale{}, err
	}
	if err := n.Validate(); err != nil {
		return Sale{}, err
	}
	hash := requestHash("sale", n)
	if id, err := s.replayed(ctx, "store_orders", actor.Label(), key, hash); err != nil || id != 0 {
		return s.replaySale(ctx, id, err)
	}
	c, err := s.codes.Verify(n.MemberToken, qr.Member, s.now())
	if err != nil {
		return Sale{}, codeError(err)
	}
	st, err := s.storeInfo(ctx, s.db, n.Store)
	if err != nil {
		return Sale{}, err
	}
	items, err := s.itemsByID(ctx, s.db, n.Store, itemIDs(n.Lines))
	if err != nil {
		return Sale{}, err
	}
	if err := s.checkFirstRedemption(ctx, c.Subject, st.OrgID, nil); err != nil {
		return Sale{}, err
	}
	if err := s.checkItems(ctx, c.Subject, st.OrgID, n.Lines, items); err != nil {
		return Sale{}, err
	}
	_, user, err := s.member(ctx, c.Subject)
	if err != nil {
		return Sale{}, err
	}
	order := NewOrder{Store: n.Store, Lines: n.Lines}
	now := s.now()
	var id int64
	err = s.ledger.InTx(ctx, func(tx *ledger.Tx) error {
		var err error
		id, err = s.insertOrder(ctx, tx.Sqlx(), actor, user.ID, ChannelCounter, key, hash, order, items, now, nil)
		if err != nil {
			return err
		}
		// The code is spent once the idempotency key is ours: a double click waits above for the
		// first request and replays it, instead of finding its code spent. A code stays spent even
		// if the sale then fails; the phone shows a fresh one within the minute.
		if err := s.spend(ctx, c); err != nil {
			return err
		}
		if err := s.checkLimits(ctx, tx.Sqlx(), user.ID, id, now, n.Lines, items); err != nil {
			return err
		}
		lots, err := s.lockFreeLots(ctx, tx.Sqlx(), n.Store, itemIDs(n.Lines), today(now).Format(dayLayout))
		if err != nil {
			return err
		}
		allocs, err := allocate(n.Lines, items, lots)
		if err != nil {
			return err
		}
		ms := make([]move, len(allocs))
		for i, a := range allocs {
			ms[i] = move{lot: a.lot, kind: MoveHandedOut, onHand: -a.qty}
		}
		if _, err := s.appendMovements(ctx, tx.Sqlx(), ref("order", id), actor.Label(), s.now(), ms); err != nil {
			return err
		}
		total := orderTotal(n.Lines, items)
		txID, _, err := tx.Post(ctx, ledger.TransactionRequest{
			Kind: ledger.TxRedeem, Memo: "公益仓现场兑换 " + strconv.FormatInt(id, 10), Reference: ref("order", id),
			Postings:       []ledger.PostingRequest{{Account: user.AccountCode, Amount: -total}, {Account: st.AccountCode, Amount: total}},
			IdempotencyKey: ref("store:sale", id), CreatedBy: actor.Label(),
		})
		if err != nil {
			return err
		}
		given := make([]int, len(n.Lines))
		for i, l := range n.Lines {
			given[i] = l.Qty
		}
		hs := []handing{{order: Order{ID: id}, given: given, charged: total}}
		return s.resolveFulfilledMany(ctx, tx.Sqlx(), hs, []int64{txID}, []string{actor.Label()}, now)
	})
	if errors.Is(err, errReplay) {
		id, err = s.replayed(ctx, "store_orders", actor.Label(), key, hash)
		return s.replaySale(ctx, id, err)
	}
	if err != nil {
		return Sale{}, dbError(err)
	}
	return s.sale(ctx, id)
}

func (s *Service) replaySale(ctx context.Context, id int64, err error) (Sale, error) {
	if err != nil {
		return Sale{}, err
	}
	sale, err := s.sale(ctx, id)
	sale.Order.Replayed = true
	return sale, err
}

// sale returns the receipt of a sale.
func (s *Service) sale(ctx context.Context, id int64) (Sale, error) {
	o, err := s.Order(ctx, id)
	if err != nil {
		return Sale{}, err
	}
	m, _, err := s.member(ctx, o.UserID)
	return Sale{Order: o, Member: m}, err
}
