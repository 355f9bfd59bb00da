package pages

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/store"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// donationView is the intake form of donations: the donor, and rows of goods, each with the
// message of its condition check.
type donationView struct {
	Store  storeHead
	Items  []storeChoice
	Kinds  []storeChoice
	Rows   []donationRow
	Key    string
	Policy store.Policy
}

// donationRow is one row of goods on the intake form, as entered, with what is wrong with it by
// field (item, qty, bb, po, value).
type donationRow struct {
	N                                 int
	Item, Qty, BestBefore, ProducedOn string
	Value                             string // yuan, as entered
	Errors                            map[string]string
}

// The rows the intake form starts with, and how many more a press of "more rows" adds.
const (
	donationRowsStart = 5
	donationRowsMore  = 5
)

// donorFields are the intake form's fields about the donor, top to bottom.
var donorFields = []string{"donor_kind", "donor_name", "donor_phone", "note"}

// donationPage shows an empty intake form.
func (s *server) donationPage(c *fiber.Ctx) error {
	f := form{Values: map[string]string{"donor_kind": store.DonorResident}, Errors: map[string]string{}, order: donorFields}
	return s.renderDonation(c, fiber.StatusOK, f, make([]donationRow, donationRowsStart))
}

func (s *server) renderDonation(c *fiber.Ctx, status int, f form, rows []donationRow) error {
	v := s.newView(c, "page.store.donation.title")
	head, err := s.storeHead(c, v.Lang, "donate")
	if err != nil {
		return err
	}
	items, err := s.Store.Items(c.UserContext(), head.ID, store.ItemFilter{Limit: store.MaxLimit})
	if err != nil {
		return err
	}
	p, err := s.Store.Policy(c.UserContext(), head.ID)
	if err != nil {
		return err
	}
	data := donationView{Store: head, Rows: rows, Key: storeFormKey(), Policy: p,
		Kinds: s.storeChoices(v.Lang, donorLabels, []string{store.DonorResident, store.DonorMerchant, store.DonorOrganization, store.DonorAnonymous})}
	for _, it := range items {
		data.Items = append(data.Items, storeChoice{Value: strconv.FormatInt(it.ID, 10), Label: it.Name + " (" + it.Unit + ")"})
	}
	for i := range data.Rows {
		data.Rows[i].N = i
	}
	v.Form = f
	v.Data = data
	return s.render(c, status, "store_donation", v)
}

// donationFieldNames maps the fields of a donation line, as the service names them, to the
// intake form's.
var donationFieldNames = map[string]string{"item": "item", "qty": "qty", "best_before": "bb", "produced_on": "po", "value_fen": "value"}

// donationSubmit records the donation and shows its acknowledgement; a refused row (food with too
// little shelf life left, a date in the past …) is shown again with its message.
func (s *server) donationSubmit(c *fiber.Ctx) error {
	storeID, _ := request.IDParam(c, "store")
	lang := s.msgs.Lang(c)
	f := readForm(c, donorFields...)
	n, _ := strconv.Atoi(c.FormValue("rows"))
	rows := make([]donationRow, min(max(n, 1), store.MaxLines))
	req := store.NewDonation{Donor: store.Donor{Kind: f.Values["donor_kind"], Name: f.Values["donor_name"],
		Phone: f.Values["donor_phone"]}, Note: f.Values["note"], Lines: []store.DonationLine{}}
	var rowOf []int // the row of each line of the request
	for i := range rows {
		r := &rows[i]
		k := strconv.Itoa(i)
		r.Item, r.Qty, r.BestBefore = c.FormValue("item-"+k), strings.TrimSpace(c.FormValue("qty-"+k)), c.FormValue("bb-"+k)
		r.ProducedOn, r.Value = c.FormValue("po-"+k), strings.TrimSpace(c.FormValue("value-"+k))
		r.Errors = map[string]string{}
		if r.Item == "" && r.Qty == "" && r.BestBefore == "" && r.ProducedOn == "" && r.Value == "" {
			continue
		}
		item, _ := strconv.ParseInt(r.Item, 10, 64)
		qty, err := strconv.Atoi(r.Qty)
		if err != nil {
			r.Errors["qty"] = s.msgs.Get(lang, "page.store.qty_number")
		}
		fen, ok := parseYuan(r.Value)
		if !ok {
			r.Errors["value"] = s.msgs.Get(lang, "page.store.donation.value_format")
		}
		req.Lines = append(req.Lines, store.DonationLine{Item: item, Qty: qty, BestBefore: r.BestBefore, ProducedOn: r.ProducedOn, ValueFen: fen})
		rowOf = append(rowOf, i)
	}
	if c.FormValue("op") == "more" {
		return s.renderDonation(c, fiber.StatusOK, f, append(rows, make([]donationRow, donationRowsMore)...)[:min(len(rows)+donationRowsMore, store.MaxLines)])
	}
	for _, r := range rows {
		if len(r.Errors) > 0 {
			f.fail("", s.msgs.Get(lang, "page.store.donation.check_rows"))
			return s.renderDonation(c, fiber.StatusUnprocessableEntity, f, rows)
		}
	}
	a, err := s.Store.RecordDonation(c.UserContext(), guard.Principal(c).Actor(), storeID, c.FormValue("key"), req)
	if err != nil {
		status, err := s.donationFailed(c.UserContext(), lang, storeID, req.Lines, err, &f, rows, rowOf)
		if err != nil {
			return err
		}
		return s.renderDonation(c, status, f, rows)
	}
	return redirect(c, "/stores/"+strconv.FormatInt(storeID, 10)+"/donations/"+strconv.FormatInt(a.DonationID, 10)+"?new=1")
}

// donationFailed puts a refusal on the form: beside each row and field it names, or beside a donor
// field, or at the top.
func (s *server) donationFailed(ctx context.Context, lang string, storeID int64, lines []store.DonationLine, err error,
	f *form, rows []donationRow, rowOf []int) (int, error) {
	status, slug := problem.Classify(err)
	if status >= 500 || errors.Is(err, store.ErrStoreNotFound) {
		return 0, err
	}
	onRow := func(line int, field, msg string) bool {
		if line < 0 || line >= len(rowOf) {
			return false
		}
		name, ok := donationFieldNames[field]
		if !ok {
			name = "item"
		}
		rows[rowOf[line]].Errors[name] = msg
		return true
	}
	f.fail("", s.msgs.Get(lang, "page.store.donation.check_rows"))
	var les *store.LineErrors
	faults, ok := s.lineFaults(lang, err)
	switch {
	case errors.As(err, &les): // several lines: the messages of a donation say more (best-before, policy)
		p, err := s.Store.Policy(ctx, storeID)
		if err != nil {
			return 0, err
		}
		for _, le := range les.Lines {
			onRow(le.Line, le.Field, problem.DonationLineMessage(s.msgs, lang, le, lines, p, slug))
		}
	case !ok:
		f.fail("", s.msgs.Get(lang, "problem."+slug))
	default:
		for _, lf := range faults {
			if onRow(lf.Line, lf.Field, lf.Message) {
				continue
			}
			msg := lf.Message
			if lf.Path == "lines" && lf.Reason == "required" {
				msg = s.msgs.Get(lang, "page.store.donation.no_lines")
			}
			f.fail(strings.ReplaceAll(lf.Path, ".", "_"), msg) // donor.name → donor_name
		}
	}
	if status == fiber.StatusConflict {
		return status, nil
	}
	return fiber.StatusUnprocessableEntity, nil
}

// parseYuan reads an amount in yuan with at most two decimals ("12", "12.5", "12.50") as fen; an
// empty amount is zero.
func parseYuan(s string) (int64, bool) {
	if s == "" {
		return 0, true
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || len(whole) > 9 || strings.Trim(whole+frac, "0123456789") != "" {
		return 0, false
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + f, true
}
