package pages

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/ledger"
	"timebank/pkg/store"
	"timebank/web/request"
)

// The papers printable pages are laid out for: A5 sheets and 80 mm receipt rolls.
const (
	paperA5      = "a5"
	paperReceipt = "80mm"
)

// printPaper is the paper a printable page is asked for (?paper=), else the page's usual one.
func printPaper(c *fiber.Ctx, usual string) string {
	if p := c.Query("paper"); p == paperA5 || p == paperReceipt {
		return p
	}
	return usual
}

// receiptView is the receipt of a hand-out or a walk-in sale: the goods, the credits spent and
// what the member has left.
type receiptView struct {
	Paper       string
	Self        string // the page's path, for the paper links
	Store       storeHead
	Order       store.Order
	At          time.Time // when it was handed out, or placed
	StatusLabel string
	Counter     bool
	Lines       []orderLine
	Member      store.Member
	Left        int64 // the member's posted credits right after this sale or hand-out
}

// receiptPage shows an order's or a sale's receipt, laid out for an 80 mm receipt printer (or A5).
// The balance left is the member's right after the sale or hand-out, the same on every reprint; an
// order not yet handed out shows what is available now.
func (s *server) receiptPage(c *fiber.Ctx) error {
	v := s.newView(c, "page.store.receipt.title")
	head, err := s.storeHead(c, v.Lang, "counter")
	if err != nil {
		return err
	}
	id, err := request.IDParam(c, "order")
	if err != nil {
		return err
	}
	o, err := s.Store.Order(c.UserContext(), id)
	if err == nil && o.StoreID != head.ID {
		err = store.ErrOrderNotFound
	}
	if err != nil {
		return err
	}
	m, err := s.counterMember(c.UserContext(), o.UserID)
	if err != nil {
		return err
	}
	at := o.CreatedAt
	if o.ResolvedAt != nil {
		at = *o.ResolvedAt
	}
	left, err := s.leftAfter(c, o, m)
	if err != nil {
		return err
	}
	v.Data = receiptView{Left: left, At: at, Paper: printPaper(c, paperReceipt), Self: c.Path(), Store: head, Order: o,
		StatusLabel: s.storeLabel(v.Lang, statusLabels, o.Status), Counter: o.Channel == store.ChannelCounter,
		Lines: storeOrderLines(o), Member: m}
	return s.render(c, fiber.StatusOK, "store_receipt", v)
}

// leftAfter is what the member had left right after the order's transaction, from the ledger's
// posting; m's available credits when the order has not been charged.
func (s *server) leftAfter(c *fiber.Ctx, o store.Order, m store.Member) (int64, error) {
	if o.TransactionID == nil {
		return m.Available, nil
	}
	u, err := s.Users.ByID(c.UserContext(), o.UserID)
	if err != nil {
		return 0, err
	}
	left, err := s.Ledger.PostedAfter(c.UserContext(), u.AccountCode, *o.TransactionID)
	if errors.Is(err, ledger.ErrTransactionNotFound) {
		return m.Available, nil
	}
	return left, err
}
