package web

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"timebank/pkg/access"
	"timebank/pkg/identity"
	who "timebank/pkg/principal"
	"timebank/pkg/store"
)

// The manager's forms: items created and changed with their errors shown beside the fields, a
// donation row refused by the condition check, write-offs and counts with their refusals, and the
// pages in English.
func TestStorePagesManagerForms(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	sa := "/stores/" + id(w.sa.ID)
	manager := signedInAs(t, app, managerSA)

	want(t, "new item form", manager.get(sa+"/items/new"), 200, `id="item-form"`, `<option value="grain_oil"`)
	r := manager.submit(sa+"/items", url.Values{"name": {""}, "category": {"grain_oil"}, "unit": {"袋"}, "price": {"九十"}})
	want(t, "a bad item", r, 422, `data-testid="error-name"`, `data-testid="error-price"`)
	r = manager.submit(sa+"/items", url.Values{"name": {"菜籽油"}, "category": {"grain_oil"}, "unit": {"桶"}, "price": {"0.33"}})
	want(t, "a price of no whole minutes", r, 422, `data-testid="error-price"`, "须为整分钟", `value="0.33"`)
	r = manager.submit(sa+"/items", url.Values{"name": {"菜籽油"}, "category": {"grain_oil"}, "unit": {"桶"}, "price": {"2"},
		"limit_qty": {"1"}, "limit_period": {"month"}, "min_stars": {"0"}, "low_stock": {"3"}, "active": {"1"}})
	want(t, "item", r, 303)
	items, err := d.Store.Items(ctx, w.sa.ID, store.ItemFilter{})
	if err != nil || len(items) != 1 || items[0].Price != 120 || items[0].LimitPeriod != store.Month || !items[0].Active {
		t.Fatalf("the item created: %+v %v", items, err)
	}
	oil := items[0]
	want(t, "items", manager.get(r.location()), 200, "菜籽油", "每人每月限 1桶", "物品已保存")
	edit := manager.get(sa + "/items/" + id(oil.ID))
	want(t, "edit form", edit, 200, `value="菜籽油"`, `data-testid="field-price" value="2" inputmode="decimal"`)
	inputsLabelled(t, "item form", edit.body)
	r = manager.submit(sa+"/items/"+id(oil.ID), url.Values{"name": {"菜籽油"}, "category": {"grain_oil"}, "unit": {"桶"}, "price": {"2.5"},
		"limit_qty": {"0"}, "limit_period": {"month"}, "min_stars": {"2"}})
	want(t, "item changed", r, 303)
	if it, _ := d.Store.Item(ctx, w.sa.ID, oil.ID); it.Price != 150 || it.LimitQty != 0 || it.MinStars != 2 || it.Active {
		t.Fatalf("the item changed: %+v", it)
	}
	// Offered again, warning at 3: the stock page below flags it once a count leaves 2.
	if _, err := d.Store.UpdateItem(ctx, storeOperator, w.sa.ID, oil.ID, store.NewItem{Name: "菜籽油", Category: "grain_oil", Unit: "桶",
		Price: 150, LowStock: 3}); err != nil {
		t.Fatal(err)
	}

	// Food with too little shelf life: refused beside its row, the donor's entries kept.
	form := manager.get(sa + "/donations/new")
	r = manager.submit(sa+"/donations", url.Values{"key": {valueOf(t, form.body, "key")}, "rows": {"3"}, "donor_kind": {"resident"},
		"donor_name": {"王秀英"}, "item-0": {id(oil.ID)}, "qty-0": {"4"}, "bb-0": {bestBefore(400)},
		"item-1": {id(oil.ID)}, "qty-1": {"2"}, "bb-1": {bestBefore(10)}})
	want(t, "refused row", r, 422, `data-testid="error-bb-1"`, "剩余保质期不足", `value="王秀英"`)
	r = manager.submit(sa+"/donations", url.Values{"key": {valueOf(t, r.body, "key")}, "rows": {"3"}, "donor_kind": {"resident"},
		"donor_name": {"王秀英"}, "item-0": {id(oil.ID)}, "qty-0": {"4"}, "bb-0": {bestBefore(400)}, "value-0": {"1.234"}})
	want(t, "a bad value", r, 422, `data-testid="error-value-0"`)
	r = manager.submit(sa+"/donations", url.Values{"key": {valueOf(t, r.body, "key")}, "rows": {"3"}, "donor_kind": {"anonymous"},
		"item-0": {id(oil.ID)}, "qty-0": {"4"}, "bb-0": {bestBefore(400)}, "value-0": {"200"}})
	want(t, "donation", r, 303)
	want(t, "anonymous acknowledgement", manager.get(r.location()), 200, "匿名")
	if r := manager.submit(sa+"/donations", url.Values{"op": {"more"}, "rows": {"5"}}); !strings.Contains(r.body, `name="item-9"`) {
		t.Error("more rows: no tenth row")
	}

	stock := manager.get(sa + "/stock")
	want(t, "stock", stock, 200, `id="writeoff-`, `data-testid="stock-on-hand-`+id(oil.ID)+`">4<`)
	inputsLabelled(t, "stock", stock.body)
	lot := regexp.MustCompile(`name="lot" value="(\d+)"`).FindStringSubmatch(stock.body)[1]
	writeOffKey := regexp.MustCompile(`id="writeoff-` + lot + `">\s*<input type="hidden" name="_csrf" value="[^"]*"><input type="hidden" name="key" value="([^"]+)"`).FindStringSubmatch(stock.body)
	if writeOffKey == nil {
		t.Fatal("no key in the write-off form")
	}
	r = manager.submit(sa+"/stock/writeoff", url.Values{"key": {writeOffKey[1]}, "lot": {lot}, "qty": {"9"}, "reason": {"damaged"}})
	want(t, "writing off more than there is", r, 409, `id="lot-`+lot+`-error"`, "库存不足")
	r = manager.submit(sa+"/stock/writeoff", url.Values{"key": {writeOffKey[1]}, "lot": {lot}, "qty": {"1"}, "reason": {"damaged"}, "note": {"桶漏了"}})
	want(t, "write-off", r, 303)
	want(t, "after the write-off", manager.get(r.location()), 200, "核销已记录", `data-testid="stock-on-hand-`+id(oil.ID)+`">3<`)
	r = manager.submit(sa+"/stock/count", url.Values{"key": {"count-1"}, "lot": {lot}, "qty": {"2"}, "reason": {"recount"}})
	want(t, "count", r, 303)
	want(t, "after the count", manager.get(sa+"/stock"), 200, `data-testid="stock-on-hand-`+id(oil.ID)+`">2<`, "库存不足") // low stock: 2 ≤ 3
	want(t, "an unknown reason", manager.submit(sa+"/stock/count", url.Values{"key": {"count-2"}, "lot": {lot}, "qty": {"2"}, "reason": {"magic"}}), 422)

	// The pages in English.
	want(t, "switching to English", manager.submit("/lang", url.Values{"lang": {"en"}, "next": {"/"}}), 303)
	for path, text := range map[string]string{sa + "/stock": "Warnings", sa + "/items": "Items", sa + "/report": "Time credits received",
		sa + "/donations/new": "Record a donation", sa + "/counter": "Waiting for a scan", sa: "Catalogue", "/stores": "Charity supermarkets"} {
		want(t, path+" in English", manager.get(path), 200, text)
	}
}

// The store pages' rows of the authorization table (merged into authzTable): who may open each
// page or post each form inside store SA, and at store SB outside every scope but the
// administrators'. Forms are sent empty: a caller let through gets the form back with its errors
// (4xx but not 401/403), and nothing is written.
func storePagesAuthzTable() map[string]entry {
	readers := with(clerkSA, counterSA, managerSA, adminA, auditorHN, regionXS)
	counter := with(clerkSA, counterSA, managerSA, adminA, regionXS)
	managers := with(managerSA, adminA, regionXS)
	at := func(who []string, method, suffix, body string) entry {
		return entry{who: who,
			in:  func(_ *testing.T, w *world) call { return call{method, "/stores/" + id(w.sa.ID) + suffix, body} },
			out: func(_ *testing.T, w *world) call { return call{method, "/stores/" + id(w.sb.ID) + suffix, body} }}
	}
	return map[string]entry{
		"GET /stores":                   {who: people, in: fixed("GET", "/stores", "")},
		"GET /stores/:store":            {who: everyone, in: func(_ *testing.T, w *world) call { return call{"GET", "/stores/" + id(w.sa.ID), ""} }},
		"POST /stores/:store/order":     {who: people, in: func(_ *testing.T, w *world) call { return call{"POST", "/stores/" + id(w.sa.ID) + "/order", malformed} }},
		"GET /me/orders":                {who: people, in: fixed("GET", "/me/orders", "")},
		"GET /me/orders/:order":         {who: people, in: fixed("GET", "/me/orders/999999", "")},
		"POST /me/orders/:order/cancel": {who: people, in: fixed("POST", "/me/orders/999999/cancel", "")},

		"GET /stores/:store/counter":                       at(counter, "GET", "/counter", ""),
		"POST /stores/:store/counter/scan":                 at(counter, "POST", "/counter/scan", malformed),
		"POST /stores/:store/counter/orders/:order/fulfil": at(counter, "POST", "/counter/orders/999999/fulfil", malformed),
		"POST /stores/:store/counter/sale":                 at(counter, "POST", "/counter/sale", malformed),
		"GET /stores/:store/receipts/:order":               at(readers, "GET", "/receipts/999999", ""),
		"GET /stores/:store/donations/new":                 at(counter, "GET", "/donations/new", ""),
		"POST /stores/:store/donations":                    at(counter, "POST", "/donations", malformed),
		"GET /stores/:store/donations/:donation":           at(readers, "GET", "/donations/999999", ""),
		"GET /stores/:store/stock":                         at(readers, "GET", "/stock", ""),
		"POST /stores/:store/stock/writeoff":               at(managers, "POST", "/stock/writeoff", malformed),
		"POST /stores/:store/stock/count":                  at(managers, "POST", "/stock/count", malformed),
		"POST /stores/:store/stock/expired":                at(managers, "POST", "/stock/expired", malformed),
		"GET /stores/:store/items":                         at(managers, "GET", "/items", ""),
		"GET /stores/:store/items/new":                     at(managers, "GET", "/items/new", ""),
		"POST /stores/:store/items":                        at(managers, "POST", "/items", malformed),
		"GET /stores/:store/items/:item":                   at(managers, "GET", "/items/999999", ""),
		"POST /stores/:store/items/:item":                  at(managers, "POST", "/items/999999", malformed),
		"GET /stores/:store/report":                        at(readers, "GET", "/report", ""),
		"GET /stores/:store/rules":                         at(readers, "GET", "/rules", ""),
		"POST /stores/:store/rules":                        at(managers, "POST", "/rules", malformed),
	}
}

// The store lists of the hub: a volunteer sees the stores of their organization and its parents, a
// clerk their store with the counter; a person without organizations sees none.
func TestStorePagesHub(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	u, err := d.Users.Register(ctx, identity.Registration{Phone: "13911112222", Password: testPassword, Name: "东山队员"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Users.Grant(ctx, identity.Change{Actor: who.Operator()}, u.ID, access.Grant{Role: access.Volunteer, Kind: access.Org, OrgID: w.subA.ID}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	if r := b.submit("/login", url.Values{"phone": {"13911112222"}, "password": {testPassword}}); r.status != 303 {
		t.Fatalf("log-in: %d", r.status)
	}
	sa := id(w.sa.ID)
	r := b.get("/stores")
	want(t, "a team member's stores", r, 200, `id="store-`+sa+`"`, `href="/stores/`+sa+`"`)
	if strings.Contains(r.body, "/counter") || strings.Contains(r.body, `id="store-`+id(w.sb.ID)+`"`) {
		t.Error("a volunteer sees a counter or another organization's store")
	}
	want(t, "a clerk's stores", signedInAs(t, app, clerkSA).get("/stores"), 200, `href="/stores/`+sa+`/counter"`)
	want(t, "an auditor's stores", signedInAs(t, app, auditorHN).get("/stores"), 200, `id="stores-none"`)
	want(t, "a visitor's catalogue", newBrowser(t, app).get("/stores/"+sa), 200, `id="catalog-login"`)
	want(t, "no such store", newBrowser(t, app).get("/stores/999999"), 404)
}
