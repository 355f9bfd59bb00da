package audit_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"timebank/pkg/access"
	"timebank/pkg/audit"
	"timebank/pkg/org"
	"timebank/pkg/principal"
)

// scopesOf converts a principal's grants for reading the log, as the web layer does.
func scopesOf(p *access.Principal) []audit.Scope {
	var out []audit.Scope
	for _, g := range p.Scopes(access.ReadAudit) {
		out = append(out, audit.Scope{Kind: string(g.Kind), RegionCode: g.RegionCode, OrgID: g.OrgID, StoreID: g.StoreID})
	}
	return out
}

// TestListScopes fills the log with entries all over two provinces and checks, for single scopes,
// grants of real principals and random mixes of scopes, that List returns exactly the entries the
// scopes cover (worked out here from org.IsWithin and the parent links), newest first, page by page.
func TestListScopes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.regions(t, "330000", "330400", "330481", "330481001000", "330481001001", "330481001010", "330481002000",
		"330483", "330483001000", "330100", "330102", "310000", "310100", "310101")
	a := e.org(t, "330400000000", 0)
	b := e.org(t, "330481000000", a.ID)
	c := e.org(t, "330481001000", b.ID)
	d := e.org(t, "330481001001", c.ID)
	ee := e.org(t, "330481002000", b.ID)
	f := e.org(t, "330483000000", a.ID)
	g := e.org(t, "330102000000", 0)
	h := e.org(t, "310101000000", 0)
	i := e.org(t, "330481001010", 0) // in c's street, but not below c
	orgs := []org.Org{a, b, c, d, ee, f, g, h, i}
	sa, sc, sd, sg, si := e.store(t, a.ID), e.store(t, c.ID), e.store(t, d.ID), e.store(t, g.ID), e.store(t, i.ID)
	stores := []org.Store{sa, sc, sd, sg, si}

	// Entries by hand besides the registry's own: without a place, at a region only, at an
	// organization only (region filled in), at a store only (organization and region filled in).
	for _, en := range []audit.Entry{
		{Actor: "operator", Action: "role.grant", Target: "user:1"},
		{Actor: "user:1", Action: "ledger.adjust", Target: "tx:1"},
		{Actor: "user:1", Action: "role.grant", Target: "user:2", RegionCode: "330481001010"},
		{Actor: "user:1", Action: "role.grant", Target: "user:3", RegionCode: "310100000000"},
		{Actor: "user:1", Action: "role.grant", Target: "user:4", OrgID: d.ID},
		{Actor: "user:1", Action: "role.revoke", Target: "user:4", OrgID: i.ID},
		{Actor: "user:1", Action: "device.create", Target: "device:1", StoreID: sc.ID},
		{Actor: "user:1", Action: "device.revoke", Target: "device:1", StoreID: si.ID},
		{Actor: "user:1", Action: "role.grant", Target: "user:5", OrgID: h.ID},
	} {
		if err := audit.Record(ctx, e.db, en); err != nil {
			t.Fatal(err)
		}
	}

	all, err := audit.List(ctx, e.db, audit.Filter{Scopes: []audit.Scope{{Kind: audit.ScopePlatform}}, Limit: audit.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if want := 14 + 9 + 5 + 9; len(all) != want {
		t.Fatalf("platform sees %d entries, want %d", len(all), want)
	}

	parent := map[int64]int64{}
	for _, o := range orgs {
		if o.ParentID != nil {
			parent[o.ID] = *o.ParentID
		}
	}
	below := func(id, ancestor int64) bool {
		for ; id != 0; id = parent[id] {
			if id == ancestor {
				return true
			}
		}
		return false
	}
	covers := func(s audit.Scope, en audit.Entry) bool {
		switch s.Kind {
		case audit.ScopePlatform:
			return true
		case audit.ScopeRegion:
			return en.RegionCode != "" && org.IsWithin(en.RegionCode, s.RegionCode)
		case audit.ScopeOrg:
			return en.OrgID != 0 && s.OrgID != 0 && below(en.OrgID, s.OrgID)
		case audit.ScopeStore:
			return en.StoreID != 0 && en.StoreID == s.StoreID
		}
		return false
	}
	check := func(name string, scopes []audit.Scope) {
		t.Helper()
		var want []int64
		for _, en := range all {
			if slices.ContainsFunc(scopes, func(s audit.Scope) bool { return covers(s, en) }) {
				want = append(want, en.ID)
			}
		}
		var got []int64
		for after := int64(0); ; {
			page, err := audit.List(ctx, e.db, audit.Filter{Scopes: scopes, After: after, Limit: 4})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(page) == 0 {
				break
			}
			for _, en := range page {
				got = append(got, en.ID)
			}
			after = page[len(page)-1].ID
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s %+v: got %v, want %v", name, scopes, got, want)
		}
	}

	var pool []audit.Scope
	for _, code := range []string{"330000", "330400000000", "330481", "330481001000", "330481001001", "330481001010",
		"330481002000", "330483", "330100", "310000", "310101000000", "440000"} {
		pool = append(pool, audit.Scope{Kind: audit.ScopeRegion, RegionCode: code})
	}
	for _, o := range orgs {
		pool = append(pool, audit.Scope{Kind: audit.ScopeOrg, OrgID: o.ID})
	}
	for _, s := range stores {
		pool = append(pool, audit.Scope{Kind: audit.ScopeStore, StoreID: s.ID})
	}
	for _, s := range pool {
		check("single", []audit.Scope{s})
	}
	// Scopes that name nothing usable see nothing, alone or beside others.
	unusable := []audit.Scope{
		{Kind: audit.ScopeRegion}, {Kind: audit.ScopeRegion, RegionCode: "33"}, {Kind: audit.ScopeRegion, RegionCode: "330481000001"},
		{Kind: audit.ScopeRegion, RegionCode: "%"}, {Kind: audit.ScopeOrg}, {Kind: audit.ScopeOrg, OrgID: -1},
		{Kind: audit.ScopeOrg, OrgID: i.ID + 1000}, {Kind: audit.ScopeStore}, {Kind: "bogus", OrgID: a.ID},
		{Kind: audit.ScopeStore, OrgID: a.ID, RegionCode: "330000"},
	}
	for _, s := range unusable {
		if got, err := audit.List(ctx, e.db, audit.Filter{Scopes: []audit.Scope{s}}); err != nil || len(got) != 0 {
			t.Errorf("unusable scope %+v sees %d entries (%v)", s, len(got), err)
		}
	}
	if got, err := audit.List(ctx, e.db, audit.Filter{}); err != nil || len(got) != 0 {
		t.Errorf("no scope sees %d entries (%v)", len(got), err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var scopes []audit.Scope
		for range 1 + rng.IntN(3) {
			scopes = append(scopes, pool[rng.IntN(len(pool))])
		}
		if rng.IntN(4) == 0 {
			scopes = append(scopes, unusable[rng.IntN(len(unusable))])
		}
		check("mix", scopes)
	}

	// Real principals: what their grants allow them to read of the log.
	people := []struct {
		name string
		p    *access.Principal
		none bool
	}{
		{"platform admin", &access.Principal{Principal: principal.Principal{UserID: 1}, Grants: []access.Grant{{Role: access.PlatformAdmin, Kind: access.Platform}}}, false},
		{"region admin of Haining", &access.Principal{Principal: principal.Principal{UserID: 2}, Grants: []access.Grant{{Role: access.RegionAdmin, Kind: access.Region, RegionCode: "330481000000"}}}, false},
		{"auditor of b", &access.Principal{Principal: principal.Principal{UserID: 3}, Grants: []access.Grant{{Role: access.Auditor, Kind: access.Org, OrgID: b.ID}}}, false},
		{"org admin of c and manager of g's store", &access.Principal{Principal: principal.Principal{UserID: 4}, Grants: []access.Grant{
			{Role: access.OrgAdmin, Kind: access.Org, OrgID: c.ID}, {Role: access.StoreManager, Kind: access.Store, StoreID: sg.ID}}}, false},
		{"coordinator of a", &access.Principal{Principal: principal.Principal{UserID: 5}, Grants: []access.Grant{{Role: access.Coordinator, Kind: access.Org, OrgID: a.ID}}}, true},
		{"clerk of sa", &access.Principal{Principal: principal.Principal{UserID: 6}, Grants: []access.Grant{{Role: access.Clerk, Kind: access.Store, StoreID: sa.ID}}}, true},
		{"counter of sc", &access.Principal{Principal: principal.Principal{DeviceID: 1}, Grants: []access.Grant{{Role: access.Counter, Kind: access.Store, StoreID: sc.ID}}}, true},
	}
	for _, pp := range people {
		scopes := scopesOf(pp.p)
		if (len(scopes) == 0) != pp.none {
			t.Errorf("%s: scopes %+v", pp.name, scopes)
		}
		check(pp.name, scopes)
	}

	// The default page is DefaultLimit entries; the newest comes first.
	page, err := audit.List(ctx, e.db, audit.Filter{Scopes: []audit.Scope{{Kind: audit.ScopePlatform}}})
	if err != nil || len(page) != min(audit.DefaultLimit, len(all)) || page[0].ID != all[0].ID {
		t.Errorf("default page: %d entries, %v", len(page), err)
	}
}
