package org_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"timebank/pkg/access"
	"timebank/pkg/org"
	"timebank/pkg/principal"
)

func TestTargets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.haining(t)
	ctx := context.Background()
	federation := e.registered(t, "嘉兴市志愿者协会", jiaxing, 20, nil)
	hn := e.registered(t, "海宁市志愿者协会", haining, 21, &federation.ID)
	team := e.filed(t, "硖石街道志愿服务队", xiashi, xiashi, &hn.ID)
	cteam := e.filed(t, "社区志愿服务队", community, xiashi, &team.ID)
	tx := e.registered(t, "桐乡市志愿者协会", tongxiang, 22, &federation.ID)
	store, err := e.reg.CreateStore(ctx, admin, org.NewStore{OrgID: cteam.ID, Name: "社区公益仓"})
	if err != nil {
		t.Fatal(err)
	}

	ct, err := e.reg.OrgTarget(ctx, cteam.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ct.RegionCode != community || !slices.Equal(ct.OrgIDs, []int64{cteam.ID, team.ID, hn.ID, federation.ID}) || ct.StoreID != 0 {
		t.Errorf("OrgTarget(community team) = %+v", ct)
	}
	if ft, err := e.reg.OrgTarget(ctx, federation.ID); err != nil || ft.RegionCode != jiaxing || !slices.Equal(ft.OrgIDs, []int64{federation.ID}) {
		t.Errorf("OrgTarget(root) = %+v, %v", ft, err)
	}
	st, err := e.reg.StoreTarget(ctx, store.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.StoreID != store.ID || st.RegionCode != community || !slices.Equal(st.OrgIDs, ct.OrgIDs) {
		t.Errorf("StoreTarget = %+v", st)
	}
	// Asked again, the store's place comes from memory (it never changes), the same, and not
	// changed by what a caller did to the answer before.
	st.OrgIDs[0] = -1
	if again, err := e.reg.StoreTarget(ctx, store.ID); err != nil || again.StoreID != store.ID ||
		again.RegionCode != community || !slices.Equal(again.OrgIDs, ct.OrgIDs) {
		t.Errorf("StoreTarget again = %+v, %v", again, err)
	}
	if _, err := e.reg.OrgTarget(ctx, tx.ID+100); !errors.Is(err, org.ErrOrgNotFound) {
		t.Errorf("OrgTarget(missing): %v", err)
	}
	for range 2 { // a missing store is not remembered as anything
		if _, err := e.reg.StoreTarget(ctx, store.ID+100); !errors.Is(err, org.ErrStoreNotFound) {
			t.Errorf("StoreTarget(missing): %v", err)
		}
	}
	for _, q := range []string{org.OrgTargetQuery, org.StoreTargetQuery} {
		if !e.l.Statements().Prepared(q) {
			t.Errorf("target query not prepared: %.60s…", q)
		}
	}
	if rt := org.RegionTarget("330481"); rt.RegionCode != haining || rt.OrgIDs != nil || rt.StoreID != 0 {
		t.Errorf("RegionTarget = %+v", rt)
	}

	// The targets feed the access checks as they are: who may open a store at the community team,
	// and who may manage the community store's stock.
	grant := func(r access.Role, k access.ScopeKind, region string, orgID, storeID int64) *access.Principal {
		return &access.Principal{Principal: principal.Principal{UserID: 1}, Grants: []access.Grant{{Role: r, Kind: k, RegionCode: region, OrgID: orgID, StoreID: storeID}}}
	}
	tests := []struct {
		name   string
		p      *access.Principal
		action access.Action
		target org.Target
		want   bool
	}{
		{"admin of the team", grant(access.OrgAdmin, access.Org, "", cteam.ID, 0), access.CreateStore, ct, true},
		{"admin of an ancestor", grant(access.OrgAdmin, access.Org, "", federation.ID, 0), access.CreateStore, ct, true},
		{"admin of a sibling branch", grant(access.OrgAdmin, access.Org, "", tx.ID, 0), access.CreateStore, ct, false},
		{"admin of a descendant", grant(access.OrgAdmin, access.Org, "", cteam.ID, 0), access.CreateStore, mustOrgTarget(t, e, hn.ID), false},
		{"region admin of the county", grant(access.RegionAdmin, access.Region, haining, 0, 0), access.CreateStore, ct, true},
		{"region admin of the street", grant(access.RegionAdmin, access.Region, xiashi, 0, 0), access.CreateStore, ct, true},
		{"region admin of another county", grant(access.RegionAdmin, access.Region, tongxiang, 0, 0), access.CreateStore, ct, false},
		{"region admin of another street", grant(access.RegionAdmin, access.Region, haizhou, 0, 0), access.CreateStore, ct, false},
		{"manager of the store", grant(access.StoreManager, access.Store, "", 0, store.ID), access.ManageStock, st, true},
		{"manager of another store", grant(access.StoreManager, access.Store, "", 0, store.ID+1), access.ManageStock, st, false},
		{"org admin over the store", grant(access.OrgAdmin, access.Org, "", hn.ID, 0), access.ManageStock, st, true},
		{"region admin over a region node", grant(access.RegionAdmin, access.Region, "330481", 0, 0), access.ManageRegions, org.RegionTarget(xiashi), true},
		{"bad region code", grant(access.RegionAdmin, access.Region, zhejiang, 0, 0), access.ManageRegions, org.RegionTarget("33x"), false},
		{"platform on a bad region code", grant(access.PlatformAdmin, access.Platform, "", 0, 0), access.ManageRegions, org.RegionTarget("33x"), true},
	}
	for _, tt := range tests {
		if got := tt.p.Can(tt.action, tt.target); got != tt.want {
			t.Errorf("%s: Can = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func mustOrgTarget(t *testing.T, e *env, id int64) org.Target {
	t.Helper()
	tg, err := e.reg.OrgTarget(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}
