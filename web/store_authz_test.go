package web

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"timebank/ledger"
	"timebank/pkg/identity"
	who "timebank/pkg/principal"
	"timebank/pkg/store"
)

// storeFixture gives the store a fresh item with stock and an order of it by the volunteer of A,
// for the routes about an item or an order.
func storeFixture(t *testing.T, w *world, storeID int64) (itemID, orderID int64) {
	t.Helper()
	ctx := context.Background()
	it, err := w.d.Store.CreateItem(ctx, storeOperator, storeID,
		store.NewItem{Name: fmt.Sprintf("毛巾%d", w.next()), Category: "daily", Unit: "条", Price: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.d.Store.RecordDonation(ctx, storeOperator, storeID, fmt.Sprintf("stock-%d", w.next()),
		store.NewDonation{Donor: store.Donor{Kind: store.DonorAnonymous}, Lines: []store.DonationLine{{Item: it.ID, Qty: 10}}}); err != nil {
		t.Fatal(err)
	}
	user, err := w.d.Users.ByPhone(ctx, "13800000000") // the volunteer of A
	if err != nil {
		t.Fatal(err)
	}
	fund(t, w.d, w.a.AccountCode, user, 1)
	o, err := w.d.Store.PlaceOrder(ctx, &who.Principal{UserID: user.ID, Name: user.Name}, fmt.Sprintf("order-%d", w.next()),
		store.NewOrder{Store: storeID, Lines: []store.OrderLine{{Item: it.ID, Qty: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	return it.ID, o.ID
}

// storeAuthzTable is the store's rows of the authorization table (see authzTable): who may call
// each route inside store SA's scope, and a request at store SB, outside every scope but the
// administrators'. Bodies are malformed where the rule runs before the body is read: being let
// through then shows as 400, being refused as 401 or 403.
func storeAuthzTable() map[string]entry {
	readers := with(clerkSA, counterSA, managerSA, adminA, auditorHN, regionXS)
	counter := with(clerkSA, counterSA, managerSA, adminA, regionXS)
	managers := with(managerSA, adminA, regionXS)
	at := func(method, suffix, body string) (func(*testing.T, *world) call, func(*testing.T, *world) call) {
		return func(_ *testing.T, w *world) call { return call{method, "/api/v1/stores/" + id(w.sa.ID) + suffix, body} },
			func(_ *testing.T, w *world) call { return call{method, "/api/v1/stores/" + id(w.sb.ID) + suffix, body} }
	}
	row := func(who []string, method, suffix, body string) entry {
		in, out := at(method, suffix, body)
		return entry{who: who, in: in, out: out}
	}
	item := func(inside bool) func(*testing.T, *world) call {
		return func(t *testing.T, w *world) call {
			s := w.sb.ID
			if inside {
				s = w.sa.ID
			}
			it, _ := storeFixture(t, w, s)
			return call{"PUT", "/api/v1/stores/" + id(s) + "/items/" + id(it), malformed}
		}
	}
	order := func(inside bool, suffix string) func(*testing.T, *world) call {
		return func(t *testing.T, w *world) call {
			s := w.sb.ID
			if inside {
				s = w.sa.ID
			}
			_, o := storeFixture(t, w, s)
			return call{"POST", "/api/v1/orders/" + id(o) + suffix, malformed}
		}
	}
	body := func(inside bool, format string) func(*testing.T, *world) call {
		return func(_ *testing.T, w *world) call {
			s := w.sb.ID
			if inside {
				s = w.sa.ID
			}
			path := "/api/v1/counter/scan"
			if strings.Contains(format, "member_token") {
				path = "/api/v1/sales"
			}
			return call{"POST", path, fmt.Sprintf(format, s)}
		}
	}
	const scan, sale = `{"token":"p","store":%d}`, `{"store":%d,"member_token":"m","lines":[{"item":1,"qty":1}]}`
	return map[string]entry{
		"GET /api/v1/stores/:id/catalog": {who: everyone, in: func(_ *testing.T, w *world) call {
			return call{"GET", "/api/v1/stores/" + id(w.sa.ID) + "/catalog", ""}
		}},
		"GET /api/v1/stores/:id/items":               row(readers, "GET", "/items", ""),
		"POST /api/v1/stores/:id/items":              row(managers, "POST", "/items", malformed),
		"PUT /api/v1/stores/:id/items/:item":         {who: managers, in: item(true), out: item(false)},
		"GET /api/v1/stores/:id/policy":              row(readers, "GET", "/policy", ""),
		"PUT /api/v1/stores/:id/policy":              row(managers, "PUT", "/policy", malformed),
		"GET /api/v1/stores/:id/stock":               row(readers, "GET", "/stock", ""),
		"GET /api/v1/stores/:id/warnings":            row(readers, "GET", "/warnings", ""),
		"GET /api/v1/stores/:id/journal":             row(readers, "GET", "/journal", ""),
		"GET /api/v1/stores/:id/report":              row(readers, "GET", "/report", ""),
		"GET /api/v1/stores/:id/orders":              row(readers, "GET", "/orders", ""),
		"POST /api/v1/stores/:id/donations":          row(counter, "POST", "/donations", malformed),
		"GET /api/v1/stores/:id/donations/:donation": row(readers, "GET", "/donations/1", ""),
		"POST /api/v1/stores/:id/writeoffs":          row(managers, "POST", "/writeoffs", malformed),
		"POST /api/v1/stores/:id/writeoffs/expired":  row(managers, "POST", "/writeoffs/expired", ""),
		"POST /api/v1/stores/:id/counts":             row(managers, "POST", "/counts", malformed),
		"POST /api/v1/orders":                        {who: people, in: fixed("POST", "/api/v1/orders", malformed)},
		"GET /api/v1/orders":                         {who: people, in: fixed("GET", "/api/v1/orders", "")},
		"GET /api/v1/orders/:id":                     {who: people, in: fixed("GET", "/api/v1/orders/1", "")},
		"POST /api/v1/orders/:id/cancel":             {who: people, in: fixed("POST", "/api/v1/orders/999999/cancel", "")},
		"POST /api/v1/orders/:id/fulfil":             {who: counter, in: order(true, "/fulfil"), out: order(false, "/fulfil")},
		"POST /api/v1/counter/scan":                  {who: counter, in: body(true, scan), out: body(false, scan)},
		"POST /api/v1/sales":                         {who: counter, in: body(true, sale), out: body(false, sale)},
	}
}

// Who may call each store route, inside the store's scope and at another store. A route refused
// inside its scope, or let through outside it, fails; so does a store route missing from the rows.
func TestStoreRoutesAuthorization(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	table := storeAuthzTable()
	maps.Copy(table, storePhotoAuthzEntries())
	maps.Copy(table, storeAidAuthzEntries())
	maps.Copy(table, storeExportAuthzEntries())
	maps.Copy(table, reportStoreAuthzEntries())
	for _, r := range app.GetRoutes(true) {
		if (strings.Contains(r.Path, "/stores/:id/") || strings.HasPrefix(r.Path, "/api/v1/orders") ||
			r.Path == "/api/v1/counter/scan" || r.Path == "/api/v1/sales") && r.Method != "HEAD" {
			if _, ok := table[r.Method+" "+r.Path]; !ok {
				t.Errorf("%s %s has no row", r.Method, r.Path)
			}
		}
	}
	for route, e := range table {
		for _, who := range everyone {
			st := w.do(t, app, who, e.in(t, w))
			switch allowed := slices.Contains(e.who, who); {
			case allowed && refused(st):
				t.Errorf("%s: %s was refused inside the scope (%d)", route, who, st)
			case !allowed && !refused(st):
				t.Errorf("%s: %s was let through inside the scope (%d)", route, who, st)
			case st >= 500:
				t.Errorf("%s as %s: %d", route, who, st)
			}
			if e.out == nil {
				continue
			}
			st = w.do(t, app, who, e.out(t, w))
			if allowed := slices.Contains(admins, who); allowed == refused(st) {
				t.Errorf("%s: %s at another store got %d", route, who, st)
			}
		}
	}
}

// storeOperator is the operator, as the tests' direct calls of the store name it.
var storeOperator = who.Operator()

// fund gives the user credit minutes earned with the organization of the issuing account.
func fund(t *testing.T, d services, issuer string, u identity.User, minutes int64) {
	t.Helper()
	_, err := d.Ledger.Post(context.Background(), ledger.TransactionRequest{Kind: ledger.TxEarn, CreatedBy: "test",
		IdempotencyKey: idem()[1], Postings: []ledger.PostingRequest{{Account: issuer, Amount: -minutes}, {Account: u.AccountCode, Amount: minutes}}})
	if err != nil {
		t.Fatal(err)
	}
}
