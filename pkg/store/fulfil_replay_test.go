package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"timebank/pkg/store"
)

// A hand-out sent again with its idempotency key after its answer was lost is answered as the first
// was, once or by many retries at once; the key with another request is a conflict, and another
// key (or none) still learns the order was handed out. The order is charged once.
func TestFulfilRetriedWithItsKeyIsAReplay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	tea := e.item(store.NewItem{Name: "茶叶", Price: 40})
	e.stock(tea.ID, 10, "")
	vol := e.volunteer(1000)
	o := e.order(vol, map[int64]int{tea.ID: 2})
	one := []store.Handout{{Item: tea.ID, Qty: 1}}

	var (
		mu    sync.Mutex
		txIDs = map[int64]int{}
	)
	ok, errs := race(12, func(int) error { // the first send and its retries, racing
		got, err := e.svc.Fulfil(ctx, clerk, o.ID, one, "counter-1:req-77")
		if err == nil {
			if got.Status != store.StatusFulfilled || got.Charged == nil || *got.Charged != 40 || got.TransactionID == nil {
				t.Errorf("answer %+v", got)
				return nil
			}
			mu.Lock()
			txIDs[*got.TransactionID]++
			mu.Unlock()
		}
		return err
	})
	if ok != 12 || len(txIDs) != 1 {
		t.Fatalf("%d of 12 sends answered (%v), with transactions %v: want every one, with one transaction", ok, errs, txIDs)
	}
	for name, c := range map[string]struct {
		lines []store.Handout
		key   string
		want  error
	}{
		"the key with other lines": {nil, "counter-1:req-77", store.ErrIdempotencyConflict},
		"another key":              {one, "counter-1:req-78", store.ErrOrderFulfilled},
		"no key":                   {one, "", store.ErrOrderFulfilled},
	} {
		if _, err := e.svc.Fulfil(ctx, clerk, o.ID, c.lines, c.key); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	if _, err := e.svc.Fulfil(ctx, clerk, o.ID, one, "bad key with spaces"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a malformed key: %v", err)
	}
	b, err := e.l.PostgresBalance(ctx, vol.AccountCode)
	if err != nil || b.Posted != 960 || b.Pending != 0 {
		t.Fatalf("the volunteer's balance %+v %v: want 960 posted (charged once), nothing held", b, err)
	}
}
