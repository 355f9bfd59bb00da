package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"timebank/pkg/store"
)

// attrAt returns an attribute of the first element the CSS selector finds.
func attrAt(t *testing.T, ctx context.Context, css, name string) string {
	t.Helper()
	step(t, ctx, "wait for "+css, chromedp.WaitReady(chromedp.CSS(css)))
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	a, err := chromedp.Run(sctx, chromedp.AttributeValue(chromedp.CSS(css), name))
	if err != nil || !a.Exists {
		t.Fatalf("browser: %s of %s: %v", name, css, err)
	}
	return a.Value
}

// script runs JavaScript in the page, as a step.
func script(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool]("(function () { "+js+"; return true; })()")(ctx, t)
		return err
	})
}

// The charity supermarket in real browsers: the clerk records a donation at the counter PC and the
// stock appears; a volunteer, on a phone in a browser of their own, fills the cart with the + buttons
// and double-taps the order button (one order); the clerk's scanner types the pickup URL into the
// counter's field, Enter brings up the order and Enter hands it out; the volunteer's order page
// sees it by itself, the balance has moved from held to spent, and the stock page shows the goods
// gone. Screenshots of each screen are saved.
func TestBrowserStoreRedeem(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d := browserApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	rice, soap := storeItems(t, d, w.sa.ID)
	vol, err := d.Users.ByID(ctx, w.users[volunteer])
	if err != nil {
		t.Fatal(err)
	}
	fund(t, d, w.a.AccountCode, vol, 600)
	sa := base + "/stores/" + id(w.sa.ID)
	riceOnHand, soapOnHand := "stock-on-hand-"+id(rice.ID), "stock-on-hand-"+id(soap.ID)

	// The clerk records a donation; the acknowledgement is ready to print and the stock is in.
	pc := newChrome(t)
	signInWith(t, pc, base, worldPhone(clerkSA), testPassword)
	visit(t, pc, sa+"/donations/new")
	step(t, pc, "choose the donor and the goods",
		chromedp.Click(chromedp.ID("donor-kind-merchant")),
		chromedp.SetValue(chromedp.ID("f-item-0"), id(rice.ID)),
		chromedp.SetValue(chromedp.ID("f-bb-0"), bestBefore(300)),
		chromedp.SetValue(chromedp.ID("f-item-1"), id(soap.ID)))
	fill(t, pc, "f-donor_name", "硖石超市", "f-qty-0", "5", "f-value-0", "250", "f-qty-1", "10")
	screenshot(t, pc, "donation-form")
	submitAndWait(t, pc, "donation-submit", "ack-number")
	if got, want := textOf(t, pc, "ack-number"), fmt.Sprintf("S%d-%d-000001", w.sa.ID, time.Now().Year()); got != want {
		t.Errorf("acknowledgement number %q, want %q", got, want)
	}
	if got := textOf(t, pc, "ack-statement"); !strings.Contains(got, "不是公益事业捐赠票据") {
		t.Errorf("the acknowledgement's statement: %q", got)
	}
	screenshot(t, pc, "acknowledgement")
	visit(t, pc, sa+"/stock")
	if r, s := textOf(t, pc, riceOnHand), textOf(t, pc, soapOnHand); r != "5" || s != "10" {
		t.Fatalf("stock after the donation: rice %s, soap %s", r, s)
	}
	screenshot(t, pc, "stock-after-donation")

	// The volunteer fills the cart on the phone and double-taps the order button.
	tab := newTab(t, pc)
	phone(t, tab)
	signInWith(t, tab, base, worldPhone(volunteer), testPassword)
	visit(t, tab, sa)
	plus := func(item int64) chromedp.Action[chromedp.Void] {
		// Centred first, as a thumb scrolls it: at the screen's edge the cart bar would take the tap.
		sel := fmt.Sprintf("#item-%d .stepper button:last-child", item)
		return chromedp.Steps(script(`document.querySelector('`+sel+`').scrollIntoView({block: 'center'})`),
			chromedp.Click(chromedp.CSS(sel)))
	}
	step(t, tab, "fill the cart", plus(rice.ID), plus(rice.ID), plus(soap.ID))
	waitFor(t, tab, "the cart's total", `document.getElementById('cart-sum').textContent.indexOf('3.5') >= 0`)
	screenshot(t, tab, "catalogue")
	step(t, tab, "double-tap the order button",
		script(`var b = document.getElementById('cart-submit'); b.click(); b.click()`),
		chromedp.WaitVisible(chromedp.ID("pickup-qr")))
	screenshot(t, tab, "order-with-pickup-code")
	pickup := attrAt(t, tab, "#pickup-qr", "data-url")
	orders, err := d.Store.OrdersOf(ctx, vol.ID, store.OrderFilter{})
	if err != nil || len(orders) != 1 {
		t.Fatalf("orders after a double tap: %d %v", len(orders), err)
	}

	// The scanner types the URL and Enter into the focused field; Enter again hands the order out.
	visit(t, pc, sa+"/counter")
	waitFor(t, pc, "the scan field has the focus", `document.activeElement && document.activeElement.id === 'scan-code'`)
	step(t, pc, "scan the pickup code", chromedp.KeyEvent(pickup+"\r"), chromedp.WaitVisible(chromedp.ID("fulfil-all")))
	waitFor(t, pc, "the hand-out button has the focus", `document.activeElement && document.activeElement.id === 'fulfil-all'`)
	screenshot(t, pc, "counter-order")
	step(t, pc, "confirm the hand-out with Enter", chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.ID("counter-done")))
	waitFor(t, pc, "the counter is green", `document.getElementById('counter-root').classList.contains('outcome-ok')`)
	waitFor(t, pc, "the scan field has the focus again", `document.activeElement && document.activeElement.id === 'scan-code'`)
	screenshot(t, pc, "counter-handed-out")
	step(t, pc, "scan the same code again", chromedp.KeyEvent(pickup+"\r"))
	waitFor(t, pc, "the counter is red", `document.getElementById('counter-root').classList.contains('outcome-fail')`)
	screenshot(t, pc, "counter-refused")
	visit(t, pc, sa+"/receipts/"+id(orders[0].ID))
	if got := textOf(t, pc, "receipt-spent"); !strings.HasPrefix(got, "3.5") {
		t.Errorf("the receipt's credits spent: %q", got)
	}
	screenshot(t, pc, "receipt")

	// The volunteer's order page notices by itself; the balance went from held to spent.
	// The page reloads itself when its order changes: waiting for an element survives the reload.
	step(t, tab, "the order page shows the order picked up", chromedp.WaitVisible(chromedp.CSS(`#order-status[data-status="fulfilled"]`)))
	screenshot(t, tab, "order-picked-up")
	visit(t, tab, base+"/me/balance")
	if a, p := textOf(t, tab, "balance-available"), textOf(t, tab, "balance-pending"); a != "6.5" || p != "0" {
		t.Errorf("the volunteer's balance: available %s, pending %s; want 6.5 and 0", a, p)
	}
	screenshot(t, tab, "balance")

	// The store's stock page shows what left the shelf.
	visit(t, pc, sa+"/stock")
	if r, s := textOf(t, pc, riceOnHand), textOf(t, pc, soapOnHand); r != "3" || s != "9" {
		t.Errorf("stock after the hand-out: rice %s, soap %s; want 3 and 9", r, s)
	}
	screenshot(t, pc, "stock-after-hand-out")
}
