package pages

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/store"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// catalogView is the catalogue of a store with the cart: a quantity field per item, the person's
// available credits, and the idempotency key of this cart's submission.
type catalogView struct {
	Store     storeHead
	Items     []catalogItem
	SignedIn  bool
	Available int64 // the person's available credits, in minutes
	Key       string
	Query     string
	More      string // the link to the next page of items
	LoginURL  string
	Problems  []string // what is wrong with the cart as a whole
	// FirstRedemption is the verified service the store's organization asks before a first
	// redemption and what the person has, when it bars them (nil otherwise).
	FirstRedemption *store.MinimumHoursError
}

// catalogItem is an item as the catalogue shows it, with what the cart holds of it and why it was
// refused.
type catalogItem struct {
	store.Item
	Category string
	Rules    []string
	Max      int    // the most the quantity field takes
	Qty      string // as entered
	Error    string
	Left     string // for a signed-in person: what they may still take this period, or why not
	Barred   bool   // the person may not take it now (limit reached, or stars short)
}

// cartState is a submitted cart being shown again: the quantities as entered, the messages by item
// and about the cart as a whole.
type cartState struct {
	values   map[int64]string
	errors   map[int64]string
	problems []string
}

// catalogPage shows the store's catalogue. Anyone may look; ordering needs a signed-in person.
func (s *server) catalogPage(c *fiber.Ctx) error {
	return s.catalog(c, fiber.StatusOK, cartState{})
}

func (s *server) catalog(c *fiber.Ctx, status int, cart cartState) error {
	v := s.newView(c, "page.store.catalog.title")
	head, err := s.storeHead(c, v.Lang, "catalog")
	if err != nil {
		return err
	}
	after, err := request.QueryID(c, "after")
	if err != nil {
		return err
	}
	f := store.ItemFilter{ActiveOnly: true, Query: c.Query("q"), After: after, Limit: store.MaxLimit}
	items, err := s.Store.Items(c.UserContext(), head.ID, f)
	if err != nil {
		return err
	}
	data := catalogView{Store: head, Key: storeFormKey(), Query: f.Query, Problems: cart.problems,
		LoginURL: "/login?next=" + url.QueryEscape("/stores/"+strconv.FormatInt(head.ID, 10))}
	if len(items) == f.Limit {
		data.More = "/stores/" + strconv.FormatInt(head.ID, 10) + "?q=" + url.QueryEscape(f.Query) + "&after=" + strconv.FormatInt(items[len(items)-1].ID, 10)
	}
	shown := map[int64]bool{}
	for _, it := range items {
		shown[it.ID] = true
		ci := catalogItem{Item: it, Category: s.storeLabel(v.Lang, categoryLabels, it.Category), Rules: s.itemRules(v.Lang, it),
			Max: min(max(it.Available, 0), 1000), Qty: cart.values[it.ID], Error: cart.errors[it.ID]}
		if it.LimitQty > 0 {
			ci.Max = min(ci.Max, it.LimitQty)
		}
		data.Items = append(data.Items, ci)
	}
	for id, msg := range cart.errors {
		if !shown[id] { // refused for an item no longer offered: say so at the top
			data.Problems = append(data.Problems, msg)
		}
	}
	if p := guard.Principal(c); p != nil && p.UserID != 0 {
		if data.FirstRedemption, err = s.allowItems(c, v.Lang, p.UserID, items, data.Items); err != nil {
			return err
		}
		data.SignedIn = true
		u, err := s.Users.ByID(c.UserContext(), p.UserID)
		if err != nil {
			return err
		}
		b, err := s.Ledger.Balance(c.UserContext(), u.AccountCode)
		if err != nil {
			return err
		}
		data.Available = b.Available
	}
	v.Title = head.Name
	v.Data = data
	return s.render(c, status, "store_catalog", v)
}

// orderSubmit places the signed-in person's order from the cart. The form carries one idempotency
// key per cart submission, so a double tap or a resent form places one order. A refusal shows the
// catalogue again with the message beside the item it is about.
func (s *server) orderSubmit(c *fiber.Ctx) error {
	storeID, err := request.IDParam(c, "store")
	if err != nil {
		return err
	}
	lang := s.msgs.Lang(c)
	lines, values, bad := storeFormLines(c, "qty-")
	cart := cartState{values: values, errors: map[int64]string{}}
	for _, id := range bad {
		cart.errors[id] = s.msgs.Get(lang, "page.store.qty_number")
	}
	if len(bad) > 0 {
		return s.catalog(c, fiber.StatusUnprocessableEntity, cart)
	}
	o, err := s.Store.PlaceOrder(c.UserContext(), guard.Principal(c).Actor(), c.FormValue("key"), store.NewOrder{Store: storeID, Lines: lines})
	if err != nil {
		status, err := s.linesFailed(lang, err, lines, &cart)
		if err != nil {
			return err
		}
		return s.catalog(c, status, cart)
	}
	return redirect(c, "/me/orders/"+strconv.FormatInt(o.ID, 10)+"?placed=1")
}

// linesFailed puts the refusal of an order or a sale on the cart: beside the item of the line it
// names (out of stock, over the limit, stars, a quantity out of range), else about the cart as a
// whole (not enough credits, an empty cart, a code to scan again). It returns the status to show
// the page with; an error that is not the person's to fix (a 5xx, a store that does not exist) is
// returned for the error page.
func (s *server) linesFailed(lang string, err error, lines []store.OrderLine, cart *cartState) (int, error) {
	status, slug := problem.Classify(err)
	if status >= 500 || errors.Is(err, store.ErrStoreNotFound) {
		return 0, err
	}
	itemOf := func(i int) (int64, bool) {
		if i >= 0 && i < len(lines) {
			return lines[i].Item, true
		}
		return 0, false
	}
	faults, ok := s.lineFaults(lang, err)
	if !ok {
		cart.problems = append(cart.problems, s.msgs.Get(lang, "problem."+slug))
	}
	for _, lf := range faults {
		if id, ok := itemOf(lf.Line); ok {
			cart.errors[id] = lf.Message
			continue
		}
		if lf.Field == "lines" && lf.Reason == "required" {
			cart.problems = append(cart.problems, s.msgs.Get(lang, "page.store.cart_empty"))
			continue
		}
		cart.problems = append(cart.problems, lf.Message)
	}
	if status == fiber.StatusConflict {
		return status, nil
	}
	return fiber.StatusUnprocessableEntity, nil
}

// allowItems says on each item what the signed-in person may still take of it before they order:
// the units left under its limit this period, the stars it needs that they lack, or that their
// verified service is below the minimum for a first redemption (which it returns, for the page to
// say once). An item they may not take has its quantity field closed.
func (s *server) allowItems(c *fiber.Ctx, lang string, userID int64, items []store.Item, shown []catalogItem) (*store.MinimumHoursError, error) {
	a, err := s.Store.Allowances(c.UserContext(), userID, items, time.Now())
	if err != nil {
		return nil, err
	}
	for i := range shown {
		ci := &shown[i]
		switch a.Barred(ci.Item) {
		case "minimum_hours":
			ci.Left, ci.Barred, ci.Max = s.msgs.Get(lang, "page.store.catalog.first_redemption_short"), true, 0
		case "stars":
			ci.Left, ci.Barred, ci.Max = fmt.Sprintf(s.msgs.Get(lang, "page.store.catalog.stars_short"), ci.MinStars, a.Stars), true, 0
		case "limit":
			ci.Left, ci.Barred, ci.Max = s.msgs.Get(lang, "page.store.catalog.limit_reached"), true, 0
		default:
			if left := a.CanTake(ci.Item); left > 0 {
				ci.Left, ci.Max = fmt.Sprintf(s.msgs.Get(lang, "page.store.catalog.left"), left, ci.Unit), min(ci.Max, left)
			}
		}
	}
	return a.FirstRedemption, nil
}
