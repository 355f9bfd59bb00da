package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"timebank/pkg/org"
	"timebank/pkg/principal"
	"timebank/pkg/store"
)

// Refusals name the item or the household and write nothing.
func TestAllocateRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	oil := e.item(store.NewItem{Name: "菜籽油", Category: "grain_oil", Unit: "桶", Price: 150})
	e.stock(oil.ID, 2, e.day(300))
	e.stock(oil.ID, 5, e.day(1))
	e.clock.advance(48 * time.Hour) // that lot is past its date now: not given out
	h := e.household("张伟")
	gone := e.household("赵六")
	if _, err := e.svc.DeactivateHousehold(ctx, e.manager, e.storeID, gone.ID); err != nil {
		t.Fatal(err)
	}
	second, err := e.reg.CreateStore(ctx, &principal.Principal{Name: "operator"}, org.NewStore{OrgID: e.org.ID, Name: "东山公益仓"})
	if err != nil {
		t.Fatal(err)
	}
	elsewhere, err := e.svc.RegisterHousehold(ctx, e.manager, second.ID, "", store.NewHousehold{Tier: store.TierBianyuan, Name: "钱七", Consent: true})
	if err != nil || elsewhere.Number != 1 {
		t.Fatalf("a household of the second store: %+v %v", elsewhere, err)
	}
	line := func(item int64, qty int) []store.OrderLine { return []store.OrderLine{{Item: item, Qty: qty}} }
	var le *store.LineError
	_, err = e.svc.Allocate(ctx, e.manager, e.key(), store.NewAid{Store: e.storeID, Household: h.ID, Lines: line(oil.ID, 3)})
	if !errors.Is(err, store.ErrOutOfStock) || !errors.As(err, &le) || le.Name != "菜籽油" || le.Path() != "lines[0].qty" {
		t.Errorf("out of stock: %v", err)
	}
	for _, c := range []struct {
		name string
		n    store.NewAid
		want error
	}{
		{"another store's household", store.NewAid{Store: e.storeID, Household: elsewhere.ID, Lines: line(oil.ID, 1)}, store.ErrHouseholdNotFound},
		{"an inactive household", store.NewAid{Store: e.storeID, Household: gone.ID, Lines: line(oil.ID, 1)}, store.ErrHouseholdInactive},
		{"an unknown item", store.NewAid{Store: e.storeID, Household: h.ID, Lines: line(999999, 1)}, store.ErrItemNotFound},
		{"an unknown store", store.NewAid{Store: 999999, Household: h.ID, Lines: line(oil.ID, 1)}, store.ErrStoreNotFound},
		{"no lines", store.NewAid{Store: e.storeID, Household: h.ID}, store.ErrInvalid},
		{"too many", store.NewAid{Store: e.storeID, Household: h.ID, Lines: line(oil.ID, 1001)}, store.ErrInvalid},
		{"twice the item", store.NewAid{Store: e.storeID, Household: h.ID,
			Lines: []store.OrderLine{{Item: oil.ID, Qty: 1}, {Item: oil.ID, Qty: 1}}}, store.ErrInvalid},
		{"no household", store.NewAid{Store: e.storeID, Lines: line(oil.ID, 1)}, store.ErrInvalid},
	} {
		if _, err := e.svc.Allocate(ctx, e.manager, e.key(), c.n); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := e.svc.Allocate(ctx, e.manager, "", store.NewAid{Store: e.storeID, Household: h.ID, Lines: line(oil.ID, 1)}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("no key: %v", err)
	}
	var aid, moves int
	if err := e.db.Get(&aid, `SELECT count(*) FROM store_aid`); err != nil || aid != 0 {
		t.Errorf("%d allocations written (%v)", aid, err)
	}
	if err := e.db.Get(&moves, `SELECT count(*) FROM store_movements WHERE kind = 'allocated'`); err != nil || moves != 0 {
		t.Errorf("%d movements written (%v)", moves, err)
	}
	if _, err := e.svc.Aid(ctx, second.ID, 1); !errors.Is(err, store.ErrAidNotFound) {
		t.Errorf("an unknown allocation: %v", err)
	}
	e.consistent()
}

// Thirty allocations race for the last five units: exactly five get one, the rest are told it is
// out of stock, and no lot goes below zero.
func TestAllocateRaceForTheLastUnits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	flour := e.item(store.NewItem{Name: "面粉", Category: "grain_oil", Unit: "袋", Price: 60})
	e.stock(flour.ID, 3, e.day(100))
	e.stock(flour.ID, 2, e.day(200))
	h := e.household("孙八")
	const racers = 30
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		ok, empty int
		others    []error
	)
	start := make(chan struct{})
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := e.svc.Allocate(ctx, e.manager, fmt.Sprintf("race-%d", i),
				store.NewAid{Store: e.storeID, Household: h.ID, Lines: []store.OrderLine{{Item: flour.ID, Qty: 1}}})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrOutOfStock):
				empty++
			default:
				others = append(others, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if ok != 5 || empty != racers-5 || len(others) > 0 {
		t.Fatalf("%d allocated, %d out of stock, other errors %v", ok, empty, others)
	}
	var units int
	if err := e.db.Get(&units, `SELECT coalesce(-sum(on_hand_delta), 0) FROM store_movements WHERE kind = 'allocated'`); err != nil || units != 5 {
		t.Errorf("%d units allocated (%v)", units, err)
	}
	if it := e.itemNow(flour.ID); it.OnHand != 0 {
		t.Errorf("flour left: %+v", it)
	}
	e.consistent()
}
