package store_test

import (
	"context"
	"testing"
	"time"

	"timebank/pkg/principal"
	"timebank/pkg/store"
)

// readyNotices returns the "order ready" notices waiting in the outbox for the order: its store's
// name and when it expires, as written.
func readyNotices(t *testing.T, e *env, o store.Order) []struct {
	Store     string    `db:"store"`
	ExpiresAt time.Time `db:"expires_at"`
} {
	t.Helper()
	var out []struct {
		Store     string    `db:"store"`
		ExpiresAt time.Time `db:"expires_at"`
	}
	err := e.db.SelectContext(context.Background(), &out, `
SELECT params->>'store' AS store, (params->>'expires_at')::timestamptz AS expires_at FROM notification_outbox
WHERE user_id = $1 AND kind = 'order_ready' AND (params->>'order')::bigint = $2`, o.UserID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Placing an order tells the volunteer, in the same transaction, that the goods wait at the store
// until the order expires: once per order, alone or in a batch; a refused order and a replay tell
// nothing.
func TestOrderReadyNotice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	soap := e.item(store.NewItem{Name: "肥皂", Category: "daily", Unit: "块", Price: 30})
	e.stock(soap.ID, 5, "")
	vol, poor := e.volunteer(1000), e.volunteer(10)

	o := e.order(vol, map[int64]int{soap.ID: 1})
	got := readyNotices(t, e, o)
	if len(got) != 1 || got[0].Store != "硖石公益仓" || o.ExpiresAt == nil || !got[0].ExpiresAt.Equal(*o.ExpiresAt) {
		t.Fatalf("order %d: notices %+v, want one naming the store and %v", o.ID, got, o.ExpiresAt)
	}
	// The same request again replays the order and tells nothing more.
	key := e.key()
	n := store.NewOrder{Store: e.storeID, Lines: []store.OrderLine{{Item: soap.ID, Qty: 1}}}
	first, err := e.svc.PlaceOrder(ctx, as(vol), key, n)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.svc.PlaceOrder(ctx, as(vol), key, n)
	if err != nil || !again.Replayed || again.ID != first.ID {
		t.Fatalf("replay: %+v %v", again, err)
	}
	if got := readyNotices(t, e, first); len(got) != 1 {
		t.Fatalf("a replayed order: %d notices, want 1", len(got))
	}

	// A batch: the two placed orders are told, the refused one is not.
	lines := []store.NewOrder{n, n, n}
	placed, errs, batched := e.svc.PlaceTogether(ctx, []*principal.Principal{as(vol), as(poor), as(vol)},
		[]string{e.key(), e.key(), e.key()}, lines)
	if !batched || errs[0] != nil || errs[1] == nil || errs[2] != nil {
		t.Fatalf("batch: batched %v, errors %v", batched, errs)
	}
	for _, i := range []int{0, 2} {
		if got := readyNotices(t, e, placed[i]); len(got) != 1 || got[0].Store != "硖石公益仓" {
			t.Fatalf("batch order %d: notices %+v", i, got)
		}
	}
	var total int
	if err := e.db.GetContext(ctx, &total, `SELECT count(*) FROM notification_outbox WHERE kind = 'order_ready'`); err != nil {
		t.Fatal(err)
	}
	if total != 4 {
		t.Fatalf("%d order-ready notices in all, want 4 (none for the refused order)", total)
	}
}
