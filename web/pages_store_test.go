package web

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/identity"
	"timebank/pkg/qr"
	"timebank/pkg/store"
)

// The phone numbers newWorld registers its people with, by their place in people.
func worldPhone(who string) string {
	for i, p := range people {
		if p == who {
			return fmt.Sprintf("1380000%04d", i)
		}
	}
	panic("no such person: " + who)
}

// signedInAs signs a browser in as a person of the world, through the log-in page.
func signedInAs(t *testing.T, app *fiber.App, who string) *browser {
	t.Helper()
	b := newBrowser(t, app)
	if r := b.submit("/login", url.Values{"phone": {worldPhone(who)}, "password": {testPassword}}); r.status != 303 {
		t.Fatalf("log-in as %s: %d %s", who, r.status, r.body)
	}
	return b
}

// valueOf returns the value attribute of the first element of the page named name, unescaped.
func valueOf(t *testing.T, body, name string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no field %s on the page", name)
	}
	return html.UnescapeString(m[1])
}

// attrOf returns an attribute of the element with the id.
func attrOf(t *testing.T, body, id, attr string) string {
	t.Helper()
	m := regexp.MustCompile(`<[^>]*\bid="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindString(body)
	a := regexp.MustCompile(`\b` + attr + `="([^"]*)"`).FindStringSubmatch(m)
	if a == nil {
		t.Fatalf("no %s on #%s in the page", attr, id)
	}
	return html.UnescapeString(a[1])
}

// want fails unless the page answered with the status and contains every text.
func want(t *testing.T, what string, r response, status int, texts ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.status, status, r.body)
	}
	for _, s := range texts {
		if !strings.Contains(r.body, s) {
			t.Fatalf("%s: the page lacks %q\n%s", what, s, r.body)
		}
	}
}

// storeItems makes the goods of a store through the service: rice (90 minutes, at most 2 a week)
// and soap (30 minutes).
func storeItems(t *testing.T, d services, storeID int64) (rice, soap store.Item) {
	t.Helper()
	ctx := context.Background()
	var err error
	if rice, err = d.Store.CreateItem(ctx, storeOperator, storeID, store.NewItem{Name: "五常大米", Category: "grain_oil", Unit: "袋",
		Price: 90, LimitQty: 2, LimitPeriod: store.Week}); err != nil {
		t.Fatal(err)
	}
	if soap, err = d.Store.CreateItem(ctx, storeOperator, storeID, store.NewItem{Name: "硫磺皂", Category: "daily", Unit: "块", Price: 30}); err != nil {
		t.Fatal(err)
	}
	return rice, soap
}

// bestBefore is a date far enough ahead for food to pass the condition check.
func bestBefore(days int) string { return time.Now().AddDate(0, 0, days).Format(time.DateOnly) }

// The whole path through the pages: a clerk records a donation on the intake form and prints its
// acknowledgement; a volunteer orders from the catalogue, is refused over a limit beside the item,
// and a double tap places one order; the clerk types the pickup URL into the counter as a scanner
// does and hands out part of it; the code is refused a second time; the receipt, the balance, the
// stock and the day report agree.
func TestStorePagesDonationOrderCounter(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	sa := "/stores/" + id(w.sa.ID)
	rice, soap := storeItems(t, d, w.sa.ID)

	clerk := signedInAs(t, app, clerkSA)
	r := clerk.get(sa + "/donations/new")
	want(t, "intake form", r, 200, `id="donation-form"`, "五常大米 (袋)")
	inputsLabelled(t, "intake form", r.body)
	r = clerk.submit(sa+"/donations", url.Values{"key": {valueOf(t, r.body, "key")}, "rows": {"5"},
		"donor_kind": {"merchant"}, "donor_name": {"硖石超市"}, "donor_phone": {"13812345678"},
		"item-0": {id(rice.ID)}, "qty-0": {"5"}, "bb-0": {bestBefore(300)}, "value-0": {"250"},
		"item-2": {id(soap.ID)}, "qty-2": {"10"}, "value-2": {"35.5"}})
	want(t, "donation", r, 303)
	ack := clerk.get(r.location())
	want(t, "acknowledgement", ack, 200, `id="ack-number"`, fmt.Sprintf("S%d-%d-000001", w.sa.ID, time.Now().Year()),
		"硖石超市", "138****5678", "285.50", "不是公益事业捐赠票据", `id="ack-qr"`, `src="data:image/svg`, "store-print-a5.css")
	if r := clerk.get(r.location() + "&paper=80mm"); !strings.Contains(r.body, "store-print-80mm.css") {
		t.Error("the 80 mm acknowledgement does not use the receipt printer's layout")
	}

	vol, err := d.Users.ByID(ctx, w.users[volunteer])
	if err != nil {
		t.Fatal(err)
	}
	fund(t, d, w.a.AccountCode, vol, 600)
	phone := signedInAs(t, app, volunteer)
	cat := phone.get(sa)
	want(t, "catalogue", cat, 200, "五常大米", `id="qty-`+id(rice.ID)+`"`, `data-minutes="600"`, "1.5")
	inputsLabelled(t, "catalogue", cat.body)
	key := valueOf(t, cat.body, "key")

	// Over the weekly limit: refused beside the rice, nothing ordered.
	r = phone.submit(sa+"/order", url.Values{"key": {key}, "qty-" + id(rice.ID): {"3"}})
	want(t, "over the limit", r, 409, `id="item-`+id(rice.ID)+`-error"`, "超出该物品每人每周期的限兑数量")
	key = valueOf(t, r.body, "key")

	// A double tap: the same form twice is one order.
	order := url.Values{"key": {key}, "qty-" + id(rice.ID): {"2"}, "qty-" + id(soap.ID): {"1"}}
	first := phone.submit(sa+"/order", order)
	second := phone.submit(sa+"/order", order)
	want(t, "order", first, 303)
	if first.location() != second.location() {
		t.Fatalf("a double tap placed two orders: %s and %s", first.location(), second.location())
	}
	if os, _ := d.Store.OrdersOf(ctx, vol.ID, store.OrderFilter{}); len(os) != 1 {
		t.Fatalf("orders after a double tap: %d", len(os))
	}
	page := phone.get(first.location())
	want(t, "order page", page, 200, `id="pickup-qr"`, `data-clear-cart="`+id(w.sa.ID)+`"`, "待领取")
	pickup := attrOf(t, page.body, "pickup-qr", "data-url")
	if !strings.Contains(pickup, "/q/") {
		t.Fatalf("pickup URL %q", pickup)
	}
	if b, _ := d.Ledger.Balance(ctx, vol.AccountCode); b.Pending != 210 || b.Available != 390 {
		t.Fatalf("held for the order: %+v", b)
	}

	// The counter: the scanner types the URL and Enter; the clerk hands out the rice only.
	want(t, "counter", clerk.get(sa+"/counter"), 200, `id="scan-code"`, "autofocus")
	r = clerk.submit(sa+"/counter/scan", url.Values{"code": {pickup + "\r\n"}})
	want(t, "scan", r, 200, `id="fulfil-all"`, identity.MaskName(vol.Name), `name="give-`+id(rice.ID)+`" type="number"`)
	inputsLabelled(t, "counter with an order", r.body)
	// Enter in a quantity field presses the form's first button: it must hand out the quantities
	// as set, never everything.
	form := r.body[strings.Index(r.body, `id="fulfil-form"`):]
	if first := regexp.MustCompile(`<button[^>]*>`).FindString(form); strings.Contains(first, `name="all"`) {
		t.Errorf("the hand-out form's default button hands out everything: %s", first)
	}
	fulfil := attrOf(t, r.body, "fulfil-form", "action")
	r = clerk.submit(fulfil, url.Values{"give-" + id(rice.ID): {"2"}, "give-" + id(soap.ID): {"0"}})
	want(t, "hand-out", r, 303)
	done := clerk.get(r.location())
	want(t, "after the hand-out", done, 200, "outcome-ok", `id="counter-receipt"`, "共 2 件 · 扣除 3 小时")
	want(t, "the same code again", clerk.submit(sa+"/counter/scan", url.Values{"code": {pickup}}), 409, "outcome-fail", "该订单已领取")
	receipt := clerk.get(attrOf(t, done.body, "counter-receipt", "href"))
	want(t, "receipt", receipt, 200, "store-print-80mm.css", `id="receipt-spent">3 `, `id="receipt-left">7 `)

	if b, _ := d.Ledger.Balance(ctx, vol.AccountCode); b.Posted != 420 || b.Pending != 0 {
		t.Fatalf("after handing out the rice only: %+v", b)
	}
	want(t, "the volunteer's order", phone.get(first.location()), 200, "已领取", `id="order-total">3<`)
	manager := signedInAs(t, app, managerSA)
	stock := manager.get(sa + "/stock")
	want(t, "stock", stock, 200, `id="stock-on-hand-`+id(rice.ID)+`" data-testid="stock-on-hand-`+id(rice.ID)+`">3<`,
		`id="stock-on-hand-`+id(soap.ID)+`" data-testid="stock-on-hand-`+id(soap.ID)+`">10<`, `id="writeoff-qty-`)
	want(t, "clerk's stock", clerk.get(sa+"/stock"), 200, "stock-on-hand-")
	if strings.Contains(clerk.get(sa+"/stock").body, `id="writeoff-qty-`) {
		t.Error("a clerk is offered the write-off form")
	}
	want(t, "report", manager.get(sa+"/report"), 200, `id="report-orders">1<`, `id="report-credits">3 `,
		`id="report-donations">1<`, `id="report-units-in">15<`, `id="report-value">285.50<`)
	if disc, err := d.Store.VerifyStock(ctx, w.sa.ID); err != nil || len(disc) > 0 {
		t.Fatalf("stock and journal disagree: %+v %v", disc, err)
	}
}

// A walk-in sale: the member code brings up the member, items are added by name and by number, a
// double confirmation charges once; an expired member code asks for a fresh one. A volunteer
// cancels an order; nobody else sees it; a clerk cannot serve another store's counter.
func TestStorePagesSaleAndCancel(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	sa := "/stores/" + id(w.sa.ID)
	rice, soap := storeItems(t, d, w.sa.ID)
	if _, err := d.Store.RecordDonation(ctx, storeOperator, w.sa.ID, "stock", store.NewDonation{Donor: store.Donor{Kind: store.DonorAnonymous},
		Lines: []store.DonationLine{{Item: rice.ID, Qty: 5, BestBefore: bestBefore(300)}, {Item: soap.ID, Qty: 5}}}); err != nil {
		t.Fatal(err)
	}
	vol, _ := d.Users.ByID(ctx, w.users[volunteer])
	fund(t, d, w.a.AccountCode, vol, 300)
	codes, err := qr.NewSignerFromSecret([]byte(d.Config.Secret))
	if err != nil {
		t.Fatal(err)
	}
	code, _, err := codes.MemberCode(vol.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	memberURL := qr.URL(d.Config.BaseURL, code)

	clerk := signedInAs(t, app, clerkSA)
	r := clerk.submit(sa+"/counter/scan", url.Values{"code": {memberURL}})
	want(t, "member scan", r, 200, `id="sale-member"`, identity.MaskName(vol.Name), `id="sale-available">5<`)
	sale := url.Values{"member": {valueOf(t, r.body, "member")}, "key": {valueOf(t, r.body, "key")}}
	add := func(find string) response {
		v := url.Values{"find": {find}, "op": {"find"}}
		for k, vs := range sale {
			v[k] = vs
		}
		return clerk.submit(sa+"/counter/sale", v)
	}
	inputsLabelled(t, "counter with a sale", r.body)
	r = add("硫磺")
	want(t, "add by name", r, 200, `name="qty-`+id(soap.ID)+`" type="number" inputmode="numeric" min="0" value="1"`)
	sale.Set("qty-"+id(soap.ID), "1")
	r = add(id(rice.ID))
	want(t, "add by number", r, 200, `name="qty-`+id(rice.ID)+`" type="number" inputmode="numeric" min="0" value="1"`, "2 ") // 1.5 + 0.5 hours
	want(t, "no match", add("不存在的东西"), 200, "没有找到匹配的物品")
	// The quantity typed after the total was shown: the new total is shown, and nothing is charged.
	sale.Set("qty-"+id(rice.ID), "3")
	sale.Set("shown", "120")
	sale.Set("op", "confirm")
	want(t, "a changed quantity", clerk.submit(sa+"/counter/sale", sale), 409, "合计已按新的数量更新",
		`id="sale-total" data-minutes="300"`, `name="shown" id="sale-shown" value="300"`)
	if b, _ := d.Ledger.Balance(ctx, vol.AccountCode); b.Posted != 300 {
		t.Fatalf("charged without the total being shown: %+v", b)
	}
	sale.Set("qty-"+id(rice.ID), "1")
	first := clerk.submit(sa+"/counter/sale", sale)
	second := clerk.submit(sa+"/counter/sale", sale)
	want(t, "sale", first, 303)
	if first.location() != second.location() {
		t.Fatalf("a double click made two sales: %s, %s", first.location(), second.location())
	}
	want(t, "after the sale", clerk.get(first.location()), 200, "outcome-ok", "现场兑换")
	if b, _ := d.Ledger.Balance(ctx, vol.AccountCode); b.Posted != 180 {
		t.Fatalf("balance after a 2-hour sale: %+v", b)
	}
	// The receipt shows what was left right after the sale, also when reprinted after more credits.
	receipt := sa + "/receipts/" + strings.TrimPrefix(first.location(), sa+"/counter?done=")
	want(t, "receipt", clerk.get(receipt), 200, `id="receipt-left">3 `)
	fund(t, d, w.a.AccountCode, vol, 60)
	want(t, "receipt reprinted", clerk.get(receipt), 200, `id="receipt-left">3 `)
	// The spent member code: the sale cannot be paid with it again.
	sale.Set("key", "another-sale")
	want(t, "spent member code", clerk.submit(sa+"/counter/sale", sale), 409, "outcome-fail", "已经用过")

	// An order cancelled by the volunteer releases its hold; another person does not see it.
	phone := signedInAs(t, app, volunteer)
	cat := phone.get(sa)
	r = phone.submit(sa+"/order", url.Values{"key": {valueOf(t, cat.body, "key")}, "qty-" + id(soap.ID): {"2"}})
	want(t, "order", r, 303)
	orderPath := strings.SplitN(r.location(), "?", 2)[0]
	if got := newBrowser(t, app).get(orderPath); got.status != 303 || !strings.HasPrefix(got.location(), "/login?next=") {
		t.Fatalf("a visitor opening an order: %d %s", got.status, got.location())
	}
	if got := signedInAs(t, app, coordA).get(orderPath); got.status != 404 {
		t.Fatalf("another person opening the order: %d", got.status)
	}
	want(t, "cancel", phone.submit(orderPath+"/cancel", url.Values{}), 303)
	want(t, "cancelled", phone.get(orderPath), 200, "已取消")
	if b, _ := d.Ledger.Balance(ctx, vol.AccountCode); b.Pending != 0 || b.Available != 240 {
		t.Fatalf("balance after the cancellation: %+v", b)
	}
	want(t, "my orders", phone.get("/me/orders"), 200, "已取消", "现场兑换")

	// The counter of another store is not this clerk's.
	if got := clerk.submit("/stores/"+id(w.sb.ID)+"/counter/scan", url.Values{"code": {memberURL}}); got.status != 403 {
		t.Fatalf("a clerk scanning at another store's counter: %d", got.status)
	}
	if got := phone.get(sa + "/counter"); got.status != 403 {
		t.Fatalf("a volunteer opening the counter: %d", got.status)
	}
}
