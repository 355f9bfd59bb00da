package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"timebank/pkg/identity"
	"timebank/pkg/store"
)

// A batch is answered beside the next one (its balances written to Redis, then its callers
// answered) while the runner goes on. Thirty volunteers each order one of the last 25 towels at
// once, and then send the same orders again at once under the same keys: 25 orders are placed,
// each once, a repeat gets its first's order, and Redis shows the hold by the time the answer
// comes. Two counters then hand each order out at once: one succeeds, the other is told it was
// handed out, and Redis shows the charge by the time the answer comes. No towel is sold twice and
// the books agree.
func TestAnswersComeAfterTheirProjection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const price, towels, people = 30, 25, 30
	towel := e.item(store.NewItem{Name: "毛巾", Category: "daily", Unit: "条", Price: price})
	e.stock(towel.ID, towels, "")
	vols := make([]identity.User, people)
	keys := make([]string, people)
	for i := range vols {
		vols[i], keys[i] = e.volunteer(100), e.key()
	}

	var (
		mu      sync.Mutex
		byVol   = map[int][]int64{} // the order ids each volunteer's two sends got
		stale   []string
		refused int
	)
	place := func(v int) error {
		o, err := e.svc.PlaceOrder(ctx, as(vols[v]), keys[v], store.NewOrder{Store: e.storeID,
			Lines: []store.OrderLine{{Item: towel.ID, Qty: 1}}})
		if err != nil {
			mu.Lock()
			refused++
			mu.Unlock()
			return err
		}
		b, berr := e.l.Balance(ctx, vols[v].AccountCode)
		mu.Lock()
		defer mu.Unlock()
		if berr != nil || b.Pending != price || b.Source != "redis" {
			stale = append(stale, vols[v].AccountCode)
		}
		byVol[v] = append(byVol[v], o.ID)
		return nil
	}
	ok, errs := race(people, place)
	again, errsAgain := race(people, place)
	ok, errs = ok+again, append(errs, errsAgain...)
	for _, err := range errs {
		if !errors.Is(err, store.ErrOutOfStock) {
			t.Fatalf("a refused order: %v", err)
		}
	}
	if len(stale) > 0 {
		t.Fatalf("answered before Redis showed the hold: %v", stale)
	}
	var placed []int64
	for v, ids := range byVol {
		if len(ids) != 2 || ids[0] != ids[1] {
			t.Fatalf("volunteer %d's two sends under one key got %v, want one order twice", v, ids)
		}
		placed = append(placed, ids[0])
	}
	if len(placed) != towels || ok+refused != 2*people {
		t.Fatalf("%d orders placed (%d answers), want %d", len(placed), ok, towels)
	}
	var inStore int
	if err := e.db.GetContext(ctx, &inStore, `SELECT count(*) FROM store_orders WHERE store_id = $1`, e.storeID); err != nil || inStore != towels {
		t.Fatalf("%d orders stored, %v; want %d", inStore, err, towels)
	}

	owner := map[int64]identity.User{}
	for v, ids := range byVol {
		owner[ids[0]] = vols[v]
	}
	stale = nil
	ok, errs = race(2*len(placed), func(i int) error {
		id := placed[i%len(placed)]
		_, err := e.svc.Fulfil(ctx, e.manager, id, nil, "")
		if err != nil {
			return err
		}
		b, berr := e.l.Balance(ctx, owner[id].AccountCode)
		if berr != nil || b.Posted != 100-price || b.Pending != 0 {
			mu.Lock()
			stale = append(stale, owner[id].AccountCode)
			mu.Unlock()
		}
		return nil
	})
	if ok != len(placed) {
		t.Fatalf("%d hand-outs succeeded, want one per order (%d)", ok, len(placed))
	}
	for _, err := range errs {
		if !errors.Is(err, store.ErrOrderFulfilled) {
			t.Fatalf("the second counter: %v, want already handed out", err)
		}
	}
	if len(stale) > 0 {
		t.Fatalf("answered before Redis showed the charge: %v", stale)
	}
	if it := e.itemNow(towel.ID); it.OnHand != 0 || it.Reserved != 0 {
		t.Fatalf("towels left: %+v, want none", it)
	}
	e.consistent()
}
