package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"timebank/ledger"
	"timebank/pkg/identity"
	"timebank/pkg/store"
)

// race runs f n times at once and returns how many succeeded and the errors of the rest.
func race(n int, f func(i int) error) (int, []error) {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		ok    int
		errs  []error
		start = make(chan struct{})
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := f(i)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				ok++
			} else {
				errs = append(errs, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	return ok, errs
}

// The last unit: 100 volunteers order the one bag of rice at the same moment. Exactly one gets it;
// the others are told that this item, on their first line, is out of stock.
func TestLastUnitGoesToExactlyOneOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	rice := e.item(store.NewItem{Name: "大米 5kg", Category: "grain_oil", Unit: "袋", Price: 120})
	e.stock(rice.ID, 1, e.day(200))
	vols := make([]identity.User, 100)
	for i := range vols {
		vols[i] = e.volunteer(500)
	}
	ok, errs := race(100, func(i int) error {
		_, err := e.svc.PlaceOrder(ctx, as(vols[i]), e.key(), store.NewOrder{Store: e.storeID,
			Lines: []store.OrderLine{{Item: rice.ID, Qty: 1}}})
		return err
	})
	if ok != 1 {
		t.Fatalf("%d orders got the last unit", ok)
	}
	for _, err := range errs {
		var le *store.LineError
		if !errors.Is(err, store.ErrOutOfStock) || !errors.As(err, &le) || le.Item != rice.ID || le.Line != 0 ||
			le.Name != "大米 5kg" || le.Reason != store.ReasonOutOfStock {
			t.Fatalf("a losing order: %v", err)
		}
	}
	if it := e.itemNow(rice.ID); it.OnHand != 1 || it.Reserved != 1 || it.Available != 0 {
		t.Fatalf("stock after the race: %+v", it)
	}
	held := 0
	for _, v := range vols {
		b := e.balance(v)
		switch {
		case b.Pending == 120 && b.Available == 380:
			held++
		case b.Pending != 0 || b.Available != 500:
			t.Errorf("%s: %+v", v.AccountCode, b)
		}
	}
	if held != 1 {
		t.Errorf("%d volunteers have credits held", held)
	}
	var orders int
	if err := e.db.GetContext(ctx, &orders, `SELECT count(*) FROM store_orders`); err != nil || orders != 1 {
		t.Errorf("%d order rows (%v): refused orders must leave nothing behind", orders, err)
	}
	e.consistent()
}

// A volunteer with credits for exactly three orders places twenty at once: three succeed, the
// rest are refused for insufficient funds naming the account, and the available balance never
// goes below zero.
func TestCreditsForThreeOfTwentyConcurrentOrders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	oil := e.item(store.NewItem{Name: "食用油 5L", Category: "grain_oil", Unit: "桶", Price: 200})
	e.stock(oil.ID, 100, e.day(300))
	vol := e.volunteer(3*200 + 199)

	var sawNegative atomic.Bool
	stop := make(chan struct{})
	var watcher sync.WaitGroup
	watcher.Add(1)
	go func() { // reads the balance while the orders race
		defer watcher.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if b, err := e.l.Balance(ctx, vol.AccountCode); err == nil && b.Available < 0 {
				sawNegative.Store(true)
			}
		}
	}()
	ok, errs := race(20, func(int) error {
		_, err := e.svc.PlaceOrder(ctx, as(vol), e.key(), store.NewOrder{Store: e.storeID,
			Lines: []store.OrderLine{{Item: oil.ID, Qty: 1}}})
		return err
	})
	close(stop)
	watcher.Wait()
	if ok != 3 {
		t.Fatalf("%d of 20 orders succeeded, want 3", ok)
	}
	for _, err := range errs {
		if !errors.Is(err, ledger.ErrInsufficientFunds) || ledger.AccountOf(err) != vol.AccountCode {
			t.Fatalf("a refused order: %v", err)
		}
	}
	if sawNegative.Load() {
		t.Error("the available balance was seen below zero")
	}
	if b := e.balance(vol); b.Posted != 799 || b.Pending != 600 || b.Available != 199 {
		t.Fatalf("balance: %+v", b)
	}
	if it := e.itemNow(oil.ID); it.Reserved != 3 || it.OnHand != 100 {
		t.Fatalf("stock: %+v", it)
	}
	e.consistent()
}

// Limits hold across concurrent orders of one person: with at most 2 a week, ten orders of one
// unit at once give exactly two. Another person is not affected, and a cancelled order gives its
// allowance back.
func TestPerPersonLimitAcrossConcurrentOrders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	eggs := e.item(store.NewItem{Name: "鸡蛋 10枚", Category: "food", Unit: "盒", Price: 50, LimitQty: 2, LimitPeriod: store.Week})
	e.stock(eggs.ID, 100, e.day(30))
	if _, err := e.svc.SetPolicy(ctx, e.manager, e.storeID, func() store.Policy {
		p := store.DefaultPolicy()
		p.PickupHours = 24
		return p
	}()); err != nil {
		t.Fatal(err)
	}
	vol, other := e.volunteer(10_000), e.volunteer(10_000)
	var mu sync.Mutex
	var placed []store.Order
	ok, errs := race(10, func(int) error {
		o, err := e.svc.PlaceOrder(ctx, as(vol), e.key(), store.NewOrder{Store: e.storeID,
			Lines: []store.OrderLine{{Item: eggs.ID, Qty: 1}}})
		if err == nil {
			mu.Lock()
			placed = append(placed, o)
			mu.Unlock()
		}
		return err
	})
	if ok != 2 {
		t.Fatalf("%d orders under a limit of 2", ok)
	}
	for _, err := range errs {
		var le *store.LineError
		if !errors.Is(err, store.ErrOverLimit) || !errors.As(err, &le) || le.Item != eggs.ID || le.Field != "qty" {
			t.Fatalf("an order over the limit: %v", err)
		}
	}
	if _, err := e.svc.PlaceOrder(ctx, as(other), e.key(), store.NewOrder{Store: e.storeID,
		Lines: []store.OrderLine{{Item: eggs.ID, Qty: 2}}}); err != nil {
		t.Fatalf("another volunteer: %v", err)
	}
	if _, err := e.svc.Cancel(ctx, as(vol), placed[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.PlaceOrder(ctx, as(vol), e.key(), store.NewOrder{Store: e.storeID,
		Lines: []store.OrderLine{{Item: eggs.ID, Qty: 1}}}); err != nil {
		t.Fatalf("after a cancellation the allowance is back: %v", err)
	}
	if _, err := e.svc.PlaceOrder(ctx, as(vol), e.key(), store.NewOrder{Store: e.storeID,
		Lines: []store.OrderLine{{Item: eggs.ID, Qty: 1}}}); !errors.Is(err, store.ErrOverLimit) {
		t.Fatalf("third egg box this week: %v", err)
	}
	// Next week the limit starts again (the pending orders expire meanwhile, the handed-out count).
	e.clock.advance(8 * 24 * time.Hour)
	if _, err := e.svc.PlaceOrder(ctx, as(vol), e.key(), store.NewOrder{Store: e.storeID,
		Lines: []store.OrderLine{{Item: eggs.ID, Qty: 2}}}); err != nil {
		t.Fatalf("next week: %v", err)
	}
	e.consistent()
}

// A refused order says which line and item and why, and changes nothing: no order, no hold, no
// reservation.
func TestRefusedOrderNamesTheItemAndChangesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	soap := e.item(store.NewItem{Name: "肥皂", Price: 30})
	towel := e.item(store.NewItem{Name: "毛巾", Price: 40})
	off := false
	old := e.item(store.NewItem{Name: "旧款水杯", Price: 40, Active: &off})
	star := e.item(store.NewItem{Name: "电饭煲", Category: "appliance", Price: 3000, MinStars: 2})
	e.stock(soap.ID, 10, "")
	e.stock(towel.ID, 1, "")
	e.stock(old.ID, 5, "")
	e.stock(star.ID, 5, "")
	vol := e.volunteer(10_000)
	e.stars.levels[vol.ID] = 1

	for _, c := range []struct {
		name   string
		lines  []store.OrderLine
		err    error
		line   int
		item   int64
		reason string
	}{
		{"second line out of stock", []store.OrderLine{{Item: soap.ID, Qty: 2}, {Item: towel.ID, Qty: 2}}, store.ErrOutOfStock, 1, towel.ID, store.ReasonOutOfStock},
		{"inactive item", []store.OrderLine{{Item: soap.ID, Qty: 1}, {Item: old.ID, Qty: 1}}, store.ErrItemUnavailable, 1, old.ID, store.ReasonInactive},
		{"stars", []store.OrderLine{{Item: star.ID, Qty: 1}}, store.ErrStarsRequired, 0, star.ID, store.ReasonStars},
		{"unknown item", []store.OrderLine{{Item: soap.ID, Qty: 1}, {Item: 99999, Qty: 1}}, store.ErrItemNotFound, 1, 99999, "not_found"},
	} {
		_, err := e.svc.PlaceOrder(ctx, as(vol), e.key(), store.NewOrder{Store: e.storeID, Lines: c.lines})
		var le *store.LineError
		if !errors.Is(err, c.err) || !errors.As(err, &le) || le.Line != c.line || le.Item != c.item || le.Reason != c.reason {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	poor := e.volunteer(10)
	if _, err := e.svc.PlaceOrder(ctx, as(poor), e.key(), store.NewOrder{Store: e.storeID,
		Lines: []store.OrderLine{{Item: soap.ID, Qty: 1}}}); !errors.Is(err, ledger.ErrInsufficientFunds) {
		t.Errorf("not enough credits: %v", err)
	}
	for _, bad := range []store.NewOrder{
		{Store: e.storeID},
		{Lines: []store.OrderLine{{Item: soap.ID, Qty: 1}}},
		{Store: e.storeID, Lines: []store.OrderLine{{Item: soap.ID, Qty: 0}}},
		{Store: e.storeID, Lines: []store.OrderLine{{Item: soap.ID, Qty: 1001}}},
		{Store: e.storeID, Lines: []store.OrderLine{{Item: soap.ID, Qty: 1}, {Item: soap.ID, Qty: 1}}},
	} {
		if _, err := e.svc.PlaceOrder(ctx, as(vol), e.key(), bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("order %+v: %v", bad, err)
		}
	}
	if _, err := e.svc.PlaceOrder(ctx, as(vol), e.key(), store.NewOrder{Store: 9999,
		Lines: []store.OrderLine{{Item: soap.ID, Qty: 1}}}); !errors.Is(err, store.ErrStoreNotFound) {
		t.Errorf("unknown store: %v", err)
	}
	var orders, moves int
	_ = e.db.GetContext(ctx, &orders, `SELECT count(*) FROM store_orders`)
	_ = e.db.GetContext(ctx, &moves, `SELECT count(*) FROM store_movements WHERE kind <> 'received'`)
	if orders != 0 || moves != 0 {
		t.Errorf("refused orders left %d orders and %d movements", orders, moves)
	}
	if b := e.balance(vol); b.Pending != 0 || b.Available != 10_000 {
		t.Errorf("balance after refusals: %+v", b)
	}
	e.stars.levels[vol.ID] = 2
	if _, err := e.svc.PlaceOrder(ctx, as(vol), e.key(), store.NewOrder{Store: e.storeID,
		Lines: []store.OrderLine{{Item: star.ID, Qty: 1}}}); err != nil {
		t.Errorf("with two stars: %v", err)
	}
	e.consistent()
}

// The same idempotency key gives one order however often and however concurrently it is sent; a
// different order under the same key is a conflict.
func TestOrderIdempotency(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	soap := e.item(store.NewItem{Name: "肥皂", Price: 30})
	e.stock(soap.ID, 50, "")
	vol := e.volunteer(1000)
	key := e.key()
	order := store.NewOrder{Store: e.storeID, Lines: []store.OrderLine{{Item: soap.ID, Qty: 2}}}
	var mu sync.Mutex
	ids := map[int64]int{}
	replays := 0
	ok, errs := race(10, func(int) error {
		o, err := e.svc.PlaceOrder(ctx, as(vol), key, order)
		if err == nil {
			mu.Lock()
			ids[o.ID]++
			if o.Replayed {
				replays++
			}
			mu.Unlock()
		}
		return err
	})
	if ok != 10 || len(ids) != 1 || replays != 9 {
		t.Fatalf("ok %d, orders %v, replays %d, errors %v", ok, ids, replays, errs)
	}
	if b := e.balance(vol); b.Pending != 60 {
		t.Fatalf("held %d, want 60 (once)", b.Pending)
	}
	order.Lines[0].Qty = 3
	if _, err := e.svc.PlaceOrder(ctx, as(vol), key, order); !errors.Is(err, store.ErrIdempotencyConflict) {
		t.Fatalf("another order under the same key: %v", err)
	}
	// Repeats racing an order for the last units and the last credits are replays, not refusals for
	// the stock and credits the first took.
	last := e.item(store.NewItem{Name: "最后的米", Price: 100})
	e.stock(last.ID, 2, "")
	poor := e.volunteer(200)
	key = e.key()
	ids, replays = map[int64]int{}, 0
	ok, errs = race(10, func(int) error {
		o, err := e.svc.PlaceOrder(ctx, as(poor), key, store.NewOrder{Store: e.storeID,
			Lines: []store.OrderLine{{Item: last.ID, Qty: 2}}})
		if err == nil {
			mu.Lock()
			ids[o.ID]++
			if o.Replayed {
				replays++
			}
			mu.Unlock()
		}
		return err
	})
	if ok != 10 || len(ids) != 1 || replays != 9 {
		t.Fatalf("last units: ok %d, orders %v, replays %d, errors %v", ok, ids, replays, errs)
	}
	// Another person's identical key is theirs alone.
	other := e.volunteer(1000)
	if o, err := e.svc.PlaceOrder(ctx, as(other), key, store.NewOrder{Store: e.storeID,
		Lines: []store.OrderLine{{Item: soap.ID, Qty: 2}}}); err != nil || o.Replayed {
		t.Fatalf("another volunteer, same key: %+v %v", o, err)
	}
	e.consistent()
}
