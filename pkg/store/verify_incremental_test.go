package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"timebank/pkg/invariant"
	"timebank/pkg/store"
)

// verifyStore runs the store's checks as `timebank verify` does (from the checkpoints unless full,
// nothing left to settle) and returns what they found and each check's scope.
func (e *env) verifyStore(full bool) (string, map[string]string) {
	e.t.Helper()
	var problems []string
	scope := map[string]string{}
	err := invariant.Verify(context.Background(), e.db, store.Checks, invariant.Options{Jobs: 2, Full: full},
		func(r invariant.Result) {
			problems = append(problems, r.Problems...)
			scope[r.Name] = r.Scope
		})
	if err != nil {
		e.t.Fatal(err)
	}
	return strings.Join(problems, "\n"), scope
}

// By default the stock's check reads the lots the journal moved since its checkpoint: a lot that
// disagrees with its journal after a new movement is found; one that moved only before the
// checkpoint is left to --full, which finds it.
func TestVerifyStockFromCheckpoint(t *testing.T) {
	e := newEnv(t)
	rice := e.item(store.NewItem{Name: "大米", Category: "grain_oil", Unit: "袋", Price: 80})
	oil := e.item(store.NewItem{Name: "菜籽油", Category: "grain_oil", Unit: "桶", Price: 150})
	e.stock(rice.ID, 10, e.day(30))
	e.stock(oil.ID, 10, e.day(30))
	if problems, _ := e.verifyStore(false); problems != "" {
		t.Fatalf("clean stock: %s", problems)
	}
	var riceLot, oilLot int64
	if err := e.db.Get(&riceLot, `SELECT id FROM store_lots WHERE item_id = $1`, rice.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.db.Get(&oilLot, `SELECT id FROM store_lots WHERE item_id = $1`, oil.ID); err != nil {
		t.Fatal(err)
	}
	// Below the checkpoint: the oil's lot changes without a movement.
	e.tamperLot(oilLot, 1)
	// After it: rice is received again (a movement of its lot), and its lot then changed.
	e.stock(rice.ID, 5, e.day(40))
	var newLot int64
	if err := e.db.Get(&newLot, `SELECT max(id) FROM store_lots WHERE item_id = $1`, rice.ID); err != nil {
		t.Fatal(err)
	}
	e.tamperLot(newLot, 2)
	problems, scope := e.verifyStore(false)
	const lots = "every lot's stock equals the sums of its journal"
	if !strings.Contains(problems, fmt.Sprintf("lot %d: on hand 7", newLot)) || !strings.Contains(scope[lots], "after checkpoint") {
		t.Fatalf("a lot changed after the checkpoint was missed: %s (%q)", problems, scope[lots])
	}
	if strings.Contains(problems, fmt.Sprintf("lot %d:", oilLot)) {
		t.Fatalf("the default run read a lot the journal did not move since the checkpoint: %s", problems)
	}
	problems, scope = e.verifyStore(true)
	if !strings.Contains(problems, fmt.Sprintf("lot %d: on hand 11", oilLot)) || scope[lots] != "all" {
		t.Fatalf("--full missed the lot changed below the checkpoint: %s (%q)", problems, scope[lots])
	}
}

// tamperLot changes a lot's stock by delta as someone holding the table's keys would (its guarding
// triggers off), without a movement.
func (e *env) tamperLot(lot int64, delta int) {
	e.t.Helper()
	tx := e.db.MustBegin()
	tx.MustExec(`ALTER TABLE store_lots DISABLE TRIGGER USER`)
	tx.MustExec(`UPDATE store_lots SET on_hand = on_hand + $2 WHERE id = $1`, lot, delta)
	tx.MustExec(`ALTER TABLE store_lots ENABLE TRIGGER USER`)
	if err := tx.Commit(); err != nil {
		e.t.Fatal(err)
	}
}
