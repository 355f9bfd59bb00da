package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pkg/identity"
	who "timebank/pkg/principal"
	"timebank/pkg/qr"
	"timebank/pkg/store"
	"timebank/web/api"
	"timebank/web/i18n"
	"timebank/web/problem"
)

// answer is a response: its status and body.
type answer struct {
	status int
	raw    []byte
}

// storeReq sends a request as the caller (a bearer token, "" for anonymous).
func storeReq(t *testing.T, app *fiber.App, token, method, path, body string, headers ...string) answer {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, raw}
}

// ok decodes a successful answer into v (unless nil), or fails with the answer.
func (a answer) ok(t *testing.T, want int, v any) {
	t.Helper()
	if a.status != want {
		t.Fatalf("status %d, want %d: %s", a.status, want, a.raw)
	}
	if v != nil {
		if err := json.Unmarshal(a.raw, v); err != nil {
			t.Fatalf("%v: %s", err, a.raw)
		}
	}
}

// problem decodes a problem document and checks its status and slug.
func (a answer) problem(t *testing.T, status int, slug string) problem.Problem {
	t.Helper()
	var p problem.Problem
	if err := json.Unmarshal(a.raw, &p); err != nil || a.status != status || !strings.HasSuffix(p.Type, "/problems/"+slug) {
		t.Fatalf("got %d %s, want %d %s", a.status, a.raw, status, slug)
	}
	return p
}

var storeKeys struct {
	sync.Mutex
	n int
}

// idem returns the Idempotency-Key header of a fresh key.
func idem() []string {
	storeKeys.Lock()
	defer storeKeys.Unlock()
	storeKeys.n++
	return []string{"Idempotency-Key", fmt.Sprintf("web-%d-%d", time.Now().UnixNano(), storeKeys.n)}
}

// The charity supermarket through the API: the manager lists goods, a clerk records a donation, a
// volunteer orders, the counter scans the pickup URL as a scanner types it and hands the order out,
// a walk-in sale is paid with the member code, and stock and balances move as they should.
func TestStoreAPIFlow(t *testing.T) {
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	sa := id(w.sa.ID)
	manager, clerk, counter, vol := w.tokens[managerSA], w.tokens[clerkSA], w.tokens[counterSA], w.tokens[volunteer]

	var rice, soap store.Item
	storeReq(t, app, manager, "POST", "/api/v1/stores/"+sa+"/items",
		`{"name":"大米 5kg","category":"grain_oil","unit":"袋","price":120,"limit_qty":2,"limit_period":"month"}`).ok(t, 201, &rice)
	storeReq(t, app, manager, "POST", "/api/v1/stores/"+sa+"/items", `{"name":"肥皂","category":"daily","unit":"块","price":30}`).ok(t, 201, &soap)
	ans := storeReq(t, app, manager, "POST", "/api/v1/stores/"+sa+"/items", `{"name":"感冒药","category":"medicine","unit":"盒","price":30}`)
	if p := ans.problem(t, 400, "invalid-request"); p.Errors[0].Field != "category" || p.Errors[0].Reason != "medicine_refused" {
		t.Fatalf("medicine: %+v", p)
	}

	today := time.Now().In(time.FixedZone("CST", 8*3600))
	donation := fmt.Sprintf(`{"donor":{"kind":"resident","name":"李阿姨","phone":"13812345678"},"lines":[
		{"item":%d,"qty":3,"best_before":"%s","value_fen":15000},{"item":%d,"qty":10}]}`, rice.ID, today.AddDate(1, 0, 0).Format("2006-01-02"), soap.ID)
	key := idem()
	var ack store.Acknowledgement
	storeReq(t, app, clerk, "POST", "/api/v1/stores/"+sa+"/donations", donation, key...).ok(t, 201, &ack)
	if ack.Donor.PhoneMasked != "138****5678" || strings.Contains(fmt.Sprint(ack), "13812345678") || !strings.HasSuffix(ack.Number, "-000001") ||
		!strings.Contains(ack.VerifyURL, "/q/r") || ack.NoticeZH == "" {
		t.Fatalf("acknowledgement: %+v", ack)
	}
	ans = storeReq(t, app, clerk, "POST", "/api/v1/stores/"+sa+"/donations", donation, key...)
	var again store.Acknowledgement
	ans.ok(t, 200, &again)
	if again.Number != ack.Number {
		t.Fatalf("replayed donation got number %s", again.Number)
	}

	// The volunteer has 500 credit minutes.
	user, err := d.Users.ByPhone(ctx, "13800000000")
	if err != nil {
		t.Fatal(err)
	}
	fund(t, d, w.a.AccountCode, user, 500)
	var catalog api.StoreItemsPage
	storeReq(t, app, "", "GET", "/api/v1/stores/"+sa+"/catalog", "").ok(t, 200, &catalog)
	if len(catalog.Items) != 2 || catalog.Items[0].Available != 3 {
		t.Fatalf("catalogue: %+v", catalog)
	}

	orderBody := fmt.Sprintf(`{"store":%d,"lines":[{"item":%d,"qty":2},{"item":%d,"qty":3}]}`, w.sa.ID, rice.ID, soap.ID)
	key = idem()
	var order store.Order
	storeReq(t, app, vol, "POST", "/api/v1/orders", orderBody, key...).ok(t, 201, &order)
	if order.Total != 330 || order.Status != store.StatusPending || order.PickupURL == "" {
		t.Fatalf("order: %+v", order)
	}
	ans = storeReq(t, app, vol, "POST", "/api/v1/orders", orderBody, key...)
	var replay store.Order
	ans.ok(t, 200, &replay)
	if replay.ID != order.ID {
		t.Fatal("a replayed order made another")
	}
	// Over the limit: the problem names the line.
	ans = storeReq(t, app, vol, "POST", "/api/v1/orders", fmt.Sprintf(`{"store":%d,"lines":[{"item":%d,"qty":1},{"item":%d,"qty":1}]}`,
		w.sa.ID, soap.ID, rice.ID), idem()...)
	if p := ans.problem(t, 409, "over-limit"); len(p.Errors) != 1 || p.Errors[0].Field != "lines[1].qty" ||
		p.Errors[0].Reason != "over_limit" || p.Errors[0].Message == "" || p.Detail == "" ||
		len(p.Lines) != 1 || p.Lines[0].Item != rice.ID || p.Lines[0].Name != rice.Name || p.Lines[0].Message == "" {
		t.Fatalf("over the limit: %+v", p)
	}
	// Not enough credits: the account is named.
	ans = storeReq(t, app, vol, "POST", "/api/v1/orders", fmt.Sprintf(`{"store":%d,"lines":[{"item":%d,"qty":6}]}`, w.sa.ID, soap.ID), idem()...)
	if p := ans.problem(t, 422, "insufficient-funds"); p.Account != user.AccountCode {
		t.Fatalf("insufficient funds: %+v", p)
	}
	// Only the volunteer and the store's staff see the order.
	storeReq(t, app, vol, "GET", "/api/v1/orders/"+id(order.ID), "").ok(t, 200, nil)
	storeReq(t, app, clerk, "GET", "/api/v1/orders/"+id(order.ID), "").ok(t, 200, nil)
	storeReq(t, app, w.tokens[coordA], "GET", "/api/v1/orders/"+id(order.ID), "").problem(t, 404, "order-not-found")

	// The counter device scans the URL as the USB scanner types it, then hands the order out.
	var scan store.ScanResult
	storeReq(t, app, counter, "POST", "/api/v1/counter/scan", fmt.Sprintf(`{"token":%q}`, order.PickupURL+"\r\n")).ok(t, 200, &scan)
	if scan.Kind != "pickup" || scan.Order.ID != order.ID || scan.Member.NameMasked == "" || scan.Member.Available != 170 {
		t.Fatalf("scan: %+v", scan)
	}
	storeReq(t, app, counter, "POST", "/api/v1/counter/scan", fmt.Sprintf(`{"token":%q}`, order.PickupURL)).problem(t, 409, "code-used")
	// The other store's clerk may not hand it out.
	storeReq(t, app, w.tokens[platform], "POST", "/api/v1/counter/scan",
		fmt.Sprintf(`{"token":%q,"store":%d}`, order.PickupURL, w.sb.ID)).problem(t, 409, "wrong-store")
	var done store.Order
	storeReq(t, app, counter, "POST", "/api/v1/orders/"+id(order.ID)+"/fulfil", `{"lines":[{"item":`+id(rice.ID)+`,"qty":2},{"item":`+id(soap.ID)+`,"qty":1}]}`).ok(t, 200, &done)
	if done.Status != store.StatusFulfilled || *done.Charged != 270 {
		t.Fatalf("fulfilled: %+v", done)
	}
	storeReq(t, app, counter, "POST", "/api/v1/orders/"+id(order.ID)+"/fulfil", "").problem(t, 409, "order-fulfilled")
	if b, _ := d.Ledger.PostgresBalance(ctx, user.AccountCode); b.Posted != 230 || b.Pending != 0 {
		t.Fatalf("balance after the hand-out: %+v", b)
	}

	// A walk-in sale, double-clicked.
	codes, err := qr.NewSignerFromSecret([]byte(d.Config.Secret))
	if err != nil {
		t.Fatal(err)
	}
	code, _, err := codes.MemberCode(user.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	saleBody := fmt.Sprintf(`{"store":%d,"member_token":%q,"lines":[{"item":%d,"qty":2}]}`, w.sa.ID, code, soap.ID)
	key = idem()
	var sale store.Sale
	storeReq(t, app, clerk, "POST", "/api/v1/sales", saleBody, key...).ok(t, 201, &sale)
	storeReq(t, app, clerk, "POST", "/api/v1/sales", saleBody, key...).ok(t, 200, nil)
	if sale.Member.Available != 170 || *sale.Order.Charged != 60 {
		t.Fatalf("sale: %+v", sale)
	}
	storeReq(t, app, clerk, "POST", "/api/v1/sales", saleBody, idem()...).problem(t, 409, "code-used")

	var stock api.StoreStockPage
	storeReq(t, app, w.tokens[auditorHN], "GET", "/api/v1/stores/"+sa+"/stock", "").ok(t, 200, &stock)
	for _, si := range stock.Items {
		want := map[int64]int{rice.ID: 1, soap.ID: 7}[si.Item.ID]
		if si.Item.OnHand != want || si.Item.Reserved != 0 {
			t.Errorf("%s: on hand %d reserved %d, want %d", si.Item.Name, si.Item.OnHand, si.Item.Reserved, want)
		}
	}
	var rep store.DayReport
	storeReq(t, app, manager, "GET", "/api/v1/stores/"+sa+"/report", "").ok(t, 200, &rep)
	if rep.OrdersHandedOut != 1 || rep.Sales != 1 || rep.CreditsReceived != 330 || rep.Donations != 1 || rep.UnitsHandedOut != 5 {
		t.Fatalf("day report: %+v", rep)
	}
	var journal api.StoreJournalPage
	storeReq(t, app, manager, "GET", "/api/v1/stores/"+sa+"/journal?item="+id(soap.ID), "").ok(t, 200, &journal)
	if len(journal.Movements) != 5 { // received, reserved, handed out, released, handed out (sale)
		t.Fatalf("journal of soap: %+v", journal.Movements)
	}
	if disc, err := d.Store.VerifyStock(ctx, 0); err != nil || len(disc) > 0 {
		t.Fatalf("stock and journal disagree: %+v %v", disc, err)
	}
}

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
	app, d := newTestApp(t)
	w := newWorld(t, d)
	table := storeAuthzTable()
	maps.Copy(table, storePhotoAuthzEntries())
	maps.Copy(table, storeAidAuthzEntries())
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

// Malformed input to every store route is a 4xx, never a 5xx.
func TestStoreRoutesRefuseBadInput(t *testing.T) {
	app, d := newTestApp(t)
	w := newWorld(t, d)
	admin := w.tokens[platform]
	sa := id(w.sa.ID)
	bodies := []string{"", malformed, `[]`, `{}`, `null`, `{"lines":[{"item":-1,"qty":1e9}]}`, `{"store":"x"}`,
		`{"name":"` + strings.Repeat("长", 300) + `","category":"food","unit":"袋","price":-1}`,
		`{"donor":{"kind":"anonymous","name":"张三"},"lines":[{"item":1,"qty":1,"best_before":"2024-13-45"}]}`,
		`{"token":"` + strings.Repeat("/q/", 1000) + `"}`, `{"token":"p\u0000x","store":` + sa + `}`,
		`{"reason":"lost","lines":[{"lot":99999999999,"qty":1}]}`, `{"store":` + sa + `,"member_token":"zzz","lines":[{"item":1,"qty":1}]}`,
		`{"lines":[{"item":1,"qty":0}]}`, `{"min_shelf_life_percent":101,"pickup_hours":0}`}
	paths := []string{"/api/v1/stores/" + sa + "/items", "/api/v1/stores/" + sa + "/items/1", "/api/v1/stores/" + sa + "/items/x",
		"/api/v1/stores/" + sa + "/policy", "/api/v1/stores/" + sa + "/donations", "/api/v1/stores/" + sa + "/donations/99",
		"/api/v1/stores/" + sa + "/writeoffs", "/api/v1/stores/" + sa + "/writeoffs/expired", "/api/v1/stores/" + sa + "/counts",
		"/api/v1/stores/999999/stock", "/api/v1/stores/0/catalog", "/api/v1/stores/abc/items",
		"/api/v1/stores/" + sa + "/journal?lot=x", "/api/v1/stores/" + sa + "/report?day=yesterday",
		"/api/v1/stores/" + sa + "/orders?status=lost", "/api/v1/stores/" + sa + "/catalog?limit=100000&q=" + strings.Repeat("x", 80),
		"/api/v1/orders", "/api/v1/orders?before=-3", "/api/v1/orders/99", "/api/v1/orders/99/cancel", "/api/v1/orders/99/fulfil",
		"/api/v1/counter/scan", "/api/v1/sales"}
	for _, p := range paths {
		for _, method := range []string{"GET", "POST", "PUT"} {
			for _, b := range bodies {
				for _, key := range [][]string{nil, idem(), {"Idempotency-Key", "ledger:x"}, {"Idempotency-Key", strings.Repeat("k", 300)}} {
					if a := storeReq(t, app, admin, method, p, b, key...); a.status >= 500 {
						t.Errorf("%s %s %q: %d %s", method, p, b, a.status, a.raw)
					}
				}
			}
		}
	}
	// Only people order: the operator is not one.
	if a := storeReq(t, app, d.Config.OperatorToken, "POST", "/api/v1/orders", `{"store":1,"lines":[{"item":1,"qty":1}]}`, idem()...); a.status != 403 {
		t.Errorf("the operator ordering: %d %s", a.status, a.raw)
	}
}

// Every error of the store maps to a listed problem slug with a status, and every slug and every
// reason the store produces has its message in both languages.
func TestStoreProblemsTranslated(t *testing.T) {
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, s := range problemSlugs {
		listed[s] = true
	}
	for _, e := range []error{store.ErrInvalid, store.ErrStoreNotFound, store.ErrItemNotFound, store.ErrItemExists,
		store.ErrLotNotFound, store.ErrDonationNotFound, store.ErrOrderNotFound, store.ErrItemUnavailable,
		store.ErrOutOfStock, store.ErrOverLimit, store.ErrStarsRequired, store.ErrDonationRefused, store.ErrStockReserved,
		store.ErrOrderFulfilled, store.ErrOrderCancelled, store.ErrOrderExpired, store.ErrWrongStore, store.ErrCodeInvalid,
		store.ErrCodeExpired, store.ErrCodeUsed, store.ErrIdempotencyConflict, store.ErrHistoryImmutable} {
		status, slug := problem.Classify(fmt.Errorf("wrapped: %w", e))
		if status < 400 || status >= 500 || !listed[slug] {
			t.Errorf("%v: %d %s", e, status, slug)
		}
		for _, lang := range i18n.Languages {
			if msgs[lang]["problem."+slug] == "" {
				t.Errorf("%s: no problem.%s", lang, slug)
			}
		}
	}
	le := &store.LineError{Err: store.ErrOutOfStock, Line: 2, Item: 9, Field: "qty", Reason: store.ReasonOutOfStock}
	var fe *fields.Error
	wrapped := fmt.Errorf("x: %w", le)
	if status, _ := problem.Classify(wrapped); status != 409 || !errors.As(wrapped, &fe) || fe.Reason("lines[2].qty") != store.ReasonOutOfStock {
		t.Fatalf("line error: %d %v", status, fe)
	}

	// The reasons: the constants and every literal the store package assigns or passes as one.
	reasons := map[string]bool{}
	literal := []*regexp.Regexp{
		regexp.MustCompile(`bad\[[^\]]+\] = "([a-z_]+)"`),
		regexp.MustCompile(`invalid\([^,]+, "([a-z_]+)"\)`),
		regexp.MustCompile(`Reason: "([a-z_]+)"`),
		regexp.MustCompile(`Reason\w+\s+= "([a-z_]+)"`),
	}
	files, _ := filepath.Glob(filepath.Join("..", "pkg", "store", "*.go"))
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range literal {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				reasons[m[1]] = true
			}
		}
	}
	for _, must := range []string{"out_of_stock", "shelf_life_short", "medicine_refused", "nothing_handed_out", "day_format"} {
		if !reasons[must] {
			t.Fatalf("the reason patterns no longer find %q", must)
		}
	}
	for r := range reasons {
		for _, lang := range i18n.Languages {
			if msgs[lang]["reason."+r] == "" {
				t.Errorf("%s: no reason.%s", lang, r)
			}
		}
	}
}

// The store's OpenAPI schemas have the fields of the Go types they describe, with the same JSON
// types, and credit amounts say they are minutes.
func TestStoreOpenAPISchemas(t *testing.T) {
	app := newTestServer(t)
	doc := fetchOpenAPI(t, app)
	schemas := obj(obj(doc["components"])["schemas"])
	types := map[string]reflect.Type{
		"StoreItem": reflect.TypeFor[store.Item](), "StoreNewItem": reflect.TypeFor[store.NewItem](),
		"StoreItemsPage": reflect.TypeFor[api.StoreItemsPage](), "StorePolicy": reflect.TypeFor[store.Policy](),
		"StoreLot": reflect.TypeFor[store.Lot](), "StoreStockItem": reflect.TypeFor[store.StockItem](),
		"StoreStockPage": reflect.TypeFor[api.StoreStockPage](), "StoreWarning": reflect.TypeFor[store.Warning](),
		"StoreWarnings": reflect.TypeFor[api.StoreWarnings](), "StoreMovement": reflect.TypeFor[store.Movement](),
		"StoreJournalPage": reflect.TypeFor[api.StoreJournalPage](), "StoreDayReport": reflect.TypeFor[store.DayReport](),
		"Donor": reflect.TypeFor[store.Donor](), "DonationLine": reflect.TypeFor[store.DonationLine](),
		"NewDonation": reflect.TypeFor[store.NewDonation](), "DonorView": reflect.TypeFor[store.DonorView](),
		"DonatedLine": reflect.TypeFor[store.DonatedLine](), "Acknowledgement": reflect.TypeFor[store.Acknowledgement](),
		"LotQty": reflect.TypeFor[store.LotQty](), "NewAdjustment": reflect.TypeFor[store.NewAdjustment](),
		"StockAdjustment": reflect.TypeFor[store.Adjustment](), "OrderLine": reflect.TypeFor[store.OrderLine](),
		"NewOrder": reflect.TypeFor[store.NewOrder](), "OrderedLine": reflect.TypeFor[store.OrderedLine](),
		"Order": reflect.TypeFor[store.Order](), "StoreOrdersPage": reflect.TypeFor[api.StoreOrdersPage](),
		"Handout": reflect.TypeFor[store.Handout](), "FulfilRequest": reflect.TypeFor[api.FulfilRequest](),
		"CounterScanRequest": reflect.TypeFor[api.CounterScanRequest](), "CounterMember": reflect.TypeFor[store.Member](),
		"CounterScanResult": reflect.TypeFor[store.ScanResult](), "NewSale": reflect.TypeFor[store.NewSale](),
		"Sale": reflect.TypeFor[store.Sale](), "StoreNewHousehold": reflect.TypeFor[store.NewHousehold](),
		"StoreHousehold": reflect.TypeFor[store.Household](), "StoreHouseholdsPage": reflect.TypeFor[api.StoreHouseholdsPage](),
		"StoreNewAid": reflect.TypeFor[store.NewAid](), "StoreAidLine": reflect.TypeFor[store.AidLine](),
		"StoreAid": reflect.TypeFor[store.Aid](), "StoreAidPage": reflect.TypeFor[api.StoreAidPage](),
	}
	minutes := map[string]bool{"price": true, "total": true, "charged": true, "credits_received": true}
	for name, typ := range types {
		props := obj(obj(schemas[name])["properties"])
		if props == nil {
			t.Errorf("schema %s missing", name)
			continue
		}
		seen := map[string]bool{}
		for i := range typ.NumField() {
			f := typ.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || tag == "-" {
				continue
			}
			seen[tag] = true
			p := obj(props[tag])
			if p == nil {
				t.Errorf("schema %s lacks %s", name, tag)
				continue
			}
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			var want string
			switch {
			case ft == reflect.TypeFor[time.Time]():
				want = "string/date-time"
			case ft.Kind() == reflect.Int64:
				want = "integer/int64"
			case ft.Kind() == reflect.Int:
				want = "integer"
			case ft.Kind() == reflect.String:
				want = "string"
			case ft.Kind() == reflect.Bool:
				want = "boolean"
			case ft.Kind() == reflect.Slice:
				want = "array"
			case ft.Kind() == reflect.Struct:
				want = "$ref"
			}
			got, _ := p["type"].(string)
			if format, ok := p["format"].(string); ok && (got == "string" && format == "date-time" || got == "integer" && format == "int64") {
				got += "/" + format
			}
			if p["$ref"] != nil {
				got = "$ref"
			}
			if got != want {
				t.Errorf("schema %s.%s is %q, the Go field %s wants %q", name, tag, got, f.Name, want)
			}
			if d, _ := p["description"].(string); minutes[tag] && !strings.Contains(d, "minutes") {
				t.Errorf("schema %s.%s does not say it is in minutes", name, tag)
			}
		}
		for prop := range props {
			if !seen[prop] {
				t.Errorf("schema %s has %s, which %s does not", name, prop, typ.Name())
			}
		}
	}
}
