package pages

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/pkg/store"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// tierLabels are the words for the tiers of hardship.
var tierLabels = map[string]string{
	store.TierDibao:    "page.store.aid.tier.dibao",
	store.TierTekun:    "page.store.aid.tier.tekun",
	store.TierBianyuan: "page.store.aid.tier.bianyuan",
}

// aidDone are the notices after a change, by ?done=.
var aidDone = map[string]string{
	"registered":  "page.store.aid.done_registered",
	"deactivated": "page.store.aid.done_deactivated",
}

// aidView is the list of a store's households and its latest allocations.
type aidView struct {
	Store       storeHead
	Households  []householdRow
	Allocations []store.Aid
	Done        string
}

// householdRow is a household as the list shows it.
type householdRow struct {
	store.Household
	TierLabel string
}

// aidPage lists the store's households (number, tier, masked name, last allocation) and the latest
// allocations.
func (s *server) aidPage(c *fiber.Ctx) error {
	v := s.newView(c, "page.store.aid.title")
	head, err := s.storeHead(c, v.Lang, "aid")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	list, err := s.Store.Households(ctx, head.ID, store.HouseholdFilter{Limit: store.MaxLimit})
	if err != nil {
		return err
	}
	recent, err := s.Store.Allocations(ctx, head.ID, store.AidFilter{Limit: 20})
	if err != nil {
		return err
	}
	data := aidView{Store: head, Allocations: recent}
	if k, ok := aidDone[c.Query("done")]; ok {
		data.Done = s.msgs.Get(v.Lang, k)
	}
	for _, h := range list {
		data.Households = append(data.Households, householdRow{Household: h, TierLabel: s.storeLabel(v.Lang, tierLabels, h.Tier)})
	}
	v.Data = data
	return s.render(c, fiber.StatusOK, "store_aid", v)
}

// householdFields are the registration form's fields, top to bottom.
var householdFields = []string{"tier", "name", "phone", "note", "consent"}

// householdView is the registration form.
type householdView struct {
	Store storeHead
	Tiers []storeChoice
	Key   string // the idempotency key of this form: sent twice, it registers once
}

func (s *server) householdNewPage(c *fiber.Ctx) error {
	f := form{Values: map[string]string{"tier": store.TierDibao}, Errors: map[string]string{}, order: householdFields}
	return s.renderHousehold(c, fiber.StatusOK, f)
}

func (s *server) renderHousehold(c *fiber.Ctx, status int, f form) error {
	v := s.newView(c, "page.store.aid.register_title")
	head, err := s.storeHead(c, v.Lang, "aid")
	if err != nil {
		return err
	}
	v.Form = f
	v.Data = householdView{Store: head, Tiers: s.storeChoices(v.Lang, tierLabels, store.Tiers), Key: storeFormKey()}
	return s.render(c, status, "store_household", v)
}

// householdSubmit registers a household; a refused form comes back without the name and phone
// typed (they are never shown again in full), and must be filled in again.
func (s *server) householdSubmit(c *fiber.Ctx) error {
	storeID, _ := request.IDParam(c, "store")
	lang := s.msgs.Lang(c)
	f := readForm(c, householdFields...)
	req := store.NewHousehold{Tier: f.Values["tier"], Name: f.Values["name"], Phone: f.Values["phone"],
		Note: f.Values["note"], Consent: f.Values["consent"] == "1"}
	f.Values["name"], f.Values["phone"] = "", ""
	_, err := s.Store.RegisterHousehold(c.UserContext(), guard.Principal(c).Actor(), storeID, c.FormValue("key"), req)
	var fe *fields.Error
	switch {
	case errors.As(err, &fe):
		for field, reason := range fe.Fields() {
			f.fail(field, s.msgs.Get(lang, "reason."+reason))
		}
		return s.renderHousehold(c, fiber.StatusUnprocessableEntity, f)
	case err != nil:
		return err
	}
	return redirect(c, "/stores/"+strconv.FormatInt(storeID, 10)+"/aid?done=registered")
}

func (s *server) householdDeactivateSubmit(c *fiber.Ctx) error {
	storeID, _ := request.IDParam(c, "store")
	hid, err := request.IDParam(c, "household")
	if err != nil {
		return err
	}
	if _, err := s.Store.DeactivateHousehold(c.UserContext(), guard.Principal(c).Actor(), storeID, hid); err != nil {
		return err
	}
	return redirect(c, "/stores/"+strconv.FormatInt(storeID, 10)+"/aid?done=deactivated")
}

// aidNewView is the allocation form: the active households and the items with free stock, each
// with a quantity and what is wrong with it.
type aidNewView struct {
	Store      storeHead
	Households []storeChoice
	Rows       []aidRow
	Key        string
}

// aidRow is an item on the allocation form.
type aidRow struct {
	Item  store.Item
	Qty   string
	Error string
}

// aidFields are the allocation form's fields apart from the quantities.
var aidFields = []string{"household", "note"}

func (s *server) aidNewPage(c *fiber.Ctx) error {
	f := form{Values: map[string]string{"household": c.Query("household")}, Errors: map[string]string{}, order: aidFields}
	return s.renderAidNew(c, fiber.StatusOK, f, nil, nil)
}

func (s *server) renderAidNew(c *fiber.Ctx, status int, f form, qtys map[int64]string, lineErrs map[int64]string) error {
	v := s.newView(c, "page.store.aid.new_title")
	head, err := s.storeHead(c, v.Lang, "aid")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	households, err := s.Store.Households(ctx, head.ID, store.HouseholdFilter{ActiveOnly: true, Limit: store.MaxLimit})
	if err != nil {
		return err
	}
	items, err := s.Store.Items(ctx, head.ID, store.ItemFilter{Limit: store.MaxLimit})
	if err != nil {
		return err
	}
	data := aidNewView{Store: head, Key: storeFormKey(),
		Households: []storeChoice{{Value: "", Label: s.msgs.Get(v.Lang, "page.store.aid.choose_household")}}}
	for _, h := range households {
		data.Households = append(data.Households, storeChoice{Value: strconv.FormatInt(h.ID, 10),
			Label: s.msgs.Get(v.Lang, "page.store.aid.household_no") + " " + h.No() + " · " + h.NameMasked})
	}
	for _, it := range items {
		if it.Available > 0 || qtys[it.ID] != "" {
			data.Rows = append(data.Rows, aidRow{Item: it, Qty: qtys[it.ID], Error: lineErrs[it.ID]})
		}
	}
	v.Form = f
	v.Data = data
	return s.render(c, status, "store_aid_new", v)
}

// aidSubmit records the allocation and shows its slip; a refusal comes back on the form, beside
// the item or the household it is about.
func (s *server) aidSubmit(c *fiber.Ctx) error {
	storeID, _ := request.IDParam(c, "store")
	lang := s.msgs.Lang(c)
	f := readForm(c, aidFields...)
	lines, qtys, bad := storeFormLines(c, "qty-")
	lineErrs := map[int64]string{}
	for _, id := range bad {
		lineErrs[id] = s.msgs.Get(lang, "page.store.qty_number")
	}
	if len(bad) > 0 {
		f.fail("", s.msgs.Get(lang, "page.store.aid.check_lines"))
		return s.renderAidNew(c, fiber.StatusUnprocessableEntity, f, qtys, lineErrs)
	}
	household, _ := strconv.ParseInt(f.Values["household"], 10, 64)
	a, err := s.Store.Allocate(c.UserContext(), guard.Principal(c).Actor(), c.FormValue("key"),
		store.NewAid{Store: storeID, Household: household, Lines: lines, Note: f.Values["note"]})
	if err == nil {
		return redirect(c, "/stores/"+strconv.FormatInt(storeID, 10)+"/aid/"+strconv.FormatInt(a.ID, 10)+"?new=1")
	}
	status, slug := problem.Classify(err)
	if status >= 500 || errors.Is(err, store.ErrStoreNotFound) {
		return err
	}
	faults, ok := s.lineFaults(lang, err)
	switch {
	case errors.Is(err, store.ErrHouseholdNotFound), errors.Is(err, store.ErrHouseholdInactive):
		f.fail("household", s.msgs.Get(lang, "problem."+slug))
	case !ok:
		f.fail("", s.msgs.Get(lang, "problem."+slug))
	}
	for _, lf := range faults {
		switch {
		case lf.Line >= 0:
			if lf.Line < len(lines) {
				lineErrs[lines[lf.Line].Item] = lf.Message
			}
			f.fail("", s.msgs.Get(lang, "page.store.aid.check_lines"))
		case lf.Field == "household", lf.Field == "note":
			f.fail(lf.Field, lf.Message)
		case lf.Field == "lines":
			f.fail("", s.msgs.Get(lang, "page.store.aid.no_lines"))
		default:
			f.fail("", s.msgs.Get(lang, "page.store.aid.check_lines"))
		}
	}
	if status != fiber.StatusConflict {
		status = fiber.StatusUnprocessableEntity
	}
	return s.renderAidNew(c, status, f, qtys, lineErrs)
}

// aidSlipView is the signed slip of an allocation (发放签收单).
type aidSlipView struct {
	Paper, Self string
	Store       storeHead
	Aid         store.Aid
	New         bool
}

// aidSlipPage shows an allocation's slip, laid out for A5 paper (or an 80 mm receipt printer), with
// a line for the household's signature. It names the household by number and masked name only.
func (s *server) aidSlipPage(c *fiber.Ctx) error {
	v := s.newView(c, "page.store.aid.slip_title")
	head, err := s.storeHead(c, v.Lang, "aid")
	if err != nil {
		return err
	}
	id, err := request.IDParam(c, "aid")
	if err != nil {
		return err
	}
	a, err := s.Store.Aid(c.UserContext(), head.ID, id)
	if err != nil {
		return err
	}
	v.Data = aidSlipView{Paper: printPaper(c, paperA5), Self: c.Path(), Store: head, Aid: a, New: c.Query("new") == "1"}
	return s.render(c, fiber.StatusOK, "store_aid_slip", v)
}
