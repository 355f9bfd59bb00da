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
	step(t, pc, "switch to English", chromedp.Click(chromedp.ID("lang-en")), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #receipt-left`)))
	screenshot(t, pc, "4-receipt-en")
}
