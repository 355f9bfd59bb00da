package store_test

import (
	"context"
	"errors"
	"testing"

	"timebank/pkg/store"
)

// The store of an order, which the counter's authorization asks before every hand-out: the process
// that placed the order knows it without asking PostgreSQL, another process reads it, and an order
// that does not exist is not found in either (nor after it was asked for once).
func TestOrderStore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	soap := e.item(store.NewItem{Name: "肥皂", Category: "daily", Unit: "块", Price: 30})
	e.stock(soap.ID, 5, e.day(200))
	o, err := e.svc.PlaceOrder(ctx, as(e.volunteer(500)), e.key(), store.NewOrder{Store: e.storeID,
		Lines: []store.OrderLine{{Item: soap.ID, Qty: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	other := store.New(e.l, e.users, e.codes, e.rdb, store.Options{BaseURL: "https://tb.example", RedisPrefix: e.prefix})
	for name, svc := range map[string]*store.Service{"placing process": e.svc, "other process": other} {
		for range 2 {
			if got, err := svc.OrderStore(ctx, o.ID); err != nil || got != e.storeID {
				t.Errorf("%s: order %d in store %d (%v), want %d", name, o.ID, got, err, e.storeID)
			}
			if got, err := svc.OrderStore(ctx, o.ID+1_000_000); !errors.Is(err, store.ErrOrderNotFound) {
				t.Errorf("%s: a missing order gave store %d, %v", name, got, err)
			}
		}
	}
}
