package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"timebank/pkg/store"
	"timebank/web"
)

// The demo store has three households in hardship, kept masked, and one allocation to the first,
// which the store manager's log-in sees.
func TestDemoAid(t *testing.T) {
	ctx := context.Background()
	d := demoDeps(t)
	if err := demo(ctx, d, io.Discard); err != nil {
		t.Fatal(err)
	}
	world, err := demoOrganizations(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	app := web.NewDeps(d.cfg, d.log, d.db, d.rdb, d.ledger)
	hs, err := app.Store.Households(ctx, world.store.ID, store.HouseholdFilter{})
	if err != nil || len(hs) != 3 {
		t.Fatalf("demo households: %+v %v", hs, err)
	}
	var names []string
	for _, h := range hs {
		names = append(names, h.NameMasked)
	}
	if got := strings.Join(names, " "); got != "王*芳 李*华 陈*英" {
		t.Errorf("demo households' names: %s", got)
	}
	aid, err := app.Store.Allocations(ctx, world.store.ID, store.AidFilter{})
	if err != nil || len(aid) != 1 || aid[0].HouseholdID != hs[0].ID || aid[0].Units() != 3 {
		t.Fatalf("demo allocations: %+v %v", aid, err)
	}
	u, err := app.Users.ByPhone(ctx, "13900000005") // 周敏, the demo's store manager
	if err != nil {
		t.Fatal(err)
	}
	manager, err := app.Users.Principal(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	target, err := app.Orgs.StoreTarget(ctx, world.store.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !manager.Can("store.aid", target) {
		t.Error("the demo store manager may not see the households")
	}
}
