package pages

import (
	"context"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/identity"
	"timebank/pkg/store"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// counterView is the counter page: the scan field, the outcome of the last scan or confirmation
// (its colour and sound), and what the scan brought up: an order to hand out or a member to sell to.
type counterView struct {
	Store   storeHead
	Outcome string // "ok" or "fail"; "" before the first scan
	Message string
	Scanned string // what the scanner typed, shown again after a failure
	Done    *doneView
	Pickup  *pickupView
	Sale    *saleView
}

// doneView is the order or sale just handed out, with its receipt.
type doneView struct {
	Order   store.Order
	Counter bool // a walk-in sale
	Units   int
}

// pickupView is a scanned order: its lines, each with the quantity to hand out, and whose it is.
type pickupView struct {
	Order  store.Order
	Member store.Member
	Lines  []pickupLine
}

// pickupLine is a line of a scanned order and how many of it the clerk hands out.
type pickupLine struct {
	store.OrderedLine
	Give  string
	Error string
}

// counterPage shows the counter, waiting for a scan; after a hand-out or a sale (?done=) it shows
// what was handed out, in green, with the receipt.
func (s *server) counterPage(c *fiber.Ctx) error {
	cv := counterView{}
	if done, err := request.QueryID(c, "done"); err == nil && done != 0 {
		storeID, _ := request.IDParam(c, "store")
		o, err := s.Store.Order(c.UserContext(), done)
		if err == nil && o.StoreID == storeID && o.Status == store.StatusFulfilled {
			d := &doneView{Order: o, Counter: o.Channel == store.ChannelCounter}
			for _, l := range o.Lines {
				if l.HandedOut != nil {
					d.Units += *l.HandedOut
				}
			}
			cv.Done, cv.Outcome = d, "ok"
		}
	}
	return s.renderCounter(c, fiber.StatusOK, cv)
}

func (s *server) renderCounter(c *fiber.Ctx, status int, cv counterView) error {
	v := s.newView(c, "page.store.counter.title")
	head, err := s.storeHead(c, v.Lang, "counter")
	if err != nil {
		return err
	}
	cv.Store = head
	v.Data = cv
	return s.render(c, status, "store_counter", v)
}

// counterFailed shows the counter with a refusal in red: the problem's message in the clerk's
// language. An error that is not the counter's to fix (a 5xx) goes to the error page.
func (s *server) counterFailed(c *fiber.Ctx, err error, cv counterView) error {
	status, slug := problem.Classify(err)
	if status >= 500 {
		return err
	}
	cv.Outcome, cv.Message = "fail", s.msgs.Get(s.msgs.Lang(c), "problem."+slug)
	return s.renderCounter(c, status, cv)
}

// counterEchoMax is the most of a failed scan the page shows again.
const counterEchoMax = 300

// counterScanSubmit reads what the scanner typed into the counter's field (a pickup URL or a
// member code URL, and Enter): a pickup code brings up the order to hand out (the code is spent:
// single use), a member code the member and an empty sale.
func (s *server) counterScanSubmit(c *fiber.Ctx) error {
	storeID, _ := request.IDParam(c, "store")
	code := strings.TrimSpace(c.FormValue("code"))
	if code == "" {
		return s.renderCounter(c, fiber.StatusUnprocessableEntity, counterView{Outcome: "fail",
			Message: s.msgs.Get(s.msgs.Lang(c), "page.store.counter.scan_empty")})
	}
	res, err := s.Store.Scan(c.UserContext(), storeID, code)
	if err != nil {
		echo := code
		if len(echo) > counterEchoMax {
			echo = echo[:counterEchoMax]
		}
		return s.counterFailed(c, err, counterView{Scanned: echo})
	}
	return s.renderCounter(c, fiber.StatusOK, s.scanned(c, res, code))
}

// scanned is the counter after a good scan: the order, or the member with a new sale.
func (s *server) scanned(c *fiber.Ctx, res store.ScanResult, code string) counterView {
	lang := s.msgs.Lang(c)
	if res.Kind == store.ScanPickup {
		return counterView{Outcome: "ok", Message: s.msgs.Get(lang, "page.store.counter.order_found"),
			Pickup: newPickup(*res.Order, *res.Member)}
	}
	return counterView{Outcome: "ok", Message: s.msgs.Get(lang, "page.store.counter.member_found"),
		Sale: &saleView{Member: res.Member, Token: code, Key: storeFormKey()}}
}

func newPickup(o store.Order, m store.Member) *pickupView {
	p := &pickupView{Order: o, Member: m}
	for _, l := range o.Lines {
		p.Lines = append(p.Lines, pickupLine{OrderedLine: l, Give: strconv.Itoa(l.Qty)})
	}
	return p
}

// counterFulfilSubmit hands out a scanned order: everything (the "all" button) or the quantities
// the clerk set line by line; what is not handed out goes back on the shelf and its credits back
// to the volunteer.
func (s *server) counterFulfilSubmit(c *fiber.Ctx) error {
	storeID, _ := request.IDParam(c, "store")
	orderID, err := request.IDParam(c, "order")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	o, err := s.Store.Order(ctx, orderID)
	if err == nil && o.StoreID != storeID {
		err = store.ErrOrderNotFound // another store's order is none of this counter's business
	}
	if err != nil {
		return s.counterFailed(c, err, counterView{})
	}
	var given []store.Handout
	if c.FormValue("all") == "" {
		for _, l := range o.Lines {
			n, err := strconv.Atoi(strings.TrimSpace(c.FormValue("give-" + strconv.FormatInt(l.ItemID, 10))))
			if err != nil {
				n = -1 // out of range: the service names the line
			}
			given = append(given, store.Handout{Item: l.ItemID, Qty: n})
		}
	}
	if _, err := s.Store.Fulfil(ctx, guard.Principal(c).Actor(), orderID, given, ""); err != nil {
		return s.fulfilFailed(c, o, given, err)
	}
	return redirect(c, "/stores/"+strconv.FormatInt(storeID, 10)+"/counter?done="+strconv.FormatInt(orderID, 10))
}

// fulfilFailed shows a refused hand-out: quantities out of range beside their lines with the order
// still on screen; a refusal of the order itself (already handed out, cancelled, expired) in red.
func (s *server) fulfilFailed(c *fiber.Ctx, o store.Order, given []store.Handout, err error) error {
	lang := s.msgs.Lang(c)
	faults, ok := s.lineFaults(lang, err)
	if !ok {
		return s.counterFailed(c, err, counterView{})
	}
	m, err2 := s.counterMember(c.UserContext(), o.UserID)
	if err2 != nil {
		return err2
	}
	p := newPickup(o, m)
	for i := range p.Lines {
		if i < len(given) {
			p.Lines[i].Give = c.FormValue("give-" + strconv.FormatInt(given[i].Item, 10))
		}
	}
	msg := s.msgs.Get(lang, "problem.invalid-request")
	for _, lf := range faults {
		if lf.Line >= 0 && lf.Line < len(p.Lines) {
			p.Lines[lf.Line].Error = lf.Message
			continue
		}
		msg = lf.Message
	}
	return s.renderCounter(c, fiber.StatusUnprocessableEntity, counterView{Outcome: "fail", Message: msg, Pickup: p})
}

// counterMember is the counter's view of a volunteer (masked name, volunteer number, available
// credits), for an order shown again.
func (s *server) counterMember(ctx context.Context, userID int64) (store.Member, error) {
	u, err := s.Users.ByID(ctx, userID)
	if err != nil {
		return store.Member{}, err
	}
	b, err := s.Ledger.Balance(ctx, u.AccountCode)
	if err != nil {
		return store.Member{}, err
	}
	return store.Member{UserID: u.ID, VolunteerNo: u.VolunteerNo, NameMasked: identity.MaskName(u.Name), Available: b.Available}, nil
}
