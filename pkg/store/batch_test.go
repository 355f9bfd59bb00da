package store_test

import (
	"context"
	"errors"
	"testing"

	"timebank/ledger"
	"timebank/pkg/principal"
	"timebank/pkg/store"
)

// Orders that arrive at the same moment are placed in one transaction and decided in arrival order
// exactly as one after another would be: the last units go to the first, a limit counts the
// batch's earlier orders, credits run out for the later ones; a refusal names its line and
// changes nothing. Handed out together, each order is charged what it gave.
func TestOrdersPlacedAndHandedOutTogether(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	rice := e.item(store.NewItem{Name: "大米 5kg", Category: "grain_oil", Unit: "袋", Price: 100})
	eggs := e.item(store.NewItem{Name: "鸡蛋 10枚", Category: "food", Unit: "盒", Price: 50, LimitQty: 2, LimitPeriod: store.Month})
	e.stock(rice.ID, 3, e.day(300))
	e.stock(eggs.ID, 10, e.day(30))
	rich, poor, late := e.volunteer(10_000), e.volunteer(50), e.volunteer(10_000)

	line := func(item int64, qty int) store.NewOrder {
		return store.NewOrder{Store: e.storeID, Lines: []store.OrderLine{{Item: item, Qty: qty}}}
	}
	actors := []*principal.Principal{as(rich), as(late), as(poor), as(poor), as(rich), as(rich)}
	orders := []store.NewOrder{
		line(rice.ID, 2), // 0: two of the three bags
		line(rice.ID, 2), // 1: one bag left: out of stock
		line(eggs.ID, 1), // 2: all of poor's 50 minutes
		line(eggs.ID, 1), // 3: poor has nothing left
		line(eggs.ID, 2), // 4: rich's two a month
		line(eggs.ID, 1), // 5: a third for rich: over the limit
	}
	keys := make([]string, len(orders))
	for i := range keys {
		keys[i] = e.key()
	}
	got, errs, batched := e.svc.PlaceTogether(ctx, actors, keys, orders)
	if !batched {
		t.Fatal("the orders were placed one by one, not as one batch")
	}
	for _, i := range []int{0, 2, 4} {
		if errs[i] != nil || got[i].Status != store.StatusPending || got[i].PickupURL == "" || got[i].HoldID == nil {
			t.Fatalf("order %d: %+v, %v", i, got[i], errs[i])
		}
	}
	var le *store.LineError
	if !errors.Is(errs[1], store.ErrOutOfStock) || !errors.As(errs[1], &le) || le.Item != rice.ID {
		t.Fatalf("order 1: %v, want out of stock naming the rice", errs[1])
	}
	if !errors.Is(errs[3], ledger.ErrInsufficientFunds) || ledger.AccountOf(errs[3]) != poor.AccountCode {
		t.Fatalf("order 3: %v, want insufficient funds naming %s", errs[3], poor.AccountCode)
	}
	if !errors.Is(errs[5], store.ErrOverLimit) || !errors.As(errs[5], &le) || le.Item != eggs.ID {
		t.Fatalf("order 5: %v, want over the limit naming the eggs", errs[5])
	}
	if it := e.itemNow(rice.ID); it.Reserved != 2 || it.OnHand != 3 {
		t.Fatalf("rice: %+v", it)
	}
	if it := e.itemNow(eggs.ID); it.Reserved != 3 || it.OnHand != 10 {
		t.Fatalf("eggs: %+v", it)
	}
	if b := e.balance(rich); b.Pending != 300 {
		t.Fatalf("rich: %+v, want 300 held", b)
	}
	if b := e.balance(poor); b.Pending != 50 || b.Available != 0 {
		t.Fatalf("poor: %+v, want all 50 held", b)
	}
	if b := e.balance(late); b.Pending != 0 {
		t.Fatalf("late: %+v, want nothing held", b)
	}
	// A repeat of a placed order is a replay, alone as in a batch.
	again, err := e.svc.PlaceOrder(ctx, as(rich), keys[0], orders[0])
	if err != nil || !again.Replayed || again.ID != got[0].ID {
		t.Fatalf("repeat of order 0: %+v, %v", again, err)
	}
	e.consistent()

	// Two counters hand out three orders at once (one in part) and ask for one that does not exist.
	counter := e.manager
	ids := []int64{got[0].ID, got[2].ID, got[4].ID, 1 << 40}
	handed, herrs, batched := e.svc.FulfilTogether(ctx, []*principal.Principal{counter, counter, counter, counter}, ids,
		[][]store.Handout{nil, nil, {{Item: eggs.ID, Qty: 1}}, nil})
	if !batched {
		t.Fatal("the hand-outs were made one by one, not as one batch")
	}
	for i, want := range []int64{200, 50, 50} {
		o := handed[i]
		if herrs[i] != nil || o.Status != store.StatusFulfilled || o.Charged == nil || *o.Charged != want || o.TransactionID == nil {
			t.Fatalf("hand-out %d: %+v, %v; want fulfilled for %d", i, o, herrs[i], want)
		}
	}
	if !errors.Is(herrs[3], store.ErrOrderNotFound) {
		t.Fatalf("unknown order: %v", herrs[3])
	}
	if it := e.itemNow(rice.ID); it.Reserved != 0 || it.OnHand != 1 {
		t.Fatalf("rice after hand-out: %+v", it)
	}
	if it := e.itemNow(eggs.ID); it.Reserved != 0 || it.OnHand != 8 { // one of rich's two went back
		t.Fatalf("eggs after hand-out: %+v", it)
	}
	if b := e.balance(rich); b.Pending != 0 || b.Posted != 10_000-250 {
		t.Fatalf("rich after hand-out: %+v", b)
	}
	if b := e.balance(poor); b.Pending != 0 || b.Posted != 0 {
		t.Fatalf("poor after hand-out: %+v", b)
	}
	for i, id := range ids[:3] {
		o, err := e.svc.Order(ctx, id)
		if err != nil || o.Status != store.StatusFulfilled || *o.Charged != *handed[i].Charged {
			t.Fatalf("order %d as stored: %+v, %v", id, o, err)
		}
	}
	// A second hand-out of the same order, alone or in a batch, is refused.
	_, herrs, _ = e.svc.FulfilTogether(ctx, []*principal.Principal{counter, counter}, ids[:2], [][]store.Handout{nil, nil})
	for i, err := range herrs {
		if !errors.Is(err, store.ErrOrderFulfilled) {
			t.Fatalf("second hand-out %d: %v", i, err)
		}
	}
	e.consistent()
}

// The same key twice in one batch (a double click) is not placed twice: the batch goes one by one
// and the repeat replays the first.
func TestRepeatInOneBatchIsPlacedOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	rice := e.item(store.NewItem{Name: "大米 5kg", Category: "grain_oil", Unit: "袋", Price: 100})
	e.stock(rice.ID, 5, e.day(300))
	vol := e.volunteer(1_000)
	order := store.NewOrder{Store: e.storeID, Lines: []store.OrderLine{{Item: rice.ID, Qty: 1}}}
	key := e.key()
	got, errs, batched := e.svc.PlaceTogether(ctx, []*principal.Principal{as(vol), as(vol)}, []string{key, key},
		[]store.NewOrder{order, order})
	if batched {
		t.Fatal("a batch with one key twice went as one")
	}
	if errs[0] != nil || errs[1] != nil || got[0].ID != got[1].ID || got[0].Replayed || !got[1].Replayed {
		t.Fatalf("double click: %+v / %v, %+v / %v", got[0], errs[0], got[1], errs[1])
	}
	if b := e.balance(vol); b.Pending != 100 {
		t.Fatalf("held %d, want one order's 100", b.Pending)
	}
	e.consistent()
}

// A batch of hand-outs that cannot go as one (here a hold released by hand in the ledger) is handed
// out order by order: the others are handed out, the one says why it cannot be, and the books agree.
func TestHandOutBatchFallsBackOneByOne(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	rice := e.item(store.NewItem{Name: "大米 5kg", Category: "grain_oil", Unit: "袋", Price: 100})
	e.stock(rice.ID, 10, e.day(300))
	vols := []*principal.Principal{as(e.volunteer(1_000)), as(e.volunteer(1_000)), as(e.volunteer(1_000))}
	order := store.NewOrder{Store: e.storeID, Lines: []store.OrderLine{{Item: rice.ID, Qty: 1}}}
	placed, errs, batched := e.svc.PlaceTogether(ctx, vols, []string{e.key(), e.key(), e.key()},
		[]store.NewOrder{order, order, order})
	if !batched || errs[0] != nil || errs[1] != nil || errs[2] != nil {
		t.Fatalf("placing: batched %v, %v", batched, errs)
	}
	if _, err := e.l.VoidHold(ctx, *placed[1].HoldID); err != nil {
		t.Fatal(err)
	}
	ids := []int64{placed[0].ID, placed[1].ID, placed[2].ID}
	handed, herrs, batched := e.svc.FulfilTogether(ctx, []*principal.Principal{e.manager, e.manager, e.manager}, ids,
		[][]store.Handout{nil, nil, nil})
	if batched {
		t.Fatal("a batch with a voided hold went as one")
	}
	for _, i := range []int{0, 2} {
		if herrs[i] != nil || handed[i].Status != store.StatusFulfilled {
			t.Fatalf("order %d: %+v, %v", i, handed[i], herrs[i])
		}
	}
	if !errors.Is(herrs[1], ledger.ErrHoldResolved) {
		t.Fatalf("the order with the voided hold: %v, want ErrHoldResolved", herrs[1])
	}
	if o, err := e.svc.Order(ctx, ids[1]); err != nil || o.Status != store.StatusPending {
		t.Fatalf("the order with the voided hold is %+v, %v; want it still pending", o, err)
	}
	if it := e.itemNow(rice.ID); it.OnHand != 8 || it.Reserved != 1 {
		t.Fatalf("rice: %+v, want 2 handed out and 1 still reserved", it)
	}
	e.consistent()
}
