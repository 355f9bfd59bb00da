package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/store"
	"timebank/web/api"
)

// storeAidAuthzEntries are the rows of the authorization table for households in hardship and
// their allocations: store managers and administrators at the store, nobody else (not the clerk,
// the counter device or the auditor, who may read the rest of the store).
func storeAidAuthzEntries() map[string]entry {
	managers := with(managerSA, adminA, regionXS)
	row := func(prefix, method, suffix, body string) entry {
		return entry{who: managers,
			in:  func(_ *testing.T, w *world) call { return call{method, prefix + id(w.sa.ID) + suffix, body} },
			out: func(_ *testing.T, w *world) call { return call{method, prefix + id(w.sb.ID) + suffix, body} }}
	}
	const api, page = "/api/v1/stores/", "/stores/"
	return map[string]entry{
		"GET /api/v1/stores/:id/households":                        row(api, "GET", "/households", ""),
		"POST /api/v1/stores/:id/households":                       row(api, "POST", "/households", malformed),
		"POST /api/v1/stores/:id/households/:household/deactivate": row(api, "POST", "/households/999999/deactivate", ""),
		"GET /api/v1/stores/:id/aid":                               row(api, "GET", "/aid", ""),
		"POST /api/v1/stores/:id/aid":                              row(api, "POST", "/aid", malformed),
		"GET /stores/:store/aid":                                   row(page, "GET", "/aid", ""),
		"GET /stores/:store/aid/households/new":                    row(page, "GET", "/aid/households/new", ""),
		"POST /stores/:store/aid/households":                       row(page, "POST", "/aid/households", malformed),
		"POST /stores/:store/aid/households/:household/deactivate": row(page, "POST", "/aid/households/999999/deactivate", ""),
		"GET /stores/:store/aid/new":                               row(page, "GET", "/aid/new", ""),
		"POST /stores/:store/aid":                                  row(page, "POST", "/aid", malformed),
		"GET /stores/:store/aid/:aid":                              row(page, "GET", "/aid/999999", ""),
	}
}

// aidStock gives store SA rice (3 units, two lots) and oil (1 unit) through the service.
func aidStock(t *testing.T, w *world) (rice, oil store.Item) {
	t.Helper()
	ctx := context.Background()
	var err error
	if rice, err = w.d.Store.CreateItem(ctx, storeOperator, w.sa.ID, store.NewItem{Name: "五常大米", Category: "grain_oil", Unit: "袋", Price: 90}); err != nil {
		t.Fatal(err)
	}
	if oil, err = w.d.Store.CreateItem(ctx, storeOperator, w.sa.ID, store.NewItem{Name: "菜籽油", Category: "grain_oil", Unit: "桶", Price: 150}); err != nil {
		t.Fatal(err)
	}
	for _, l := range []store.DonationLine{{Item: rice.ID, Qty: 2, BestBefore: bestBefore(300)}, {Item: rice.ID, Qty: 1, BestBefore: bestBefore(200)},
		{Item: oil.ID, Qty: 1, BestBefore: bestBefore(300)}} {
		if _, err := w.d.Store.RecordDonation(ctx, storeOperator, w.sa.ID, fmt.Sprintf("aid-stock-%d", w.next()),
			store.NewDonation{Donor: store.Donor{Kind: store.DonorAnonymous}, Lines: []store.DonationLine{l}}); err != nil {
			t.Fatal(err)
		}
	}
	return rice, oil
}

// The API of households in hardship: registration needs consent and keeps the name masked, an
// allocation is idempotent and names the item it lacks, the answers are never cached, only
// managers and administrators may call it, and neither the audit log nor the day report tells a
// household's tier or name.
func TestStoreAidAPI(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	sa := "/api/v1/stores/" + id(w.sa.ID)
	manager := w.tokens[managerSA]
	rice, oil := aidStock(t, w)

	// No consent: refused in the caller's language, nothing registered.
	p := storeReq(t, app, manager, "POST", sa+"/households", `{"tier":"tekun","name":"王小芳"}`).problem(t, 400, "invalid-request")
	if len(p.Errors) != 1 || p.Errors[0].Field != "consent" || !strings.Contains(p.Errors[0].Message, "书面同意") {
		t.Fatalf("no consent (zh-CN): %+v", p)
	}
	p = storeReq(t, app, manager, "POST", sa+"/households", `{"tier":"tekun","name":"王小芳","phone":"1234"}`,
		"Accept-Language", "en").problem(t, 400, "invalid-request")
	if len(p.Errors) != 2 || !strings.Contains(p.Title+p.Errors[0].Message+p.Errors[1].Message, "consent") {
		t.Fatalf("no consent (en): %+v", p)
	}
	var h, h2 store.Household
	storeReq(t, app, manager, "POST", sa+"/households", `{"tier":"tekun","name":"王小芳","phone":"13812345678","consent":true}`).ok(t, 201, &h)
	if h.Number != 1 || h.NameMasked != "王*芳" || h.PhoneMasked != "138****5678" || !h.Active {
		t.Fatalf("registered: %+v", h)
	}
	storeReq(t, app, manager, "POST", sa+"/households", `{"tier":"dibao","name":"李四","consent":true}`,
		"Idempotency-Key", "reg-li").ok(t, 201, &h2)
	// The same registration again under its key: the household registered first, not a second one.
	var replayed store.Household
	r := storeReq(t, app, manager, "POST", sa+"/households", `{"tier":"dibao","name":"李四","consent":true}`, "Idempotency-Key", "reg-li")
	r.ok(t, 200, &replayed)
	if replayed.ID != h2.ID || replayed.Number != 2 {
		t.Fatalf("the registration replayed: %+v, first %+v", replayed, h2)
	}
	storeReq(t, app, manager, "POST", sa+"/households", `{"tier":"tekun","name":"李四","consent":true}`,
		"Idempotency-Key", "reg-li").problem(t, 409, "idempotency-conflict")
	list := storeReq(t, app, manager, "GET", sa+"/households", "")
	if list.status != 200 || strings.Contains(string(list.raw), "王小芳") || !strings.Contains(string(list.raw), `"name_masked":"王*芳"`) {
		t.Fatalf("households: %d %s", list.status, list.raw)
	}
	if cc := storeHeader(t, app, manager, "GET", sa+"/households", "Cache-Control"); cc != "no-store" {
		t.Errorf("households Cache-Control %q", cc)
	}

	// An allocation, replayed, and its key reused for another.
	key := idem()
	body := fmt.Sprintf(`{"household":%d,"lines":[{"item":%d,"qty":2}],"note":"春节慰问"}`, h.ID, rice.ID)
	var a, again store.Aid
	storeReq(t, app, manager, "POST", sa+"/aid", body, key...).ok(t, 201, &a)
	if a.HouseholdNumber != 1 || a.NameMasked != "王*芳" || len(a.Lines) != 1 || a.Lines[0].ItemName != "五常大米" || a.Lines[0].Qty != 2 {
		t.Fatalf("allocation: %+v", a)
	}
	storeReq(t, app, manager, "POST", sa+"/aid", body, key...).ok(t, 200, &again)
	if again.ID != a.ID {
		t.Fatalf("replay: %+v", again)
	}
	storeReq(t, app, manager, "POST", sa+"/aid", fmt.Sprintf(`{"household":%d,"lines":[{"item":%d,"qty":1}]}`, h.ID, rice.ID),
		key...).problem(t, 409, "idempotency-conflict")
	storeReq(t, app, manager, "POST", sa+"/aid", body).problem(t, 400, "invalid-request") // no key

	// Out of stock: 409 naming the item, in both languages; nothing taken.
	short := fmt.Sprintf(`{"household":%d,"lines":[{"item":%d,"qty":1},{"item":%d,"qty":2}]}`, h2.ID, rice.ID, oil.ID)
	for lang, msg := range map[string]string{"zh-CN": "库存不足", "en": "Not enough in stock"} {
		p := storeReq(t, app, manager, "POST", sa+"/aid", short, append(idem(), "Accept-Language", lang)...).problem(t, 409, "out-of-stock")
		if len(p.Errors) != 1 || p.Errors[0].Field != "lines[1].qty" || len(p.Lines) != 1 || p.Lines[0].Name != "菜籽油" ||
			!strings.Contains(p.Lines[0].Message, msg) {
			t.Errorf("out of stock (%s): %+v", lang, p)
		}
	}
	if it, _ := d.Store.Item(context.Background(), w.sa.ID, rice.ID); it.OnHand != 1 {
		t.Errorf("rice after the refusals: %+v", it)
	}
	var sbHousehold store.Household
	if sbHousehold, _ = d.Store.RegisterHousehold(context.Background(), storeOperator, w.sb.ID, "",
		store.NewHousehold{Tier: store.TierBianyuan, Name: "钱七", Consent: true}); sbHousehold.ID == 0 {
		t.Fatal("no household at SB")
	}
	storeReq(t, app, manager, "POST", sa+"/aid", fmt.Sprintf(`{"household":%d,"lines":[{"item":%d,"qty":1}]}`, sbHousehold.ID, rice.ID),
		idem()...).problem(t, 404, "household-not-found")
	var off store.Household
	storeReq(t, app, manager, "POST", sa+"/households/"+id(h2.ID)+"/deactivate", "").ok(t, 200, &off)
	if off.Active {
		t.Fatalf("deactivated: %+v", off)
	}
	p = storeReq(t, app, manager, "POST", sa+"/aid", fmt.Sprintf(`{"household":%d,"lines":[{"item":%d,"qty":1}]}`, h2.ID, rice.ID),
		append(idem(), "Accept-Language", "en")...).problem(t, 409, "household-inactive")
	if !strings.Contains(p.Title, "deactivated") {
		t.Errorf("inactive (en): %+v", p)
	}
	storeReq(t, app, manager, "POST", sa+"/households/999999/deactivate", "").problem(t, 404, "household-not-found")
	var page api.StoreAidPage
	storeReq(t, app, manager, "GET", sa+"/aid", "").ok(t, 200, &page)
	if len(page.Allocations) != 1 || page.Allocations[0].ID != a.ID {
		t.Errorf("allocations: %+v", page)
	}

	// Need to know: the clerk, the counter device, the auditor and a volunteer are refused.
	for _, who := range []string{clerkSA, counterSA, auditorHN, volunteer} {
		for _, c := range []struct{ method, path, body string }{{"GET", sa + "/households", ""}, {"GET", sa + "/aid", ""},
			{"POST", sa + "/aid", body}, {"POST", sa + "/households", `{"tier":"dibao","name":"周九","consent":true}`}} {
			if st := storeReq(t, app, w.tokens[who], c.method, c.path, c.body, idem()...).status; st != 403 {
				t.Errorf("%s %s as %s: %d, want 403", c.method, c.path, who, st)
			}
		}
	}
	if st := storeReq(t, app, w.tokens[adminA], "GET", sa+"/aid", "").status; st != 200 {
		t.Errorf("the organization's admin: %d", st)
	}

	// The audit log and the day report name no household's tier or name.
	b := signedInAs(t, app, managerSA)
	for path, must := range map[string]string{"/audit": "store.aid_allocate", "/stores/" + id(w.sa.ID) + "/report": `id="report-allocations">1<`} {
		r := b.get(path)
		want(t, path, r, 200, must)
		for _, secret := range []string{"王*芳", "王小芳", "李*", "特困", "低保", "tekun", "dibao", "138****5678"} {
			if strings.Contains(r.body, secret) {
				t.Errorf("%s shows %q", path, secret)
			}
		}
	}
	want(t, "report units", b.get("/stores/"+id(w.sa.ID)+"/report"), 200, `id="report-units-allocated">2<`)
}

// storeHeader returns a response header of a request as the caller.
func storeHeader(t *testing.T, app *fiber.App, token, method, path, header string) string {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get(header)
}

// The pages of households in hardship, in both languages: the register form requires consent and
// never shows the full name again, an allocation prints its slip, every page is sent no-store, and
// the menu and the hub show them to managers only.
func TestStoreAidPages(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	sa := "/stores/" + id(w.sa.ID)
	rice, _ := aidStock(t, w)
	manager := signedInAs(t, app, managerSA)

	r := manager.get(sa + "/aid/households/new")
	want(t, "register form", r, 200, `id="household-form"`, `name="consent"`, "已取得本人书面同意")
	inputsLabelled(t, "register form", r.body)
	r = manager.submit(sa+"/aid/households", url.Values{"tier": {"tekun"}, "name": {"王小芳"}, "phone": {"13812345678"}})
	want(t, "no consent", r, 422, `data-testid="error-consent"`)
	if strings.Contains(r.body, "王小芳") || strings.Contains(r.body, "13812345678") {
		t.Error("the refused form shows the full name or phone again")
	}
	regKey := valueOf(t, r.body, "key")
	registration := url.Values{"key": {regKey}, "tier": {"tekun"}, "name": {"王小芳"}, "phone": {"13812345678"}, "consent": {"1"}}
	r = manager.submit(sa+"/aid/households", registration)
	want(t, "registered", r, 303)
	// Sent twice (a double click): still one household.
	want(t, "registered twice", manager.submit(sa+"/aid/households", registration), 303)
	if hs, err := d.Store.Households(context.Background(), w.sa.ID, store.HouseholdFilter{}); err != nil || len(hs) != 1 {
		t.Fatalf("households after the form was sent twice: %d %v", len(hs), err)
	}
	list := manager.get(r.location())
	want(t, "households", list, 200, "困难家庭已登记", "困难户 0001", "特困", "王*芳", "138****5678", ">在册<")
	if strings.Contains(list.body, "王小芳") || list.header.Get("Cache-Control") != "no-store" {
		t.Errorf("households page: full name shown or Cache-Control %q", list.header.Get("Cache-Control"))
	}
	hid := regexp.MustCompile(`id="household-(\d+)"`).FindStringSubmatch(list.body)[1]

	form := manager.get(sa + "/aid/new?household=" + hid)
	want(t, "allocation form", form, 200, `id="aid-form"`, "五常大米", `name="qty-`+id(rice.ID)+`"`)
	inputsLabelled(t, "allocation form", form.body)
	key := valueOf(t, form.body, "key")
	r = manager.submit(sa+"/aid", url.Values{"key": {key}, "household": {hid}, "qty-" + id(rice.ID): {"9"}})
	want(t, "too much", r, 409, `data-testid="error-qty-`+id(rice.ID)+`"`, "库存不足")
	r = manager.submit(sa+"/aid", url.Values{"key": {key}, "household": {hid}, "qty-" + id(rice.ID): {"2"}})
	want(t, "allocated", r, 303)
	slip := manager.get(r.location())
	want(t, "slip", slip, 200, "困难家庭物资发放签收单", "困难户 0001 · 王*芳", "五常大米", "2 袋", "领取人签字", "store-print-a5.css")
	if strings.Contains(slip.body, "特困") || slip.header.Get("Cache-Control") != "no-store" {
		t.Errorf("slip: tier shown or Cache-Control %q", slip.header.Get("Cache-Control"))
	}
	again := manager.submit(sa+"/aid", url.Values{"key": {key}, "household": {hid}, "qty-" + id(rice.ID): {"2"}})
	want(t, "a resent form", again, 303)
	if again.location() != r.location() {
		t.Errorf("a resent form made another allocation: %s, %s", again.location(), r.location())
	}
	want(t, "deactivate", manager.submit(sa+"/aid/households/"+hid+"/deactivate", url.Values{}), 303)
	want(t, "after deactivation", manager.get(sa+"/aid"), 200, "已停用")

	// In English.
	want(t, "switching to English", manager.submit("/lang", url.Values{"lang": {"en"}, "next": {"/"}}), 303)
	for path, text := range map[string]string{sa + "/aid": "Goods for households in hardship", sa + "/aid/households/new": "written consent",
		sa + "/aid/new": "Allocate goods", slipPath(r.location()): "Recipient&#39;s signature"} {
		page := manager.get(path)
		want(t, path+" in English", page, 200, text)
		if page.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q", path, page.header.Get("Cache-Control"))
		}
	}

	// The menu: managers see it; the clerk, the auditor and visitors neither see nor open it.
	want(t, "a manager's hub", manager.get("/stores"), 200, `href="`+sa+`/aid"`)
	want(t, "a manager's store menu", manager.get(sa+"/stock"), 200, `id="store-aid"`)
	clerk := signedInAs(t, app, clerkSA)
	for _, path := range []string{"/stores", sa + "/stock", sa} {
		if strings.Contains(clerk.get(path).body, sa+"/aid") {
			t.Errorf("the clerk's %s links to the households", path)
		}
	}
	want(t, "the clerk opens the households", clerk.get(sa+"/aid"), 403)
	want(t, "the auditor opens the households", signedInAs(t, app, auditorHN).get(sa+"/aid"), 403)
	if r := newBrowser(t, app).get(sa); strings.Contains(r.body, "/aid") || strings.Contains(r.body, "王*芳") {
		t.Error("the public catalogue links to the households")
	}
}

// slipPath drops the query of a slip's location.
func slipPath(loc string) string { p, _, _ := strings.Cut(loc, "?"); return p }
