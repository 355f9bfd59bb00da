package store_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"timebank/ledger"
	"timebank/pkg/identity"
	"timebank/pkg/org"
	"timebank/pkg/principal"
	"timebank/pkg/qr"
	"timebank/pkg/store"
)

// clerk serves the counter.
var clerk = &principal.Principal{DeviceID: 3, Name: "柜台一"}

// order places an order of qty units of each item for the volunteer.
func (e *env) order(u identity.User, items map[int64]int) store.Order {
	e.t.Helper()
	n := store.NewOrder{Store: e.storeID}
	for id, qty := range items {
		n.Lines = append(n.Lines, store.OrderLine{Item: id, Qty: qty})
	}
	o, err := e.svc.PlaceOrder(context.Background(), as(u), e.key(), n)
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

// A pickup code is scanned twice, and at two counters at once: the order is handed out once and
// charged once.
func TestPickupHandedOutOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	soap := e.item(store.NewItem{Name: "肥皂", Price: 30})
	e.stock(soap.ID, 10, "")
	vol := e.volunteer(1000)
	o := e.order(vol, map[int64]int{soap.ID: 2})
	if !strings.HasPrefix(o.PickupURL, "https://tb.example/q/p") {
		t.Fatalf("pickup URL %q", o.PickupURL)
	}

	// The scanner types the whole URL and Enter.
	res, err := e.svc.Scan(ctx, e.storeID, o.PickupURL+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != store.ScanPickup || res.Order.ID != o.ID || res.Member.NameMasked != identity.MaskName(vol.Name) || res.Member.Available != 940 {
		t.Fatalf("scan: %+v %+v", res.Order, res.Member)
	}
	if _, err := e.svc.Scan(ctx, e.storeID, o.PickupURL); !errors.Is(err, store.ErrCodeUsed) {
		t.Fatalf("the same code again: %v", err)
	}

	// Two counters confirm the hand-out at the same moment, each after a scan of a fresh code.
	ok, errs := race(8, func(int) error {
		url, err := e.svc.PickupURL(ctx, vol.ID, o.ID)
		if err != nil {
			return err
		}
		if _, err := e.svc.Scan(ctx, e.storeID, url); err != nil {
			return err
		}
		_, err = e.svc.Fulfil(ctx, clerk, o.ID, nil, "")
		return err
	})
	if ok != 1 {
		t.Fatalf("handed out %d times", ok)
	}
	for _, err := range errs {
		if !errors.Is(err, store.ErrOrderFulfilled) {
			t.Fatalf("a second hand-out: %v", err)
		}
	}
	if b := e.balance(vol); b.Posted != 940 || b.Pending != 0 {
		t.Fatalf("balance: %+v", b)
	}
	if it := e.itemNow(soap.ID); it.OnHand != 8 || it.Reserved != 0 {
		t.Fatalf("stock: %+v", it)
	}
	got, err := e.svc.Order(ctx, o.ID)
	if err != nil || got.Status != store.StatusFulfilled || *got.Charged != 60 || *got.Lines[0].HandedOut != 2 {
		t.Fatalf("order: %+v %v", got, err)
	}
	if _, err := e.svc.PickupURL(ctx, vol.ID, o.ID); !errors.Is(err, store.ErrOrderFulfilled) {
		t.Fatalf("pickup code of a handed-out order: %v", err)
	}
	e.consistent()
}

// Partly available orders are handed out in part: the hold is committed for what was handed out,
// the rest of the credits and of the reserved stock is released.
func TestPartialHandOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	rice := e.item(store.NewItem{Name: "大米", Category: "grain_oil", Price: 100})
	towel := e.item(store.NewItem{Name: "毛巾", Price: 40})
	early := e.stock(rice.ID, 2, e.day(100)).Lines[0].LotID
	late := e.stock(rice.ID, 5, e.day(300)).Lines[0].LotID
	e.stock(towel.ID, 5, "")
	vol := e.volunteer(1000)
	o := e.order(vol, map[int64]int{rice.ID: 3, towel.ID: 2})
	if b := e.balance(vol); b.Pending != 380 {
		t.Fatalf("held %d", b.Pending)
	}
	for _, bad := range [][]store.Handout{
		{},
		{{Item: rice.ID, Qty: 4}},
		{{Item: 9999, Qty: 1}},
		{{Item: rice.ID, Qty: 0}, {Item: towel.ID, Qty: 0}},
		{{Item: rice.ID, Qty: 1}, {Item: rice.ID, Qty: 1}},
	} {
		if _, err := e.svc.Fulfil(ctx, clerk, o.ID, bad, ""); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("hand-out %+v: %v", bad, err)
		}
	}
	got, err := e.svc.Fulfil(ctx, clerk, o.ID, []store.Handout{{Item: rice.ID, Qty: 2}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if *got.Charged != 200 || got.Status != store.StatusFulfilled {
		t.Fatalf("order: %+v", got)
	}
	if b := e.balance(vol); b.Posted != 800 || b.Pending != 0 || b.Available != 800 {
		t.Fatalf("balance: %+v", b)
	}
	// The two handed out came from the lot expiring first.
	lots, err := e.svc.Stock(ctx, e.storeID, store.ItemFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, si := range lots {
		for _, l := range si.Lots {
			if l.Reserved != 0 || l.ID == early {
				t.Errorf("lot %+v after the hand-out", l)
			}
			if l.ID == late && l.OnHand != 5 {
				t.Errorf("the later lot gave %d", 5-l.OnHand)
			}
		}
	}
	if it := e.itemNow(towel.ID); it.OnHand != 5 || it.Available != 5 {
		t.Fatalf("towels: %+v", it)
	}
	e.consistent()
}

// A cancelled order releases its stock and credits, and its code is refused at the counter; so is
// an expired order's, and the expiry worker releases what it held.
func TestCancelledAndExpiredOrdersRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	soap := e.item(store.NewItem{Name: "肥皂", Price: 30})
	e.stock(soap.ID, 10, "")
	vol := e.volunteer(1000)

	o := e.order(vol, map[int64]int{soap.ID: 3})
	got, err := e.svc.Cancel(ctx, as(vol), o.ID)
	if err != nil || got.Status != store.StatusCancelled {
		t.Fatalf("cancel: %+v %v", got, err)
	}
	if again, err := e.svc.Cancel(ctx, as(vol), o.ID); err != nil || again.Status != store.StatusCancelled {
		t.Fatalf("cancel again: %v", err)
	}
	if _, err := e.svc.Scan(ctx, e.storeID, o.PickupURL); !errors.Is(err, store.ErrOrderCancelled) {
		t.Fatalf("scan of a cancelled order: %v", err)
	}
	if _, err := e.svc.Fulfil(ctx, clerk, o.ID, nil, ""); !errors.Is(err, store.ErrOrderCancelled) {
		t.Fatalf("hand-out of a cancelled order: %v", err)
	}
	if b := e.balance(vol); b.Pending != 0 || b.Available != 1000 {
		t.Fatalf("balance after cancel: %+v", b)
	}
	if h, err := e.l.GetHold(ctx, *got.HoldID); err != nil || h.Status != ledger.HoldVoided {
		t.Fatalf("hold after cancel: %+v %v", h, err)
	}

	o2 := e.order(vol, map[int64]int{soap.ID: 4})
	o3 := e.order(vol, map[int64]int{soap.ID: 1})
	if _, err := e.svc.Fulfil(ctx, clerk, o3.ID, nil, ""); err != nil {
		t.Fatal(err)
	}
	// A day before the pickup window ends, the volunteer is reminded of o2, once.
	e.clock.advance(49 * time.Hour)
	for range 2 {
		if _, err := e.svc.RemindExpiring(ctx, 100); err != nil {
			t.Fatal(err)
		}
	}
	notices := func(kind string) (n int) {
		if err := e.db.GetContext(ctx, &n, `SELECT count(*) FROM notification_outbox WHERE user_id = $1 AND kind = $2
			AND params->>'order' = $3 AND params->>'store' <> ''`, vol.ID, kind, strconv.FormatInt(o2.ID, 10)); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := notices("order_expiring"); n != 1 {
		t.Fatalf("%d reminders of the order about to expire, want 1", n)
	}
	e.clock.advance(24 * time.Hour) // the default pickup window is 72 hours
	if _, err := e.svc.Scan(ctx, e.storeID, o2.PickupURL); !errors.Is(err, store.ErrCodeExpired) {
		t.Fatalf("scan of an expired order's code: %v", err)
	}
	if _, err := e.svc.Fulfil(ctx, clerk, o2.ID, nil, ""); !errors.Is(err, store.ErrOrderExpired) {
		t.Fatalf("hand-out of a due order: %v", err)
	}
	if _, err := e.svc.PickupURL(ctx, vol.ID, o2.ID); !errors.Is(err, store.ErrOrderExpired) {
		t.Fatalf("a new code for a due order: %v", err)
	}
	n, err := e.svc.ExpireOrders(ctx, 100)
	if err != nil || n != 1 {
		t.Fatalf("expired %d orders: %v", n, err)
	}
	if n, _ := e.svc.ExpireOrders(ctx, 100); n != 0 {
		t.Fatalf("expired %d more on the second run", n)
	}
	if n := notices("order_expired"); n != 1 {
		t.Fatalf("%d notices of the expiry, want 1", n)
	}
	got, _ = e.svc.Order(ctx, o2.ID)
	if got.Status != store.StatusExpired {
		t.Fatalf("status %s", got.Status)
	}
	if _, err := e.svc.Cancel(ctx, as(vol), o2.ID); !errors.Is(err, store.ErrOrderExpired) {
		t.Fatalf("cancel of an expired order: %v", err)
	}
	if b := e.balance(vol); b.Pending != 0 || b.Posted != 970 {
		t.Fatalf("balance after expiry: %+v", b)
	}
	if it := e.itemNow(soap.ID); it.OnHand != 9 || it.Reserved != 0 {
		t.Fatalf("stock after expiry: %+v", it)
	}
	e.consistent()
}

// A pickup code works only at its own store's counter, and codes that are not ours, or not for
// the counter, are refused.
func TestScanRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	soap := e.item(store.NewItem{Name: "肥皂", Price: 30})
	e.stock(soap.ID, 10, "")
	vol := e.volunteer(1000)
	o := e.order(vol, map[int64]int{soap.ID: 1})
	other, err := e.reg.CreateStore(ctx, &principal.Principal{Name: "operator"}, org.NewStore{OrgID: e.org.ID, Name: "第二公益仓"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Scan(ctx, other.ID, o.PickupURL); !errors.Is(err, store.ErrWrongStore) {
		t.Fatalf("at another store: %v", err)
	}
	// Refused at the wrong store, the code is not spent: the right counter still takes it.
	if _, err := e.svc.Scan(ctx, e.storeID, o.PickupURL); err != nil {
		t.Fatalf("at the right store: %v", err)
	}
	cert, _, _ := e.codes.Issue(qr.Certificate, 5, 0, time.Time{})
	forged := o.PickupURL[:len(o.PickupURL)-2] + "AA"
	for _, c := range []struct {
		token string
		err   error
	}{
		{"", store.ErrCodeInvalid},
		{"hello", store.ErrCodeInvalid},
		{forged, store.ErrCodeInvalid},
		{cert, store.ErrCodeInvalid},
		{strings.Repeat("p", 5000), store.ErrCodeInvalid},
	} {
		if _, err := e.svc.Scan(ctx, e.storeID, c.token); !errors.Is(err, c.err) {
			t.Errorf("scan %q: %v", c.token, err)
		}
	}
}

// A walk-in sale: the member code shows the member, the sale spends it, and the same sale sent
// again (a double click, a retry, at once or later) charges once.
func TestWalkInSaleChargesOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	soap := e.item(store.NewItem{Name: "肥皂", Price: 30})
	towel := e.item(store.NewItem{Name: "毛巾", Price: 40, LimitQty: 3, LimitPeriod: store.Month})
	e.stock(soap.ID, 10, "")
	e.stock(towel.ID, 10, "")
	vol := e.volunteer(500)
	code, _, err := e.codes.MemberCode(vol.ID, e.clock.now())
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.Scan(ctx, e.storeID, qr.URL("https://tb.example", code))
	if err != nil || res.Kind != store.ScanMember || res.Member.UserID != vol.ID || res.Member.Available != 500 {
		t.Fatalf("member scan: %+v %v", res, err)
	}
	key := e.key()
	sale := store.NewSale{Store: e.storeID, MemberToken: code, Lines: []store.OrderLine{{Item: soap.ID, Qty: 2}, {Item: towel.ID, Qty: 1}}}
	ok, errs := race(6, func(int) error {
		_, err := e.svc.Sell(ctx, clerk, key, sale)
		return err
	})
	if ok != 6 {
		t.Fatalf("%d of 6 double clicks answered: %v", ok, errs)
	}
	if b := e.balance(vol); b.Posted != 400 || b.Pending != 0 {
		t.Fatalf("balance: %+v (charged more than once?)", b)
	}
	e.clock.advance(5 * time.Minute) // the member code has expired; the retry still gets its receipt
	s, err := e.svc.Sell(ctx, clerk, key, sale)
	if err != nil || !s.Order.Replayed || *s.Order.Charged != 100 || s.Member.Available != 400 {
		t.Fatalf("late retry: %+v %v", s, err)
	}
	// The spent code buys nothing more, and neither does an expired one.
	if _, err := e.svc.Sell(ctx, clerk, e.key(), sale); !errors.Is(err, store.ErrCodeExpired) {
		t.Fatalf("expired code: %v", err)
	}
	fresh, _, _ := e.codes.MemberCode(vol.ID, e.clock.now())
	sale.MemberToken = fresh
	if _, err := e.svc.Sell(ctx, clerk, e.key(), sale); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Sell(ctx, clerk, e.key(), sale); !errors.Is(err, store.ErrCodeUsed) {
		t.Fatalf("spent code: %v", err)
	}
	// Limits count sales: a third and fourth towel this month are too many.
	fresh, _, _ = e.codes.MemberCode(vol.ID, e.clock.now())
	_, err = e.svc.Sell(ctx, clerk, e.key(), store.NewSale{Store: e.storeID, MemberToken: fresh,
		Lines: []store.OrderLine{{Item: towel.ID, Qty: 2}}})
	if !errors.Is(err, store.ErrOverLimit) {
		t.Fatalf("over the limit: %v", err)
	}
	// Not enough credits: nothing is handed out.
	kettle := e.item(store.NewItem{Name: "电水壶", Category: "appliance", Price: 400})
	e.stock(kettle.ID, 1, "")
	fresh, _, _ = e.codes.MemberCode(vol.ID, e.clock.now())
	_, err = e.svc.Sell(ctx, clerk, e.key(), store.NewSale{Store: e.storeID, MemberToken: fresh,
		Lines: []store.OrderLine{{Item: soap.ID, Qty: 1}, {Item: kettle.ID, Qty: 1}}})
	if !errors.Is(err, ledger.ErrInsufficientFunds) || ledger.AccountOf(err) != vol.AccountCode {
		t.Fatalf("too expensive: %v", err)
	}
	if soap, kettle := e.itemNow(soap.ID), e.itemNow(kettle.ID); soap.OnHand != 6 || kettle.OnHand != 1 {
		t.Fatalf("on hand after a refused sale: soap %d, kettle %d", soap.OnHand, kettle.OnHand)
	}
	if b := e.balance(vol); b.Posted != 300 {
		t.Fatalf("balance: %+v", b)
	}
	e.consistent()
}
