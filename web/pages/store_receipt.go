package pages

import (
	"time"

	"github.com/gofiber/fiber/v2"

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
}

// receiptPage shows an order's or a sale's receipt, laid out for an 80 mm receipt printer (or A5).
// The balance is the member's at the time of printing.
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
	v.Data = receiptView{At: at, Paper: printPaper(c, paperReceipt), Self: c.Path(), Store: head, Order: o,
		StatusLabel: s.storeLabel(v.Lang, statusLabels, o.Status), Counter: o.Channel == store.ChannelCounter,
		Lines: storeOrderLines(o), Member: m}
	return s.render(c, fiber.StatusOK, "store_receipt", v)
}
