package store_test

import (
	"context"
	"testing"
	"time"

	"timebank/pkg/store"
)

// What waits at a store: pending orders not yet expired (a cancelled one and one past its pickup
// time do not count), and active items at or below their low-stock threshold (stock reserved by an
// order is not available; an item without a threshold never counts). A store that does not exist is
// left out; the order of the stores asked for is kept.
func TestWaitingAtTheStore(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rice := e.item(store.NewItem{Name: "东北大米", Price: 30, LowStock: 3})
	soap := e.item(store.NewItem{Name: "香皂", Price: 10, LowStock: 2})
	e.item(store.NewItem{Name: "毛巾", Price: 10, LowStock: 1}) // no stock at all: low
	e.item(store.NewItem{Name: "牙刷", Price: 10})              // no threshold: never low
	e.stock(rice.ID, 5, "")
	e.stock(soap.ID, 6, "")

	got := func() store.Waiting {
		t.Helper()
		ws, err := e.svc.WaitingFor(ctx, []int64{e.storeID, e.storeID + 999})
		if err != nil || len(ws) != 1 || ws[0].StoreID != e.storeID || ws[0].Name != "硖石公益仓" {
			t.Fatalf("waiting: %+v %v", ws, err)
		}
		return ws[0]
	}
	if w := got(); w.ToHand != 0 || w.LowStock != 1 {
		t.Fatalf("before any order: %+v, want nothing to hand out and one item low", w)
	}
	vol := e.volunteer(600)
	var placed []store.Order
	for range 3 {
		o, err := e.svc.PlaceOrder(ctx, as(vol), e.key(), store.NewOrder{Store: e.storeID,
			Lines: []store.OrderLine{{Item: rice.ID, Qty: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		placed = append(placed, o)
	}
	// Three reserved leave two of the rice: at or below its threshold of three.
	if w := got(); w.ToHand != 3 || w.LowStock != 2 {
		t.Fatalf("after three orders: %+v, want 3 to hand out and two items low", w)
	}
	if _, err := e.svc.Cancel(ctx, as(vol), placed[0].ID); err != nil {
		t.Fatal(err)
	}
	if w := got(); w.ToHand != 2 || w.LowStock != 2 {
		t.Fatalf("after a cancellation: %+v, want 2 to hand out, the rice still at its threshold", w)
	}
	e.clock.advance(30 * 24 * time.Hour) // past every pickup time, before the worker expires them
	if w := got(); w.ToHand != 0 {
		t.Fatalf("orders past their pickup time still wait: %+v", w)
	}
	if ws, err := e.svc.WaitingFor(ctx, nil); err != nil || len(ws) != 0 {
		t.Fatalf("no stores: %+v %v", ws, err)
	}
}
