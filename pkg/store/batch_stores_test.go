package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"timebank/pkg/identity"
	"timebank/pkg/org"
	"timebank/pkg/principal"
	"timebank/pkg/store"
)

// Two stores at once: forty volunteers order the last five towels of each store at the same moment,
// and exactly five orders get each store's towels; handed out all at once (hand-outs of both stores
// in the same batches), each store's account receives its own five orders' credits.
func TestTwoStoresRaceTogether(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	second, err := e.reg.CreateStore(ctx, &principal.Principal{Name: "operator"}, org.NewStore{OrgID: e.org.ID, Name: "东山公益仓"})
	if err != nil {
		t.Fatal(err)
	}
	stores := []int64{e.storeID, second.ID}
	towels := make([]store.Item, len(stores))
	for i, id := range stores {
		if towels[i], err = e.svc.CreateItem(ctx, e.manager, id, store.NewItem{Name: "毛巾", Category: "daily", Unit: "条", Price: 30}); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.RecordDonation(ctx, e.manager, id, e.key(), store.NewDonation{Donor: store.Donor{Kind: store.DonorAnonymous},
			Lines: []store.DonationLine{{Item: towels[i].ID, Qty: 5}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	vols := make([]identity.User, 40)
	for i := range vols {
		vols[i] = e.volunteer(1_000)
	}

	var (
		mu     sync.Mutex
		placed []store.Order
	)
	ok, errs := race(len(vols), func(i int) error {
		o, err := e.svc.PlaceOrder(ctx, as(vols[i]), e.key(), store.NewOrder{Store: stores[i%2],
			Lines: []store.OrderLine{{Item: towels[i%2].ID, Qty: 1}}})
		if err == nil {
			mu.Lock()
			placed = append(placed, o)
			mu.Unlock()
		}
		return err
	})
	if ok != 10 {
		t.Fatalf("%d orders placed, want 5 in each store", ok)
	}
	for _, err := range errs {
		if !errors.Is(err, store.ErrOutOfStock) {
			t.Fatalf("a refused order: %v", err)
		}
	}
	if placedStats, _ := e.svc.BatchStats(); placedStats.Calls != 40 || placedStats.Batches < 1 || placedStats.Batches > 40 || placedStats.Fallbacks != 0 {
		t.Fatalf("placement batches: %+v, want 40 orders in 1 to 40 batches, none going one by one", placedStats)
	}
	perStore := map[int64]int{}
	for _, o := range placed {
		perStore[o.StoreID]++
	}
	if perStore[stores[0]] != 5 || perStore[stores[1]] != 5 {
		t.Fatalf("orders per store: %v", perStore)
	}

	ok, errs = race(len(placed), func(i int) error {
		_, err := e.svc.Fulfil(ctx, e.manager, placed[i].ID, nil, "")
		return err
	})
	if ok != len(placed) {
		t.Fatalf("%d of %d hand-outs: %v", ok, len(placed), errs)
	}
	if _, handed := e.svc.BatchStats(); handed.Calls != 10 || handed.Batches < 1 || handed.Fallbacks != 0 {
		t.Fatalf("hand-out batches: %+v, want 10 orders, none going one by one", handed)
	}
	for _, id := range stores {
		b, err := e.l.PostgresBalance(ctx, fmt.Sprintf("store:%d:redeemed", id))
		if err != nil || b.Posted != 5*30 {
			t.Fatalf("store %d: %+v, %v; want 150 received", id, b, err)
		}
	}
	e.consistent()
}
