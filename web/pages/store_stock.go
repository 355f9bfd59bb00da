package pages

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/store"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// stockView is the stock page: warnings first, then every item with its lots, first-expiring-first,
// each lot with its write-off and count forms for those who manage stock.
type stockView struct {
	Store           storeHead
	Manage          bool
	Warnings        []warningRow
	Expired         bool // some lots are past their date: offer to write them all off
	Items           []stockRow
	WriteOffReasons []storeChoice
	CountReasons    []storeChoice
	Done            string
	Failed          adjustFailure
	ExpiredKey      string
	Query, More     string
}

type warningRow struct {
	store.Warning
	Label string
}

type stockRow struct {
	Item     store.Item
	Category string
	Low      bool
	Lots     []lotRow
}

// lotRow is a lot with the idempotency keys of its two forms (each form is its own request).
type lotRow struct {
	store.Lot
	Source                string
	Expired, Near         bool
	WriteOffKey, CountKey string
}

// adjustFailure is a refused write-off or count: the lot, the form, and why.
type adjustFailure struct {
	Lot     int64
	Kind    string // "writeoff" or "count"
	Message string
	Qty     string
}

// stockDone are the messages a redirect after a change may ask the stock page to show.
var stockDone = map[string]string{
	"writeoff": "page.store.stock.done_writeoff",
	"count":    "page.store.stock.done_count",
	"expired":  "page.store.stock.done_expired",
}

// stockPageSize is how many items the stock page lists at once.
const stockPageSize = 100

// stockPage shows the store's stock with its warnings.
func (s *server) stockPage(c *fiber.Ctx) error {
	return s.renderStock(c, fiber.StatusOK, adjustFailure{})
}

func (s *server) renderStock(c *fiber.Ctx, status int, failed adjustFailure) error {
	ctx := c.UserContext()
	v := s.newView(c, "page.store.stock.title")
	head, err := s.storeHead(c, v.Lang, "stock")
	if err != nil {
		return err
	}
	after, err := request.QueryID(c, "after")
	if err != nil {
		return err
	}
	t, err := s.Orgs.StoreTarget(ctx, head.ID)
	if err != nil {
		return err
	}
	warnings, err := s.Store.Warnings(ctx, head.ID)
	if err != nil {
		return err
	}
	f := store.ItemFilter{Query: c.Query("q"), After: after, Limit: stockPageSize}
	stock, err := s.Store.Stock(ctx, head.ID, f)
	if err != nil {
		return err
	}
	data := stockView{Store: head, Manage: guard.Principal(c).Can(access.ManageStock, t), Failed: failed, Query: f.Query,
		WriteOffReasons: s.storeChoices(v.Lang, adjustReasons, store.WriteOffReasons),
		CountReasons:    s.storeChoices(v.Lang, adjustReasons, store.CountReasons), ExpiredKey: storeFormKey()}
	if k, ok := stockDone[c.Query("done")]; ok {
		data.Done = s.msgs.Get(v.Lang, k)
	}
	near := map[int64]string{} // lot → warning kind
	low := map[int64]bool{}
	for _, w := range warnings {
		data.Warnings = append(data.Warnings, warningRow{Warning: w, Label: s.storeLabel(v.Lang, warningLabels, w.Kind)})
		switch w.Kind {
		case store.WarnLowStock:
			low[w.ItemID] = true
		default:
			near[w.LotID] = w.Kind
			data.Expired = data.Expired || w.Kind == store.WarnExpired
		}
	}
	for _, si := range stock {
		row := stockRow{Item: si.Item, Category: s.storeLabel(v.Lang, categoryLabels, si.Item.Category), Low: low[si.Item.ID]}
		for _, l := range si.Lots {
			row.Lots = append(row.Lots, lotRow{Lot: l, Source: s.storeLabel(v.Lang, lotSources, l.Source),
				Expired: near[l.ID] == store.WarnExpired, Near: near[l.ID] == store.WarnNearExpiry,
				WriteOffKey: storeFormKey(), CountKey: storeFormKey()})
		}
		data.Items = append(data.Items, row)
	}
	if len(stock) == f.Limit {
		data.More = "/stores/" + strconv.FormatInt(head.ID, 10) + "/stock?q=" + url.QueryEscape(f.Query) + "&after=" + strconv.FormatInt(stock[len(stock)-1].Item.ID, 10)
	}
	v.Data = data
	return s.render(c, status, "store_stock", v)
}

// writeOffSubmit writes off part of a lot (damaged, spoiled, lost …), with its reason.
func (s *server) writeOffSubmit(c *fiber.Ctx) error {
	return s.adjustSubmit(c, "writeoff")
}

// countSubmit records what a count found in a lot; the lot is set to it, with the reason.
func (s *server) countSubmit(c *fiber.Ctx) error {
	return s.adjustSubmit(c, "count")
}

func (s *server) adjustSubmit(c *fiber.Ctx, kind string) error {
	storeID, _ := request.IDParam(c, "store")
	lot, _ := strconv.ParseInt(c.FormValue("lot"), 10, 64)
	raw := strings.TrimSpace(c.FormValue("qty"))
	qty, err := strconv.Atoi(raw)
	if err != nil {
		qty = -1 // out of range: the service names the field
	}
	n := store.NewAdjustment{Reason: c.FormValue("reason"), Note: c.FormValue("note"), Lines: []store.LotQty{{Lot: lot, Qty: qty}}}
	do := s.Store.WriteOff
	if kind == "count" {
		do = s.Store.Count
	}
	if _, err := do(c.UserContext(), guard.Principal(c).Actor(), storeID, c.FormValue("key"), n); err != nil {
		status, slug := problem.Classify(err)
		if status >= 500 || errors.Is(err, store.ErrStoreNotFound) {
			return err
		}
		lang := s.msgs.Lang(c)
		msg := s.msgs.Get(lang, "problem."+slug)
		if faults, ok := s.lineFaults(lang, err); ok {
			msg = faults[len(faults)-1].Message
		}
		if status != fiber.StatusConflict {
			status = fiber.StatusUnprocessableEntity
		}
		return s.renderStock(c, status, adjustFailure{Lot: lot, Kind: kind, Message: msg, Qty: raw})
	}
	return redirect(c, "/stores/"+strconv.FormatInt(storeID, 10)+"/stock?done="+kind+"#lot-"+strconv.FormatInt(lot, 10))
}

// writeOffExpiredSubmit writes off every lot past its best-before date, except what orders reserved.
func (s *server) writeOffExpiredSubmit(c *fiber.Ctx) error {
	storeID, _ := request.IDParam(c, "store")
	if _, err := s.Store.WriteOffExpired(c.UserContext(), guard.Principal(c).Actor(), storeID, c.FormValue("key")); err != nil {
		return err
	}
	return redirect(c, "/stores/"+strconv.FormatInt(storeID, 10)+"/stock?done=expired")
}
