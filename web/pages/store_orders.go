package pages

import (
	"errors"
	"html/template"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/store"
	"timebank/web/guard"
	"timebank/web/request"
)

// orderLine is an order's line as a page shows it: what was asked for and what was handed out.
type orderLine struct {
	store.OrderedLine
	Subtotal int64 // minutes: what was charged for it, or what it holds while pending
}

// orderRow is an order in a list.
type orderRow struct {
	store.Order
	StatusLabel string
	Counter     bool // a walk-in sale, not an online order
}

// myOrdersView is the signed-in person's orders and sales, newest first.
type myOrdersView struct {
	Orders []orderRow
	More   string
}

// myOrdersPage lists the signed-in person's orders and walk-in sales.
func (s *server) myOrdersPage(c *fiber.Ctx) error {
	before, err := request.QueryID(c, "before")
	if err != nil {
		return err
	}
	const pageSize = 30
	orders, err := s.Store.OrdersOf(c.UserContext(), guard.Principal(c).UserID, store.OrderFilter{Before: before, Limit: pageSize})
	if err != nil {
		return err
	}
	v := s.newView(c, "page.store.orders.title")
	var data myOrdersView
	for _, o := range orders {
		data.Orders = append(data.Orders, orderRow{Order: o, StatusLabel: s.storeLabel(v.Lang, statusLabels, o.Status),
			Counter: o.Channel == store.ChannelCounter})
	}
	if len(orders) == pageSize {
		data.More = "/me/orders?before=" + strconv.FormatInt(orders[len(orders)-1].ID, 10)
	}
	v.Data = data
	return s.render(c, fiber.StatusOK, "store_orders", v)
}

// myOrderView is one of the person's orders: its lines, and while it waits for pickup the pickup
// code to show at the counter and the way to cancel.
type myOrderView struct {
	Order       store.Order
	StatusLabel string
	Lines       []orderLine
	Pending     bool
	PickupURL   string
	PickupQR    template.URL
	Placed      bool // just placed: the page clears the cart the order came from
	Cancelled   bool
}

// myOrderPage shows one of the person's orders. While it is pending the page carries a fresh
// single-use pickup code (each showing issues a new one, so a code the counter has already read is
// replaced by reloading), drawn on the server; its script reloads the page when the order changes.
func (s *server) myOrderPage(c *fiber.Ctx) error {
	o, err := s.ownOrder(c)
	if err != nil {
		return err
	}
	v := s.newView(c, "page.store.order.title")
	data := myOrderView{Order: o, StatusLabel: s.storeLabel(v.Lang, statusLabels, o.Status), Lines: storeOrderLines(o),
		Placed: c.Query("placed") == "1", Cancelled: c.Query("cancelled") == "1"}
	if o.Channel == store.ChannelOnline && o.Status == store.StatusPending {
		url, err := s.Store.PickupURL(c.UserContext(), o.UserID, o.ID)
		switch {
		case errors.Is(err, store.ErrOrderExpired):
			data.StatusLabel = s.storeLabel(v.Lang, statusLabels, store.StatusExpired) // due; the worker has not come by yet
		case err != nil:
			return err
		default:
			data.Pending, data.PickupURL = true, url
			if data.PickupQR, err = storeQR(url); err != nil {
				return err
			}
		}
	}
	v.Data = data
	return s.render(c, fiber.StatusOK, "store_order", v)
}

// myOrderCancel cancels the person's pending order: its stock goes back on the shelf and its held
// credits are released.
func (s *server) myOrderCancel(c *fiber.Ctx) error {
	o, err := s.ownOrder(c)
	if err != nil {
		return err
	}
	if _, err := s.Store.Cancel(c.UserContext(), guard.Principal(c).Actor(), o.ID); err != nil {
		return err
	}
	return redirect(c, "/me/orders/"+strconv.FormatInt(o.ID, 10)+"?cancelled=1")
}

// ownOrder reads the order in the path if the signed-in person placed it; anyone else's order does
// not exist for these pages.
// Errors: store.ErrOrderNotFound.
func (s *server) ownOrder(c *fiber.Ctx) (store.Order, error) {
	id, err := request.IDParam(c, "order")
	if err != nil {
		return store.Order{}, err
	}
	o, err := s.Store.Order(c.UserContext(), id)
	if err != nil {
		return o, err
	}
	if o.UserID != guard.Principal(c).UserID {
		return store.Order{}, store.ErrOrderNotFound
	}
	return o, nil
}

// storeOrderLines adds each line's subtotal: the price of what was handed out once the order was, else
// of what was ordered.
func storeOrderLines(o store.Order) []orderLine {
	out := make([]orderLine, len(o.Lines))
	for i, l := range o.Lines {
		qty := l.Qty
		if l.HandedOut != nil {
			qty = *l.HandedOut
		}
		out[i] = orderLine{OrderedLine: l, Subtotal: l.Price * int64(qty)}
	}
	return out
}
