package pages

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/store"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// saleView is a walk-in sale being put together at the counter: the member who pays (from the code
// they showed), the goods, and the idempotency key of this one sale.
type saleView struct {
	Member *store.Member // nil when the code can no longer be read: the member shows a fresh one
	Token  string
	Key    string
	Lines  []saleLine
	Total  int64 // minutes
	Short  bool  // the member has fewer credits than the total
	Found  []store.Item
	Find   string
	Notes  []string // messages about the sale as a whole
}

// saleLine is one item of a sale.
type saleLine struct {
	Item     store.Item
	Qty      string
	Subtotal int64
	Error    string
}

// saleMaxFound is how many matching items a search offers to pick from; saleMaxUnits is the most units of
// an item a subtotal is worked out for (the service refuses more).
const (
	saleMaxFound = 12
	saleMaxUnits = 1000
)

// counterSaleSubmit is every step of a walk-in sale, in one form: the field takes an item's name or
// number (Enter adds it) or a scanned code (a member code replaces the member's; a pickup code
// leaves the sale for that order); the buttons add a found item, remove a line, or confirm. The
// form carries its sale's idempotency key from the first scan to the confirmation, so a double
// click or a resent form charges once.
func (s *server) counterSaleSubmit(c *fiber.Ctx) error {
	storeID, _ := request.IDParam(c, "store")
	ctx := c.UserContext()
	lang := s.msgs.Lang(c)
	sv := &saleView{Token: strings.TrimSpace(c.FormValue("member")), Key: c.FormValue("key")}
	if sv.Key == "" {
		sv.Key = storeFormKey()
	}
	lines, values, bad := storeFormLines(c, "qty-")
	cart := cartState{values: values, errors: map[int64]string{}}
	for _, id := range bad {
		cart.errors[id] = s.msgs.Get(lang, "page.store.qty_number")
	}
	cv := counterView{}
	status := fiber.StatusOK
	op := c.FormValue("op")
	switch {
	case op == "confirm" && len(bad) > 0:
		status, cv.Outcome = fiber.StatusUnprocessableEntity, "fail"
	case op == "confirm" && c.FormValue("shown") != strconv.FormatInt(s.saleTotal(c, storeID, values), 10):
		// The quantities changed after the total was shown: show the new total, charge nothing yet.
		cart.problems = append(cart.problems, s.msgs.Get(lang, "page.store.sale.total_changed"))
		status = fiber.StatusConflict
	case op == "confirm":
		sale, err := s.Store.Sell(ctx, guard.Principal(c).Actor(), sv.Key, store.NewSale{Store: storeID, MemberToken: sv.Token, Lines: lines})
		if err == nil {
			return redirect(c, "/stores/"+strconv.FormatInt(storeID, 10)+"/counter?done="+strconv.FormatInt(sale.Order.ID, 10))
		}
		if status, err = s.linesFailed(lang, err, lines, &cart); err != nil {
			return err
		}
		cv.Outcome = "fail"
	case strings.HasPrefix(op, "add-"):
		if id, err := strconv.ParseInt(strings.TrimPrefix(op, "add-"), 10, 64); err == nil && id > 0 {
			addUnit(values, id)
		}
	case strings.HasPrefix(op, "remove-"):
		if id, err := strconv.ParseInt(strings.TrimPrefix(op, "remove-"), 10, 64); err == nil {
			delete(values, id)
		}
	default: // Enter in the field
		find := strings.TrimSpace(c.FormValue("find"))
		if strings.Contains(find, "/q/") {
			res, err := s.Store.Scan(ctx, storeID, find)
			if err != nil {
				return s.counterFailed(c, err, counterView{Sale: s.fillSale(c, sv, values, cart)})
			}
			if res.Kind == store.ScanPickup {
				return s.renderCounter(c, fiber.StatusOK, s.scanned(c, res, find))
			}
			sv.Token, sv.Key = find, storeFormKey() // a new member code: a new sale
			break
		}
		found, err := s.findItems(c, storeID, find)
		if err != nil {
			return err
		}
		switch {
		case find == "":
		case len(found) == 1:
			addUnit(values, found[0].ID)
		case len(found) == 0:
			cart.problems = append(cart.problems, s.msgs.Get(lang, "page.store.sale.no_match"))
		default:
			sv.Found, sv.Find = found, find
		}
	}
	cv.Sale = s.fillSale(c, sv, values, cart)
	return s.renderCounter(c, status, cv)
}

// addUnit adds a unit of the item to the sale's quantities.
func addUnit(values map[int64]string, id int64) {
	n, _ := strconv.Atoi(values[id])
	values[id] = strconv.Itoa(max(n, 0) + 1)
}

// findItems finds the items a clerk typed: by number, or by part of the name; offered items only.
func (s *server) findItems(c *fiber.Ctx, storeID int64, find string) ([]store.Item, error) {
	if find == "" {
		return nil, nil
	}
	if id, err := strconv.ParseInt(find, 10, 64); err == nil && id > 0 {
		it, err := s.Store.Item(c.UserContext(), storeID, id)
		if errors.Is(err, store.ErrItemNotFound) || err == nil && !it.Active {
			return nil, nil
		}
		return []store.Item{it}, err
	}
	items, err := s.Store.Items(c.UserContext(), storeID, store.ItemFilter{ActiveOnly: true, Query: find, Limit: saleMaxFound})
	if errors.Is(err, store.ErrInvalid) {
		return nil, nil // a search no name can match
	}
	return items, err
}

// fillSale completes the sale for the page: the member read again from their code (which may have
// expired meanwhile: then the clerk scans a fresh one), each line's item and subtotal, the total.
func (s *server) fillSale(c *fiber.Ctx, sv *saleView, values map[int64]string, cart cartState) *saleView {
	ctx := c.UserContext()
	lang := s.msgs.Lang(c)
	storeID, _ := request.IDParam(c, "store")
	sv.Notes = cart.problems
	if sv.Token != "" {
		res, err := s.Store.Scan(ctx, storeID, sv.Token)
		switch {
		case err == nil && res.Kind == store.ScanMember:
			sv.Member = res.Member
		case err != nil:
			_, slug := problem.Classify(err)
			msg := s.msgs.Get(lang, "problem."+slug)
			if slices.Contains(sv.Notes, msg) { // the confirmation was refused for it: say it once
				sv.Notes = slices.DeleteFunc(sv.Notes, func(n string) bool { return n == msg })
			}
			sv.Notes = append(sv.Notes, msg+" "+s.msgs.Get(lang, "page.store.sale.rescan"))
		}
	} else {
		sv.Notes = append(sv.Notes, s.msgs.Get(lang, "page.store.sale.rescan"))
	}
	ids := make([]int64, 0, len(values))
	for id := range values {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		raw := values[id]
		if raw == "" || raw == "0" {
			continue
		}
		it, cost, err := s.saleLineCost(c, storeID, id, raw)
		if err != nil {
			continue // not this store's item: nothing to sell
		}
		sv.Total += cost
		sv.Lines = append(sv.Lines, saleLine{Item: it, Qty: raw, Subtotal: cost, Error: cart.errors[id]})
	}
	sv.Short = sv.Member != nil && sv.Total > sv.Member.Available
	return sv
}

// saleTotal is what the quantities cost, line by line as fillSale adds them up: the total the
// clerk must have seen before a sale is charged.
func (s *server) saleTotal(c *fiber.Ctx, storeID int64, values map[int64]string) int64 {
	var total int64
	for id, raw := range values {
		if _, cost, err := s.saleLineCost(c, storeID, id, raw); err == nil {
			total += cost
		}
	}
	return total
}

// saleLineCost is the store's item and what raw units of it cost: 0 for a quantity that is not a
// number of units the counter sells (1 to saleMaxUnits).
func (s *server) saleLineCost(c *fiber.Ctx, storeID, id int64, raw string) (store.Item, int64, error) {
	it, err := s.Store.Item(c.UserContext(), storeID, id)
	if err != nil {
		return store.Item{}, 0, err
	}
	if n, err := strconv.Atoi(raw); err == nil && n > 0 && n <= saleMaxUnits {
		return it, it.Cost(n), nil
	}
	return it, 0, nil
}
