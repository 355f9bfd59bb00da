package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"timebank/pkg/identity"
	"timebank/pkg/store"
)

// The database itself refuses to let lots change outside the journal, the journal to change at
// all, and a lot to go below zero or reserve more than it holds.
func TestStockInvariantsInTheDatabase(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	soap := e.item(store.NewItem{Name: "肥皂", Price: 30})
	ack := e.stock(soap.ID, 5, "")
	lot := ack.Lines[0].LotID

	for _, c := range []struct{ name, sql string }{
		{"lot quantity by hand", `UPDATE store_lots SET on_hand = 50 WHERE id = $1`},
		{"lot reserved by hand", `UPDATE store_lots SET reserved = 1 WHERE id = $1`},
		{"lot moved to another item", `UPDATE store_lots SET best_before = '2030-01-01' WHERE id = $1`},
		{"lot deleted", `DELETE FROM store_lots WHERE id = $1`},
		{"movement edited", `UPDATE store_movements SET on_hand_delta = 500 WHERE lot_id = $1`},
		{"movement deleted", `DELETE FROM store_movements WHERE lot_id = $1`},
		// Movements written as the service writes them, each with its lot's state after it.
		{"below zero", moveSQL(`'written_off', -6, 0, on_hand - 6, reserved, 'lost'`)},
		{"reserve past on-hand", moveSQL(`'reserved', 0, 6, on_hand, reserved + 6, NULL`)},
		{"write-off without a reason", moveSQL(`'written_off', -1, 0, on_hand - 1, reserved, NULL`)},
		{"received with a negative quantity", moveSQL(`'received', -1, 0, on_hand - 1, reserved, NULL`)},
		// and movements whose state after them does not follow from their lot.
		{"after that does not follow", moveSQL(`'received', 1, 0, on_hand + 2, reserved, NULL`)},
		{"after of a second movement that does not follow", `INSERT INTO store_movements (store_id, item_id, lot_id, kind,
		    on_hand_delta, reserved_delta, on_hand_after, reserved_after, ref, actor)
		    SELECT store_id, item_id, id, 'received', 1, 0, on_hand + n, reserved, 'donation:1', 'test'
		    FROM store_lots, (VALUES (1), (1)) AS v (n) WHERE id = $1`},
		{"after of no lot state", `INSERT INTO store_movements (store_id, item_id, lot_id, kind, on_hand_delta, reserved_delta,
		    on_hand_after, reserved_after, ref, actor) VALUES (1, 1, $1, 'received', 1, 0, 1000, 0, 'donation:1', 'test')`},
	} {
		if _, err := e.db.ExecContext(ctx, c.sql, lot); err == nil {
			t.Errorf("%s: the database accepted it", c.name)
		}
	}
	// The same by hand, following the lot, is accepted (and rolled back).
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO store_movements (store_id, item_id, lot_id, kind,
	    on_hand_delta, reserved_delta, on_hand_after, reserved_after, ref, actor)
	    SELECT store_id, item_id, id, 'received', 1, 0, on_hand + n, reserved, 'donation:1', 'test'
	    FROM store_lots, (VALUES (1), (2)) AS v (n) WHERE id = $1 ORDER BY n`, lot); err != nil {
		t.Errorf("two movements that follow their lot: %v", err)
	}
	_ = tx.Rollback()
	if _, err := e.db.ExecContext(ctx, `TRUNCATE store_movements CASCADE`); err == nil {
		t.Error("TRUNCATE of the journal was accepted")
	}
	if _, err := e.db.ExecContext(ctx, `INSERT INTO store_lots (store_id, item_id, source, on_hand) VALUES ($1, $2, 'other', 9)`,
		e.storeID, soap.ID); err == nil {
		t.Error("a lot was created with stock outside the journal")
	}
	if it := e.itemNow(soap.ID); it.OnHand != 5 || it.Reserved != 0 || it.Available != 5 {
		t.Errorf("after refused changes: %+v", it)
	}
	e.consistent()
}

// moveSQL inserts a movement of the lot $1 by hand: kind, deltas, the state after it and the reason,
// as expressions over the lot's row.
func moveSQL(values string) string {
	return `INSERT INTO store_movements (store_id, item_id, lot_id, kind, on_hand_delta, reserved_delta, on_hand_after,
	    reserved_after, reason, ref, actor)
	SELECT store_id, item_id, id, ` + values + `, 'donation:1', 'test' FROM store_lots WHERE id = $1`
}

// Write-offs and counts append movements; the journal's sums stay equal to every lot, reserved
// stock cannot be written off or counted away, and the idempotency key makes a retry harmless.
func TestWriteOffsAndCountsKeepTheJournal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	rice := e.item(store.NewItem{Name: "大米 5kg", Category: "grain_oil", Unit: "袋", Price: 120})
	lotA := e.stock(rice.ID, 10, e.day(300)).Lines[0].LotID
	lotB := e.stock(rice.ID, 4, e.day(400)).Lines[0].LotID

	vol := e.volunteer(10_000)
	if _, err := e.svc.PlaceOrder(ctx, as(vol), e.key(), store.NewOrder{Store: e.storeID,
		Lines: []store.OrderLine{{Item: rice.ID, Qty: 8}}}); err != nil {
		t.Fatal(err)
	}
	// 8 reserved from lot A (first expiring); 2 free in A, 4 in B.

	key := e.key()
	w := store.NewAdjustment{Reason: "damaged", Note: "包装破损", Lines: []store.LotQty{{Lot: lotA, Qty: 2}, {Lot: lotB, Qty: 1}}}
	adj, err := e.svc.WriteOff(ctx, e.manager, e.storeID, key, w)
	if err != nil {
		t.Fatal(err)
	}
	if len(adj.Movements) != 2 || adj.Movements[0].Kind != store.MoveWrittenOff || adj.Movements[0].Reason != "damaged" {
		t.Fatalf("write-off: %+v", adj)
	}
	again, err := e.svc.WriteOff(ctx, e.manager, e.storeID, key, w)
	if err != nil || !again.Replayed || again.ID != adj.ID {
		t.Fatalf("retried write-off: %+v, %v", again, err)
	}
	w.Note = "另一次"
	if _, err := e.svc.WriteOff(ctx, e.manager, e.storeID, key, w); !errors.Is(err, store.ErrIdempotencyConflict) {
		t.Fatalf("same key, other write-off: %v", err)
	}
	if it := e.itemNow(rice.ID); it.OnHand != 11 || it.Reserved != 8 {
		t.Fatalf("after write-off: on hand %d reserved %d, want 11 and 8", it.OnHand, it.Reserved)
	}

	// Lot A now holds 8, all reserved: nothing more can go.
	_, err = e.svc.WriteOff(ctx, e.manager, e.storeID, e.key(), store.NewAdjustment{Reason: "lost",
		Lines: []store.LotQty{{Lot: lotA, Qty: 1}}})
	var le *store.LineError
	if !errors.Is(err, store.ErrStockReserved) || !errors.As(err, &le) || le.Line != 0 || le.Item != rice.ID {
		t.Fatalf("writing off reserved stock: %v", err)
	}
	if _, err := e.svc.Count(ctx, e.manager, e.storeID, e.key(), store.NewAdjustment{Reason: "recount",
		Lines: []store.LotQty{{Lot: lotA, Qty: 7}}}); !errors.Is(err, store.ErrStockReserved) {
		t.Fatalf("counting below reserved: %v", err)
	}

	// A count: lot B found with 5 (one more than the books), lot A as booked.
	c, err := e.svc.Count(ctx, e.manager, e.storeID, e.key(), store.NewAdjustment{Reason: "recount",
		Lines: []store.LotQty{{Lot: lotA, Qty: 8}, {Lot: lotB, Qty: 5}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Movements) != 2 || c.Movements[0].OnHandDelta != 0 || c.Movements[1].OnHandDelta != 2 ||
		c.Movements[1].OnHandAfter != 5 || c.Movements[1].Reason != "recount" {
		t.Fatalf("count movements: %+v", c.Movements)
	}
	if _, err := e.svc.WriteOff(ctx, e.manager, e.storeID, e.key(), store.NewAdjustment{Reason: "lost",
		Lines: []store.LotQty{{Lot: 999999, Qty: 1}}}); !errors.Is(err, store.ErrLotNotFound) {
		t.Fatalf("unknown lot: %v", err)
	}
	for _, bad := range []store.NewAdjustment{
		{Reason: "because", Lines: []store.LotQty{{Lot: lotA, Qty: 1}}},
		{Reason: "lost"},
		{Reason: "lost", Lines: []store.LotQty{{Lot: lotB, Qty: 0}}},
		{Reason: "lost", Lines: []store.LotQty{{Lot: lotB, Qty: 1}, {Lot: lotB, Qty: 1}}},
	} {
		if _, err := e.svc.WriteOff(ctx, e.manager, e.storeID, e.key(), bad); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("write-off %+v: %v", bad, err)
		}
	}
	e.consistent()
}

// Concurrent write-offs, counts and orders on the same lots never take a lot below zero or below
// its reservations, and leave the journal summing to every lot.
func TestConcurrentStockChangesKeepTheJournal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	oil := e.item(store.NewItem{Name: "食用油", Category: "grain_oil", Unit: "桶", Price: 60})
	var lots []int64
	for i := range 3 {
		lots = append(lots, e.stock(oil.ID, 20, e.day(200+i)).Lines[0].LotID)
	}
	vols := make([]identity.User, 10)
	for i := range vols {
		vols[i] = e.volunteer(10_000)
	}
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lot := lots[i%3]
			var err error
			switch i % 3 {
			case 0:
				_, err = e.svc.WriteOff(ctx, e.manager, e.storeID, e.key(), store.NewAdjustment{Reason: "damaged",
					Lines: []store.LotQty{{Lot: lot, Qty: 3}}})
			case 1:
				_, err = e.svc.Count(ctx, e.manager, e.storeID, e.key(), store.NewAdjustment{Reason: "recount",
					Lines: []store.LotQty{{Lot: lot, Qty: 15}}})
			case 2:
				_, err = e.svc.PlaceOrder(ctx, as(vols[i%10]), e.key(), store.NewOrder{Store: e.storeID,
					Lines: []store.OrderLine{{Item: oil.ID, Qty: 4}}})
			}
			if err != nil && !errors.Is(err, store.ErrOutOfStock) && !errors.Is(err, store.ErrStockReserved) {
				t.Errorf("operation %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	e.consistent()
}
