package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"timebank/pkg/store"
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
	hs, err := d.Store.Households(ctx, world.store.ID, store.HouseholdFilter{})
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
	aid, err := d.Store.Allocations(ctx, world.store.ID, store.AidFilter{})
	if err != nil || len(aid) != 1 || aid[0].HouseholdID != hs[0].ID || aid[0].Units() != 3 {
		t.Fatalf("demo allocations: %+v %v", aid, err)
	}
	u, err := d.Users.ByPhone(ctx, "13900000005") // 周敏, the demo's store manager
	if err != nil {
		t.Fatal(err)
	}
	manager, err := d.Users.Principal(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	target, err := d.Orgs.StoreTarget(ctx, world.store.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !manager.Can("store.aid", target) {
		t.Error("the demo store manager may not see the households")
	}
}
