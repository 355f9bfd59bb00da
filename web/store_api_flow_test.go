package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"timebank/pkg/qr"
	"timebank/pkg/store"
	"timebank/web/api"
)

// The charity supermarket through the API: the manager lists goods, a clerk records a donation, a
// volunteer orders, the counter scans the pickup URL as a scanner types it and hands the order out,
// a walk-in sale is paid with the member code, and stock and balances move as they should.
func TestStoreAPIFlow(t *testing.T) {
	t.Parallel()
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
	var done, retried store.Order
	handOut := `{"lines":[{"item":` + id(rice.ID) + `,"qty":2},{"item":` + id(soap.ID) + `,"qty":1}]}`
	storeReq(t, app, counter, "POST", "/api/v1/orders/"+id(order.ID)+"/fulfil", handOut, "Idempotency-Key", "hand-out-1").ok(t, 200, &done)
	if done.Status != store.StatusFulfilled || *done.Charged != 270 {
		t.Fatalf("fulfilled: %+v", done)
	}
	// The answer was lost and the counter sends the same again: the same answer, charged once.
	storeReq(t, app, counter, "POST", "/api/v1/orders/"+id(order.ID)+"/fulfil", handOut, "Idempotency-Key", "hand-out-1").ok(t, 200, &retried)
	if retried.Status != store.StatusFulfilled || *retried.TransactionID != *done.TransactionID {
		t.Fatalf("the retried hand-out: %+v, first %+v", retried, done)
	}
	storeReq(t, app, counter, "POST", "/api/v1/orders/"+id(order.ID)+"/fulfil", "", "Idempotency-Key", "hand-out-1").problem(t, 409, "idempotency-conflict")
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
