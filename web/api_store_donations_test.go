package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"timebank/pkg/store"
	"timebank/web/problem"
)

// A donation with several bad lines is refused once, naming every line: through the API each line
// with its item, reason and message (the date and the policy's share for short shelf life), in
// Chinese and English; on the intake page beside each row, the clerk's entries kept. Nothing is
// written, and the corrected donation takes the first number.
func TestDonationRefusesEveryBadLine(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	sa := id(w.sa.ID)
	manager, clerk := w.tokens[managerSA], w.tokens[clerkSA]
	var rice, soap store.Item
	storeReq(t, app, manager, "POST", "/api/v1/stores/"+sa+"/items",
		`{"name":"大米 5kg","category":"grain_oil","unit":"袋","price":120}`).ok(t, 201, &rice)
	storeReq(t, app, manager, "POST", "/api/v1/stores/"+sa+"/items", `{"name":"肥皂","category":"daily","unit":"块","price":30}`).ok(t, 201, &soap)

	today := time.Now().In(time.FixedZone("CST", 8*3600))
	short, past, long := today.AddDate(0, 0, 20).Format(time.DateOnly), today.AddDate(0, 0, -2).Format(time.DateOnly),
		today.AddDate(1, 0, 0).Format(time.DateOnly)
	body := func(riceDay, soapDay string, unknown int64) string {
		return fmt.Sprintf(`{"donor":{"kind":"anonymous"},"lines":[{"item":%d,"qty":3,"best_before":"%s"},
			{"item":%d,"qty":1},{"item":%d,"qty":2,"best_before":"%s"},{"item":%d,"qty":5}]}`,
			rice.ID, riceDay, unknown, soap.ID, soapDay, soap.ID)
	}
	for _, c := range []struct{ lang, shelf, past string }{
		{"zh-CN", "保质期至 " + short + "，公益仓规定食品须剩余保质期的 60% 以上或 183 天以上", "已过保质期"},
		{"en", "best before " + short + ", and the store takes food with 60% of its shelf life or 183 days left", "Past its best-before date"},
	} {
		p := storeReq(t, app, clerk, "POST", "/api/v1/stores/"+sa+"/donations", body(short, past, 999999),
			append(idem(), "Accept-Language", c.lang)...).problem(t, 422, "donation-refused")
		if len(p.Lines) != 3 || len(p.Errors) != 3 {
			t.Fatalf("%s: %+v", c.lang, p)
		}
		for i, w := range []problem.LineProblem{
			{Line: 0, Item: rice.ID, Name: "大米 5kg", Field: "best_before", Reason: store.ReasonShelfLife, Message: c.shelf},
			{Line: 1, Item: 999999, Field: "item", Reason: "not_found"},
			{Line: 2, Item: soap.ID, Name: "肥皂", Field: "best_before", Reason: store.ReasonPastDate, Message: c.past},
		} {
			l := p.Lines[i]
			if l.Line != w.Line || l.Item != w.Item || l.Name != w.Name || l.Field != w.Field || l.Reason != w.Reason ||
				l.Message == "" || !strings.Contains(l.Message, w.Message) {
				t.Errorf("%s line %d: %+v, want %+v", c.lang, i, l, w)
			}
			if e := p.Errors[i]; e.Field != fmt.Sprintf("lines[%d].%s", w.Line, w.Field) || e.Reason != w.Reason || e.Message == "" {
				t.Errorf("%s error %d: %+v", c.lang, i, e)
			}
		}
	}
	// Only unknown items: one refusal naming both, as item-not-found.
	p := storeReq(t, app, clerk, "POST", "/api/v1/stores/"+sa+"/donations", fmt.Sprintf(
		`{"donor":{"kind":"anonymous"},"lines":[{"item":999998,"qty":1},{"item":%d,"qty":1},{"item":999999,"qty":1}]}`, soap.ID),
		idem()...).problem(t, 404, "item-not-found")
	if len(p.Lines) != 2 || p.Lines[1].Line != 2 || p.Errors[1].Field != "lines[2].item" {
		t.Fatalf("unknown items: %+v", p)
	}

	// A quantity out of range comes with the refused lines: a malformed request naming both.
	p = storeReq(t, app, clerk, "POST", "/api/v1/stores/"+sa+"/donations", fmt.Sprintf(
		`{"donor":{"kind":"anonymous"},"lines":[{"item":%d,"qty":0},{"item":%d,"qty":1,"best_before":"%s"}]}`, soap.ID, rice.ID, short),
		idem()...).problem(t, 400, "invalid-request")
	if len(p.Errors) != 2 || p.Errors[0].Field != "lines[0].qty" || p.Errors[1].Reason != store.ReasonShelfLife ||
		len(p.Lines) != 2 || !strings.Contains(p.Lines[1].Message, short) {
		t.Fatalf("a malformed line among refused ones: %+v", p)
	}

	// The intake page marks each refused row and keeps what the clerk typed.
	browser := signedInAs(t, app, clerkSA)
	form := browser.get("/stores/" + sa + "/donations/new")
	r := browser.submit("/stores/"+sa+"/donations", url.Values{"key": {valueOf(t, form.body, "key")}, "rows": {"5"},
		"donor_kind": {"resident"}, "donor_name": {"王秀英"},
		"item-0": {id(rice.ID)}, "qty-0": {"3"}, "bb-0": {short},
		"item-1": {id(soap.ID)}, "qty-1": {"7"},
		"item-2": {id(soap.ID)}, "qty-2": {"2"}, "bb-2": {past},
		"item-3": {id(rice.ID)}, "qty-3": {"1"}, "bb-3": {long},
		"item-4": {id(soap.ID)}, "qty-4": {"200000"}})
	want(t, "refused rows", r, 422, `data-testid="error-bb-0"`, "保质期至 "+short, `data-testid="error-bb-2"`, "已过保质期",
		`data-testid="error-qty-4"`, `value="王秀英"`, `value="`+short+`"`, `value="`+past+`"`, `value="7"`, `value="200000"`)
	if strings.Contains(r.body, `data-testid="error-bb-3"`) || strings.Contains(r.body, `data-testid="error-item-1"`) {
		t.Error("a good row marked as refused")
	}

	var n [3]int
	for i, table := range []string{"store_donations", "store_lots", "store_movements"} {
		if err := d.DB.GetContext(ctx, &n[i], `SELECT count(*) FROM `+table); err != nil {
			t.Fatal(err)
		}
	}
	if n != [3]int{} {
		t.Fatalf("refused donations wrote rows (donations, lots, movements): %v", n)
	}
	var ack store.Acknowledgement
	storeReq(t, app, clerk, "POST", "/api/v1/stores/"+sa+"/donations", body(long, long, soap.ID), idem()...).ok(t, 201, &ack)
	if !strings.HasSuffix(ack.Number, "-000001") || len(ack.Lines) != 4 {
		t.Fatalf("the corrected donation: %+v", ack)
	}
}
