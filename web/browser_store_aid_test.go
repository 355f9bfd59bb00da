package web

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"timebank/pkg/store"
)

// evalIn runs a JavaScript expression in the page, awaiting it when it is a promise, and returns
// its value.
func evalIn[T any](t *testing.T, ctx context.Context, what, expression string) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[T](expression, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("browser: %s: %v", what, err)
	}
	return v
}

// ledgerCounts is how many ledger transactions and postings there are.
func ledgerCounts(t *testing.T, d services) (txs, postings int) {
	t.Helper()
	if err := d.DB.Get(&txs, `SELECT count(*) FROM ledger_transactions`); err != nil {
		t.Fatal(err)
	}
	if err := d.DB.Get(&postings, `SELECT count(*) FROM ledger_postings`); err != nil {
		t.Fatal(err)
	}
	return txs, postings
}

// Goods for a household in hardship in a real browser: the store manager opens 困难家庭 from the
// store's menu and registers a household; sent without consent, the form says so beside the
// checkbox and does not show the name typed again; with consent, the list shows the household by
// number and masked name only. The manager allocates soap to it from its row, submitting with
// Enter, and lands on the slip to sign (number, masked name, goods, signature line). The soap left
// the shelf as an allocated movement of the journal and no credits moved. The clerk of the same
// store sees no 困难家庭 in the menu and is refused the page. Screenshots of each screen are saved.
func TestBrowserStoreAid(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d := browserApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	rice, soap := storeItems(t, d, w.sa.ID)
	for _, l := range []store.DonationLine{{Item: rice.ID, Qty: 5, BestBefore: bestBefore(300)}, {Item: soap.ID, Qty: 10}} {
		if _, err := d.Store.RecordDonation(ctx, storeOperator, w.sa.ID, fmt.Sprintf("aid-browser-%d", w.next()),
			store.NewDonation{Donor: store.Donor{Kind: store.DonorAnonymous}, Lines: []store.DonationLine{l}}); err != nil {
			t.Fatal(err)
		}
	}
	soapBefore, err := d.Store.Item(ctx, w.sa.ID, soap.ID)
	if err != nil || soapBefore.OnHand != 10 || soapBefore.Available != 10 {
		t.Fatalf("soap before: %+v %v", soapBefore, err)
	}
	sa := base + "/stores/" + id(w.sa.ID)
	const fullName, fullPhone, masked, maskedPhone = "王小芳", "13812345678", "王*芳", "138****5678"
	// shownAnywhere is true when the page shows or holds the text: in its markup, its visible text or
	// a field's value.
	shownAnywhere := func(s string) string {
		return `(function (s) {
			if (document.documentElement.outerHTML.indexOf(s) >= 0 || document.body.innerText.indexOf(s) >= 0) return true;
			return Array.prototype.some.call(document.querySelectorAll('input, textarea, select'), function (e) { return e.value.indexOf(s) >= 0; });
		})('` + s + `')`
	}

	// The manager reaches the households from the store's menu.
	pc := newChrome(t)
	signInWith(t, pc, base, worldPhone(managerSA), testPassword)
	visit(t, pc, sa+"/stock")
	if got := textOf(t, pc, "store-aid"); got != "困难家庭" {
		t.Fatalf("the store menu's link: %q", got)
	}
	submitAndWait(t, pc, "store-aid", "household-new")
	if got := textOf(t, pc, "page-title"); !strings.Contains(got, "困难家庭物资发放") {
		t.Errorf("the households page's title: %q", got)
	}
	if got := attrAt(t, pc, "#store-aid", "aria-current"); got != "page" {
		t.Errorf("the menu marks the households page %q", got)
	}
	textOf(t, pc, "households-empty")
	submitAndWait(t, pc, "household-new", "household-form")

	// Without consent: refused beside the checkbox, the name and phone typed gone.
	step(t, pc, "choose the tier", chromedp.SetValue(chromedp.ID("f-tier"), store.TierTekun))
	fill(t, pc, "f-name", fullName, "f-phone", fullPhone)
	// The look-out below sees a name in a field: it would see one shown again.
	if !evalIn[bool](t, pc, "look for the name typed", shownAnywhere(fullName)) {
		t.Fatal("the look-out for the full name does not see the name typed into the form")
	}
	screenshot(t, pc, "registration-form")
	submitAndWait(t, pc, "household-submit", "f-consent-error")
	if got := textOf(t, pc, "f-consent-error"); !strings.Contains(got, "书面同意") {
		t.Errorf("the consent error: %q", got)
	}
	if got := attrAt(t, pc, "#f-consent", "aria-invalid"); got != "true" {
		t.Errorf("the consent checkbox's aria-invalid: %q", got)
	}
	if evalIn[bool](t, pc, "look for the full name", shownAnywhere(fullName)) {
		t.Errorf("the refused form shows the full name %s again", fullName)
	}
	if evalIn[bool](t, pc, "look for the full phone", shownAnywhere(fullPhone)) {
		t.Errorf("the refused form shows the full phone %s again", fullPhone)
	}
	if n, err := d.Store.Households(ctx, w.sa.ID, store.HouseholdFilter{}); err != nil || len(n) != 0 {
		t.Fatalf("a refused registration registered %d households (%v)", len(n), err)
	}
	screenshot(t, pc, "registration-without-consent")

	// With consent: registered, listed by number and masked name.
	step(t, pc, "choose the tier again", chromedp.SetValue(chromedp.ID("f-tier"), store.TierTekun))
	fill(t, pc, "f-name", fullName, "f-phone", fullPhone)
	step(t, pc, "tick the consent", chromedp.Click(chromedp.ID("f-consent")))
	submitAndWait(t, pc, "household-submit", "aid-done")
	hs, err := d.Store.Households(ctx, w.sa.ID, store.HouseholdFilter{})
	if err != nil || len(hs) != 1 {
		t.Fatalf("households after the registration: %+v %v", hs, err)
	}
	h := hs[0]
	if h.No() != "0001" || h.NameMasked != masked || h.PhoneMasked != maskedPhone || h.Tier != store.TierTekun {
		t.Fatalf("the household registered: %+v", h)
	}
	row := textOf(t, pc, "household-"+id(h.ID))
	for _, want := range []string{"困难户 0001", "特困", masked, maskedPhone} {
		if !strings.Contains(row, want) {
			t.Errorf("the household's row %q lacks %q", row, want)
		}
	}
	if evalIn[bool](t, pc, "look for the full name", shownAnywhere(fullName)) || evalIn[bool](t, pc, "look for the full phone", shownAnywhere(fullPhone)) {
		t.Errorf("the households page shows the full name or phone: row %q", row)
	}
	screenshot(t, pc, "households")

	// The allocation, from the household's row, sent with Enter from the quantity.
	submitAndWait(t, pc, "household-allocate-"+id(h.ID), "aid-form")
	if got := evalIn[string](t, pc, "read the household chosen", `document.getElementById('f-household').value`); got != id(h.ID) {
		t.Errorf("the form has household %q chosen, want %d", got, h.ID)
	}
	if evalIn[bool](t, pc, "look for the full name", shownAnywhere(fullName)) {
		t.Errorf("the allocation form shows the full name")
	}
	txs, postings := ledgerCounts(t, d)
	qty := "aid-qty-" + id(soap.ID)
	fill(t, pc, qty, "3")
	waitFor(t, pc, "the quantity has the focus", `document.activeElement && document.activeElement.id === '`+qty+`'`)
	screenshot(t, pc, "allocation-form")
	step(t, pc, "send the allocation with Enter", chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.ID("aid-slip")))

	// The slip: household number and masked name, the soap and its quantity, a line to sign.
	where := evalIn[string](t, pc, "read the address", `location.pathname + location.search`)
	m := regexp.MustCompile(`^/stores/` + id(w.sa.ID) + `/aid/(\d+)\?new=1$`).FindStringSubmatch(where)
	if m == nil {
		t.Fatalf("the allocation led to %q, not its slip", where)
	}
	aidRef := "aid:" + m[1]
	textOf(t, pc, "aid-recorded")
	if got := textOf(t, pc, "page-title"); got != "困难家庭物资发放签收单" {
		t.Errorf("the slip's heading: %q", got)
	}
	if got := textOf(t, pc, "slip-household"); got != "困难户 0001 · "+masked {
		t.Errorf("the slip's household: %q", got)
	}
	lines := textOf(t, pc, "slip-lines")
	if !strings.Contains(lines, "硫磺皂") || !strings.Contains(lines, "3 块") || strings.Contains(lines, "五常大米") {
		t.Errorf("the slip's goods: %q", lines)
	}
	if got := textOf(t, pc, "slip-units"); got != "3" {
		t.Errorf("the slip's total: %q", got)
	}
	if got := textOf(t, pc, "slip-signature"); !strings.Contains(got, "领取人签字") || !strings.Contains(got, "____") {
		t.Errorf("the slip's signature line: %q", got)
	}
	if evalIn[bool](t, pc, "look for the full name", shownAnywhere(fullName)) {
		t.Errorf("the slip shows the full name")
	}
	screenshot(t, pc, "slip")

	// The books: 3 soaps left the shelf as allocated movements of this allocation; no credits moved.
	soapAfter, err := d.Store.Item(ctx, w.sa.ID, soap.ID)
	if err != nil || soapAfter.OnHand != soapBefore.OnHand-3 || soapAfter.Available != soapBefore.Available-3 {
		t.Errorf("soap after the allocation: %+v (before %+v) %v", soapAfter, soapBefore, err)
	}
	if r, err := d.Store.Item(ctx, w.sa.ID, rice.ID); err != nil || r.OnHand != 5 {
		t.Errorf("rice, not allocated, after: %+v %v", r, err)
	}
	journal, err := d.Store.Journal(ctx, w.sa.ID, store.JournalFilter{ItemID: soap.ID})
	if err != nil {
		t.Fatal(err)
	}
	allocated := 0
	for _, mv := range journal {
		if mv.Kind == store.MoveAllocated {
			if mv.Ref != aidRef {
				t.Errorf("an allocated movement for %s, want %s: %+v", mv.Ref, aidRef, mv)
			}
			allocated -= mv.OnHandDelta
		}
	}
	if allocated != 3 {
		t.Errorf("the journal has %d soaps allocated, want 3: %+v", allocated, journal)
	}
	if t2, p2 := ledgerCounts(t, d); t2 != txs || p2 != postings {
		t.Errorf("the allocation moved credits: ledger transactions %d → %d, postings %d → %d", txs, t2, postings, p2)
	}

	// The clerk of the same store: no 困难家庭 in the menu, and the page refused.
	tab := newTab(t, pc)
	signInWith(t, tab, base, worldPhone(clerkSA), testPassword)
	visit(t, tab, sa+"/stock")
	textOf(t, tab, "store-stock") // the clerk has the store's menu, only without the households
	if evalIn[bool](t, tab, "look for the households link", `document.getElementById('store-aid') !== null || document.querySelector('a[href$="/aid"]') !== null`) {
		t.Errorf("the clerk's store menu links the households")
	}
	visit(t, tab, sa+"/aid")
	if got := textOf(t, tab, "page-title"); strings.Contains(got, "困难家庭") {
		t.Errorf("the clerk sees the households page: %q", got)
	}
	if body := evalIn[string](t, tab, "read the page", `document.body.innerText`); !strings.Contains(body, "状态码 403") ||
		strings.Contains(body, "困难户") || strings.Contains(body, masked) {
		t.Errorf("the clerk's page at /aid:\n%s", body)
	}
	if got := evalIn[int](t, tab, "fetch the households page", `fetch('/stores/`+id(w.sa.ID)+`/aid', {credentials: 'same-origin'}).then(function (r) { return r.status; })`); got != 403 {
		t.Errorf("the households page answers the clerk %d, want 403", got)
	}
	screenshot(t, tab, "clerk-refused")
}
