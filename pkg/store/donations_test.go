package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"timebank/fields"
	"timebank/pkg/store"
)

// The condition check refuses food with too little shelf life left, food without a date, anything
// past its date; the refusal names the line and item, and records nothing.
func TestDonationConditionCheck(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	milk := e.item(store.NewItem{Name: "牛奶", Category: "food", Unit: "箱", Price: 60})
	bread := e.item(store.NewItem{Name: "面包", Category: "food", Unit: "袋", Price: 10})
	soap := e.item(store.NewItem{Name: "肥皂", Price: 30})
	donate := func(lines ...store.DonationLine) (store.Acknowledgement, error) {
		return e.svc.RecordDonation(ctx, e.manager, e.storeID, e.key(), store.NewDonation{
			Donor: store.Donor{Kind: store.DonorMerchant, Name: "硖石好又多超市"}, Lines: lines})
	}
	for _, c := range []struct {
		name   string
		lines  []store.DonationLine
		line   int
		reason string
	}{
		{"food without a date", []store.DonationLine{{Item: soap.ID, Qty: 1}, {Item: milk.ID, Qty: 2}}, 1, store.ReasonBestBeforeRequired},
		{"four months left, production unknown", []store.DonationLine{{Item: milk.ID, Qty: 2, BestBefore: e.day(120)}}, 0, store.ReasonShelfLife},
		{"half of its shelf life left", []store.DonationLine{{Item: milk.ID, Qty: 2, BestBefore: e.day(90), ProducedOn: e.day(-90)}}, 0, store.ReasonShelfLife},
		{"past its date", []store.DonationLine{{Item: soap.ID, Qty: 1, BestBefore: e.day(-1)}}, 0, store.ReasonPastDate},
		{"yesterday's bread", []store.DonationLine{{Item: bread.ID, Qty: 5, BestBefore: e.day(1), ProducedOn: e.day(-2)}}, 0, store.ReasonShelfLife},
	} {
		_, err := donate(c.lines...)
		var le *store.LineError
		if !errors.Is(err, store.ErrDonationRefused) || !errors.As(err, &le) || le.Line != c.line || le.Reason != c.reason ||
			le.Item != c.lines[c.line].Item || le.Field != "best_before" {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	var n int
	if err := e.db.GetContext(ctx, &n, `SELECT count(*) FROM store_donations`); err != nil || n != 0 {
		t.Fatalf("%d donations recorded by refusals (%v)", n, err)
	}
	for _, ok := range [][]store.DonationLine{
		{{Item: milk.ID, Qty: 2, BestBefore: e.day(200)}},                          // six months and more
		{{Item: milk.ID, Qty: 2, BestBefore: e.day(80), ProducedOn: e.day(-20)}},   // 80% left
		{{Item: bread.ID, Qty: 5, BestBefore: e.day(3), ProducedOn: e.day(0)}},     // today's bread (爱心面包)
		{{Item: soap.ID, Qty: 3}, {Item: soap.ID, Qty: 2, BestBefore: e.day(700)}}, // non-food, with or without date
	} {
		if _, err := donate(ok...); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
	for _, bad := range []store.NewDonation{
		{Donor: store.Donor{Kind: "friend"}, Lines: []store.DonationLine{{Item: soap.ID, Qty: 1}}},
		{Donor: store.Donor{Kind: store.DonorAnonymous, Name: "张三"}, Lines: []store.DonationLine{{Item: soap.ID, Qty: 1}}},
		{Donor: store.Donor{Kind: store.DonorResident, Phone: "12345"}, Lines: []store.DonationLine{{Item: soap.ID, Qty: 1}}},
		{Donor: store.Donor{Kind: store.DonorResident}},
		{Donor: store.Donor{Kind: store.DonorResident}, Lines: []store.DonationLine{{Item: soap.ID, Qty: 0}}},
		{Donor: store.Donor{Kind: store.DonorResident}, Lines: []store.DonationLine{{Item: soap.ID, Qty: 1, BestBefore: "2025-02-30"}}},
		{Donor: store.Donor{Kind: store.DonorResident}, Lines: []store.DonationLine{{Item: soap.ID, Qty: 1, ValueFen: -5}}},
		{Donor: store.Donor{Kind: store.DonorResident}, Lines: []store.DonationLine{{Item: milk.ID, Qty: 1, BestBefore: e.day(200), ProducedOn: e.day(5)}}},
	} {
		if _, err := e.svc.RecordDonation(ctx, e.manager, e.storeID, e.key(), bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("donation %+v: %v", bad, err)
		}
	}
	if _, err := e.svc.CreateItem(ctx, e.manager, e.storeID, store.NewItem{Name: "感冒药", Category: "medicine", Unit: "盒", Price: 10}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a medicine in the catalogue: %v", err)
	}
	e.consistent()
}

// Acknowledgement numbers run 1, 2, 3 … per store and year with no gap, even when donations are
// recorded concurrently and some of them are refused halfway.
func TestAcknowledgementNumbersHaveNoGaps(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	soap := e.item(store.NewItem{Name: "肥皂", Price: 30})
	milk := e.item(store.NewItem{Name: "牛奶", Category: "food", Unit: "箱", Price: 60})
	ok, errs := race(40, func(i int) error {
		lines := []store.DonationLine{{Item: soap.ID, Qty: 1 + i%3}}
		if i%4 == 0 { // refused in the transaction, after the soap line was checked
			lines = append(lines, store.DonationLine{Item: milk.ID, Qty: 1})
		}
		_, err := e.svc.RecordDonation(ctx, e.manager, e.storeID, e.key(), store.NewDonation{
			Donor: store.Donor{Kind: store.DonorResident, Name: "李阿姨", Phone: "138 1234 5678"}, Lines: lines})
		return err
	})
	if ok != 30 || len(errs) != 10 {
		t.Fatalf("%d recorded, errors %v", ok, errs)
	}
	var seqs []int
	if err := e.db.SelectContext(ctx, &seqs, `SELECT seq FROM store_donations ORDER BY seq`); err != nil {
		t.Fatal(err)
	}
	for i, s := range seqs {
		if s != i+1 {
			t.Fatalf("numbers %v have a gap", seqs)
		}
	}
	year := e.clock.now().In(time.FixedZone("CST", 8*3600)).Year()
	a, err := e.svc.Acknowledgement(ctx, e.storeID, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("S%d-%d-", e.storeID, year)
	if !strings.HasPrefix(a.Number, want) || a.StoreName != "硖石公益仓" || a.OrgName != "硖石街道志愿者协会" ||
		a.HandlerName != "王店长" || a.NoticeZH == "" || !strings.Contains(a.NoticeZH, "不是公益事业捐赠票据") {
		t.Fatalf("acknowledgement: %+v", a)
	}
	// The phone number is kept masked only: no full number anywhere in the table.
	var leaked int
	if err := e.db.GetContext(ctx, &leaked, `SELECT count(*) FROM store_donations d WHERE d::text LIKE '%13812345678%'`); err != nil || leaked != 0 {
		t.Fatalf("%d rows hold the full phone number (%v)", leaked, err)
	}
	if a.Donor.PhoneMasked != "138****5678" {
		t.Fatalf("masked phone %q", a.Donor.PhoneMasked)
	}
	// The code on the paper verifies; what anyone sees has the name masked and no phone.
	v, err := e.svc.VerifyReceipt(ctx, a.VerifyURL)
	if err != nil || v.Number != a.Number || v.Donor.Name != "李**" || v.Donor.PhoneMasked != "" {
		t.Fatalf("verify: %+v %v", v, err)
	}
	if _, err := e.svc.VerifyReceipt(ctx, a.VerifyURL[:len(a.VerifyURL)-1]+"x"); !errors.Is(err, store.ErrCodeInvalid) {
		t.Fatalf("altered code: %v", err)
	}
	e.consistent()
}

// The same donation sent twice with one key is recorded once and keeps its number.
func TestDonationIdempotency(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	soap := e.item(store.NewItem{Name: "肥皂", Price: 30})
	key := e.key()
	d := store.NewDonation{Donor: store.Donor{Kind: store.DonorAnonymous}, Lines: []store.DonationLine{{Item: soap.ID, Qty: 4}}}
	ok, errs := race(8, func(int) error {
		_, err := e.svc.RecordDonation(ctx, e.manager, e.storeID, key, d)
		return err
	})
	if ok != 8 {
		t.Fatal(errs)
	}
	if it := e.itemNow(soap.ID); it.OnHand != 4 {
		t.Fatalf("on hand %d after one donation sent 8 times", it.OnHand)
	}
	var last int
	if err := e.db.GetContext(ctx, &last, `SELECT last FROM store_ack_counters`); err != nil || last != 1 {
		t.Fatalf("counter at %d: a replay used a number (%v)", last, err)
	}
	d.Lines[0].Qty = 5
	if _, err := e.svc.RecordDonation(ctx, e.manager, e.storeID, key, d); !errors.Is(err, store.ErrIdempotencyConflict) {
		t.Fatalf("another donation under the key: %v", err)
	}
}

// Warnings flag low stock, lots near their date and expired lots; writing off expired lots takes
// their free stock and leaves what orders reserved.
func TestWarningsAndExpiredWriteOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	milk := e.item(store.NewItem{Name: "牛奶", Category: "food", Unit: "箱", Price: 60, LowStock: 3})
	soap := e.item(store.NewItem{Name: "肥皂", Price: 30, LowStock: 2})
	soon := e.stock(milk.ID, 4, e.day(10)).Lines[0].LotID
	later := e.stock(milk.ID, 5, e.day(60)).Lines[0].LotID
	e.stock(soap.ID, 2, "")

	w, err := e.svc.Warnings(ctx, e.storeID)
	if err != nil {
		t.Fatal(err)
	}
	if len(w) != 2 || w[0].Kind != store.WarnNearExpiry || w[0].LotID != soon || w[1].Kind != store.WarnLowStock || w[1].ItemID != soap.ID {
		t.Fatalf("warnings: %+v", w)
	}
	vol := e.volunteer(1000)
	// Reserved from the later lot: the pickup window ends within the date of both, so FEFO takes
	// the first; then the clock moves past the first lot's date.
	o := e.order(vol, map[int64]int{milk.ID: 1})
	e.clock.advance(11 * 24 * time.Hour)
	w, _ = e.svc.Warnings(ctx, e.storeID)
	if len(w) == 0 || w[0].Kind != store.WarnExpired || w[0].LotID != soon {
		t.Fatalf("warnings after the date: %+v", w)
	}
	adj, err := e.svc.WriteOffExpired(ctx, e.manager, e.storeID, e.key())
	if err != nil {
		t.Fatal(err)
	}
	if len(adj.Movements) != 1 || adj.Movements[0].LotID != soon || adj.Movements[0].OnHandDelta != -3 ||
		adj.Movements[0].OnHandAfter != 1 || adj.Movements[0].ReservedAfter != 1 || adj.Reason != "expired" {
		t.Fatalf("expired write-off: %+v", adj.Movements)
	}
	// The order expired too; its release frees the last expired unit for the next write-off.
	if _, err := e.svc.ExpireOrders(ctx, 10); err != nil {
		t.Fatal(err)
	}
	adj, _ = e.svc.WriteOffExpired(ctx, e.manager, e.storeID, e.key())
	if len(adj.Movements) != 1 || adj.Movements[0].OnHandAfter != 0 {
		t.Fatalf("second write-off: %+v", adj.Movements)
	}
	if it := e.itemNow(milk.ID); it.OnHand != 5 || it.Available != 5 {
		t.Fatalf("milk: %+v", it)
	}
	_ = later
	_ = o
	rep, err := e.svc.DayReport(ctx, e.storeID, e.svc.Today())
	if err != nil {
		t.Fatal(err)
	}
	if rep.OrdersExpired != 1 || rep.UnitsWrittenOff != 4 {
		t.Fatalf("day report: %+v", rep)
	}
	e.consistent()
}

// A donation with several bad lines is refused once, naming every one of them (line, item and
// reason), and writes nothing: no number of the series, no lot, no journal row. Corrected, it
// takes the next number.
func TestDonationRefusesEveryBadLineAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	milk := e.item(store.NewItem{Name: "牛奶", Category: "food", Unit: "箱", Price: 60})
	soap := e.item(store.NewItem{Name: "肥皂", Price: 30})
	first := e.stock(soap.ID, 1, "") // number 1 of the series
	count := func() (n [3]int) {
		for i, table := range []string{"store_donations", "store_lots", "store_movements"} {
			if err := e.db.GetContext(ctx, &n[i], `SELECT count(*) FROM `+table); err != nil {
				t.Fatal(err)
			}
		}
		return n
	}
	before := count()
	donor := store.Donor{Kind: store.DonorMerchant, Name: "硖石好又多超市"}
	bad := []store.DonationLine{
		{Item: soap.ID, Qty: 3},                         // fine
		{Item: milk.ID, Qty: 2, BestBefore: e.day(30)},  // a month left of a long shelf life
		{Item: 999999, Qty: 1},                          // the store has no such item
		{Item: soap.ID, Qty: 1, BestBefore: e.day(-3)},  // past its date
		{Item: milk.ID, Qty: 1, BestBefore: e.day(400)}, // fine
	}
	_, err := e.svc.RecordDonation(ctx, e.manager, e.storeID, e.key(), store.NewDonation{Donor: donor, Lines: bad})
	var les *store.LineErrors
	if !errors.As(err, &les) || !errors.Is(err, store.ErrDonationRefused) || les.Err != store.ErrDonationRefused {
		t.Fatalf("refusal: %v", err)
	}
	want := []struct {
		line   int
		item   int64
		name   string
		reason string
	}{{1, milk.ID, "牛奶", store.ReasonShelfLife}, {2, 999999, "", "not_found"}, {3, soap.ID, "肥皂", store.ReasonPastDate}}
	if len(les.Lines) != len(want) {
		t.Fatalf("refused lines: %v", err)
	}
	for i, w := range want {
		if l := les.Lines[i]; l.Line != w.line || l.Item != w.item || l.Name != w.name || l.Reason != w.reason {
			t.Errorf("line %d: %+v, want %+v", i, l, w)
		}
	}
	var le *store.LineError // the first refused line, for callers that show one
	if !errors.As(err, &le) || le.Line != 1 {
		t.Errorf("first line: %+v", le)
	}
	if after := count(); after != before {
		t.Fatalf("a refused donation wrote rows: %v before, %v after", before, after)
	}

	// Only unknown items: still one refusal naming both, as item-not-found.
	_, err = e.svc.RecordDonation(ctx, e.manager, e.storeID, e.key(), store.NewDonation{Donor: donor,
		Lines: []store.DonationLine{{Item: 999998, Qty: 1}, {Item: soap.ID, Qty: 1}, {Item: 999999, Qty: 1}}})
	if !errors.As(err, &les) || les.Err != store.ErrItemNotFound || len(les.Lines) != 2 || les.Lines[1].Line != 2 {
		t.Fatalf("unknown items: %v", err)
	}

	// A quantity out of range comes with the refused lines, not before them: the request is
	// malformed, and every bad line is named.
	_, err = e.svc.RecordDonation(ctx, e.manager, e.storeID, e.key(), store.NewDonation{Donor: donor,
		Lines: []store.DonationLine{{Item: soap.ID, Qty: 0}, {Item: milk.ID, Qty: 1, BestBefore: e.day(30)}, {Item: 999999, Qty: 1}}})
	if !errors.As(err, &les) || !errors.Is(err, store.ErrInvalid) || len(les.Lines) != 3 ||
		les.Lines[0].Reason != "range" || les.Lines[0].Field != "qty" || les.Lines[0].Name != "肥皂" ||
		les.Lines[1].Reason != store.ReasonShelfLife || les.Lines[2].Reason != "not_found" {
		t.Fatalf("a malformed line among refused ones: %v", err)
	}
	// A fault of the donor stays a plain validation error.
	var ve *fields.Error
	if _, err = e.svc.RecordDonation(ctx, e.manager, e.storeID, e.key(), store.NewDonation{Donor: store.Donor{Kind: "friend"},
		Lines: []store.DonationLine{{Item: soap.ID, Qty: 0}}}); !errors.As(err, &ve) || len(ve.Fields()) != 2 {
		t.Fatalf("a bad donor: %v", err)
	}
	if after := count(); after != before {
		t.Fatalf("a refused donation wrote rows: %v before, %v after", before, after)
	}

	bad[1].BestBefore = e.day(300)
	bad = append(bad[:2], bad[4])
	a, err := e.svc.RecordDonation(ctx, e.manager, e.storeID, e.key(), store.NewDonation{Donor: donor, Lines: bad})
	if err != nil {
		t.Fatal(err)
	}
	if next := strings.TrimSuffix(first.Number, "1") + "2"; a.Number != next {
		t.Fatalf("number %s after %s, want %s", a.Number, first.Number, next)
	}
	if after := count(); after != [3]int{before[0] + 1, before[1] + 3, before[2] + 3} {
		t.Fatalf("rows %v before, %v after", before, after)
	}
	e.consistent()
}
