package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"timebank/pkg/qr"
	"timebank/pkg/store"
)

// A walk-in sale at the counter PC: the scanner reads the member's code, the clerk types two item
// numbers, then changes the soap's quantity by hand. The subtotal and the total on the confirm button follow
// at once, and the sale charges exactly the total shown. The receipt keeps what was left after it.
func TestBrowserWalkInTotal(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d := browserApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	rice, soap := storeItems(t, d, w.sa.ID) // 1.5 and 0.5 hours
	if _, err := d.Store.RecordDonation(ctx, storeOperator, w.sa.ID, "stock", store.NewDonation{Donor: store.Donor{Kind: store.DonorAnonymous},
		Lines: []store.DonationLine{{Item: rice.ID, Qty: 5, BestBefore: bestBefore(300)}, {Item: soap.ID, Qty: 5}}}); err != nil {
		t.Fatal(err)
	}
	vol, err := d.Users.ByID(ctx, w.users[volunteer])
	if err != nil {
		t.Fatal(err)
	}
	fund(t, d, w.a.AccountCode, vol, 600)
	codes, err := qr.NewSignerFromSecret([]byte(d.Config.Secret))
	if err != nil {
		t.Fatal(err)
	}
	code, _, err := codes.MemberCode(vol.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sa := base + "/stores/" + id(w.sa.ID)

	pc := newChrome(t)
	signInWith(t, pc, base, worldPhone(clerkSA), testPassword)
	visit(t, pc, sa+"/counter")
	waitFor(t, pc, "the scan field has the focus", `document.activeElement && document.activeElement.id === 'scan-code'`)
	step(t, pc, "scan the member code", chromedp.KeyEvent(qr.URL(d.Config.BaseURL, code)+"\r"), chromedp.WaitVisible(chromedp.ID("sale-find")))
	riceQty, soapQty := "sale-qty-"+id(rice.ID), "sale-qty-"+id(soap.ID)
	step(t, pc, "type the rice's number", chromedp.SendKeys(chromedp.ID("sale-find"), id(rice.ID)+"\r"), chromedp.WaitVisible(chromedp.ID(riceQty)))
	step(t, pc, "type the soap's number", chromedp.SendKeys(chromedp.ID("sale-find"), id(soap.ID)+"\r"), chromedp.WaitVisible(chromedp.ID(soapQty)))
	if got := textOf(t, pc, "sale-total"); got != "2" {
		t.Fatalf("the total of one rice and one soap: %q", got)
	}
	screenshot(t, pc, "1-two-items")

	fill(t, pc, soapQty, "3")
	waitFor(t, pc, "the total follows the quantity", `document.getElementById('sale-total').textContent === '3'`)
	screenshot(t, pc, "2-quantity-changed")
	step(t, pc, "confirm", chromedp.Click(chromedp.ID("sale-confirm")), chromedp.WaitVisible(chromedp.ID("counter-done")))
	if b, _ := d.Ledger.Balance(ctx, vol.AccountCode); b.Posted != 420 {
		t.Fatalf("charged %d minutes, want the 3 hours shown", 600-b.Posted)
	}
	screenshot(t, pc, "3-sold")

	orders, err := d.Store.OrdersOf(ctx, vol.ID, store.OrderFilter{})
	if err != nil || len(orders) != 1 {
		t.Fatalf("orders: %d %v", len(orders), err)
	}
	fund(t, d, w.a.AccountCode, vol, 120)
	visit(t, pc, sa+"/receipts/"+id(orders[0].ID))
	if got := textOf(t, pc, "receipt-left"); !strings.HasPrefix(got, "7 ") {
		t.Errorf("the receipt's balance left: %q, want the 7 hours left after the sale", got)
	}
	step(t, pc, "switch to English", inMenu("lang-en"), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #receipt-left`)))
	screenshot(t, pc, "4-receipt-en")
}

// The catalogue on a phone, for a volunteer who has taken this week's rice: the rice says the
// limit is reached and cannot be added, the oil says the stars it needs, and a screen holds at
// least three items. In both languages.
func TestBrowserCatalogueAllowance(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d := browserApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	rice, soap := storeItems(t, d, w.sa.ID)
	oil, err := d.Store.CreateItem(ctx, storeOperator, w.sa.ID, store.NewItem{Name: "花生油", Category: "grain_oil", Unit: "桶",
		Price: 120, MinStars: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Store.RecordDonation(ctx, storeOperator, w.sa.ID, "stock", store.NewDonation{Donor: store.Donor{Kind: store.DonorAnonymous},
		Lines: []store.DonationLine{{Item: rice.ID, Qty: 5, BestBefore: bestBefore(300)}, {Item: soap.ID, Qty: 5},
			{Item: oil.ID, Qty: 5, BestBefore: bestBefore(300)}}}); err != nil {
		t.Fatal(err)
	}
	vol, _ := d.Users.ByID(ctx, w.users[volunteer])
	fund(t, d, w.a.AccountCode, vol, 600)

	tab := newChrome(t)
	phone(t, tab)
	signInWith(t, tab, base, worldPhone(volunteer), testPassword)
	sa := base + "/stores/" + id(w.sa.ID)
	visit(t, tab, sa)
	step(t, tab, "take this week's rice", script(`var q = document.getElementById('qty-`+id(rice.ID)+`'); q.value = '2';`+
		`q.dispatchEvent(new Event('input', {bubbles: true})); document.getElementById('cart-submit').click()`),
		chromedp.WaitVisible(chromedp.ID("pickup-qr")))
	visit(t, tab, sa)
	if got := textOf(t, tab, "item-"+id(rice.ID)+"-left"); got != "本期您已达兑换上限" {
		t.Errorf("the rice after this week's two: %q", got)
	}
	if got := textOf(t, tab, "item-"+id(oil.ID)+"-left"); !strings.Contains(got, "需 1 星级志愿者") {
		t.Errorf("the oil: %q", got)
	}
	if n := evalNumber(t, tab, "items per screen", `Math.floor(window.innerHeight / document.querySelector('.good').getBoundingClientRect().height)`); n < 3 {
		t.Errorf("a phone's screen holds %v items of the catalogue, want at least 3", n)
	}
	screenshot(t, tab, "zh")
	step(t, tab, "switch to English", inMenu("lang-en"), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #catalog-items`)))
	if got := textOf(t, tab, "item-"+id(rice.ID)+"-left"); got != "You have reached this period's limit" {
		t.Errorf("the rice in English: %q", got)
	}
	screenshot(t, tab, "en")
}
