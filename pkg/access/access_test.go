package access

import (
	"slices"
	"testing"

	"timebank/pkg/principal"
)

// The Haining tree used below: 浙江省 > 嘉兴市 > 海宁市 > 硖石街道, and another county 桐乡市.
const (
	zhejiang  = "330000000000"
	haining   = "330481000000"
	xiashi    = "330481001000"
	dongshan  = "330481001001" // a community below 硖石街道
	tongxiang = "330483000000"
)

func TestGrantCoversTarget(t *testing.T) {
	inXiashi := Target{RegionCode: dongshan, OrgIDs: []int64{12, 7}, StoreID: 3} // org 12, a team of org 7
	inTongxiang := Target{RegionCode: tongxiang, OrgIDs: []int64{40}, StoreID: 9}
	cases := []struct {
		name   string
		grant  Grant
		target Target
		want   bool
	}{
		{"platform covers anything", Grant{Kind: Platform}, inTongxiang, true},
		{"platform covers an empty target", Grant{Kind: Platform}, Target{}, true},
		{"province covers a community", Grant{Kind: Region, RegionCode: zhejiang}, inXiashi, true},
		{"county covers its street's community", Grant{Kind: Region, RegionCode: haining}, inXiashi, true},
		{"street covers itself", Grant{Kind: Region, RegionCode: xiashi}, Target{RegionCode: xiashi}, true},
		{"county does not cover a sibling county", Grant{Kind: Region, RegionCode: haining}, inTongxiang, false},
		{"community does not cover its street", Grant{Kind: Region, RegionCode: dongshan}, Target{RegionCode: xiashi}, false},
		{"region does not cover an unknown place", Grant{Kind: Region, RegionCode: zhejiang}, Target{OrgIDs: []int64{1}}, false},
		{"a bad region code covers nothing", Grant{Kind: Region, RegionCode: "33"}, inXiashi, false},
		{"org covers itself", Grant{Kind: Org, OrgID: 12}, inXiashi, true},
		{"parent org covers its sub-organization", Grant{Kind: Org, OrgID: 7}, inXiashi, true},
		{"org does not cover another", Grant{Kind: Org, OrgID: 8}, inXiashi, false},
		{"zero org covers nothing", Grant{Kind: Org}, Target{}, false},
		{"store covers itself", Grant{Kind: Store, StoreID: 3}, inXiashi, true},
		{"store does not cover another store", Grant{Kind: Store, StoreID: 3}, inTongxiang, false},
		{"store does not cover its organization", Grant{Kind: Store, StoreID: 3}, Target{OrgIDs: []int64{12}}, false},
		{"unknown kind covers nothing", Grant{Kind: "galaxy"}, inXiashi, false},
	}
	for _, c := range cases {
		if got := c.grant.covers(c.target); got != c.want {
			t.Errorf("%s: covers = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestCan(t *testing.T) {
	store3 := Target{RegionCode: dongshan, OrgIDs: []int64{12, 7}, StoreID: 3}
	org12 := Target{RegionCode: dongshan, OrgIDs: []int64{12, 7}}
	other := Target{RegionCode: tongxiang, OrgIDs: []int64{40}, StoreID: 9}
	clerk := &Principal{Principal: principal.Principal{UserID: 1}, Grants: []Grant{{Role: Clerk, Kind: Store, StoreID: 3}}}
	coordinator := &Principal{Principal: principal.Principal{UserID: 2}, Grants: []Grant{{Role: Coordinator, Kind: Org, OrgID: 12}}}
	auditor := &Principal{Principal: principal.Principal{UserID: 3}, Grants: []Grant{{Role: Auditor, Kind: Region, RegionCode: haining}}}
	regionAdmin := &Principal{Principal: principal.Principal{UserID: 4}, Grants: []Grant{{Role: RegionAdmin, Kind: Region, RegionCode: xiashi}}}
	volunteer := &Principal{Principal: principal.Principal{UserID: 5}, Grants: []Grant{{Role: Volunteer, Kind: Org, OrgID: 12}}}
	counter := &Principal{Principal: principal.Principal{DeviceID: 6}, Grants: []Grant{{Role: Counter, Kind: Store, StoreID: 3}}}
	kiosk := &Principal{Principal: principal.Principal{DeviceID: 7}, Grants: []Grant{{Role: Kiosk, Kind: Org, OrgID: 12}}}
	cases := []struct {
		who    string
		p      *Principal
		action Action
		target Target
		want   bool
	}{
		{"clerk", clerk, ServeCounter, store3, true},
		{"clerk", clerk, ServeCounter, other, false},
		{"clerk", clerk, ManageStock, store3, false},
		{"clerk", clerk, ManageActivities, org12, false},
		{"clerk", clerk, AllocateAid, store3, false},
		{"coordinator", coordinator, VerifyHours, org12, true},
		{"coordinator", coordinator, VerifyHours, other, false},
		{"coordinator", coordinator, ManageMembers, org12, false},
		{"coordinator", coordinator, ServeCounter, store3, false},
		{"auditor", auditor, ReadAudit, store3, true},
		{"auditor", auditor, ReadStore, store3, true},
		{"auditor", auditor, ServeCounter, store3, false},
		{"auditor", auditor, VerifyHours, org12, false},
		{"auditor", auditor, ReadAudit, other, false},
		{"auditor", auditor, AllocateAid, store3, false},
		{"region admin", regionAdmin, ManageStock, store3, true},
		{"region admin", regionAdmin, ManageMembers, org12, true},
		{"region admin", regionAdmin, ManageMembers, other, false},
		{"region admin", regionAdmin, OperateLedger, store3, false},
		{"region admin", regionAdmin, AllocateAid, store3, true},
		{"region admin", regionAdmin, AllocateAid, other, false},
		{"volunteer", volunteer, ReadOrg, org12, false},
		{"volunteer", volunteer, ManageActivities, org12, false},
		{"volunteer", volunteer, AllocateAid, store3, false},
		{"counter device", counter, ServeCounter, store3, true},
		{"counter device", counter, ReceiveGoods, store3, true},
		{"counter device", counter, ManageCatalog, store3, false},
		{"counter device", counter, ServeCounter, other, false},
		{"counter device", counter, AllocateAid, store3, false},
		{"kiosk device", kiosk, RunKiosk, org12, true},
		{"kiosk device", kiosk, VerifyHours, org12, false},
		{"kiosk device", kiosk, RunKiosk, other, false},
		{"nobody", nil, ReadOrg, org12, false},
		{"no grants", &Principal{Principal: principal.Principal{UserID: 9}}, ReadOrg, org12, false},
	}
	for _, c := range cases {
		if got := c.p.Can(c.action, c.target); got != c.want {
			t.Errorf("%s %s on %+v: %v, want %v", c.who, c.action, c.target, got, c.want)
		}
	}
	if !clerk.CanAnywhere(ServeCounter) || clerk.CanAnywhere(ManageMembers) || (*Principal)(nil).CanAnywhere(ReadOrg) {
		t.Error("CanAnywhere")
	}
	if got := regionAdmin.Scopes(ReadAudit); len(got) != 1 || got[0].RegionCode != xiashi {
		t.Errorf("Scopes(ReadAudit) = %v", got)
	}
	if got := volunteer.Scopes(ReadAudit); got != nil {
		t.Errorf("a volunteer's audit scopes: %v", got)
	}
}

// Every action is allowed to some role, only to roles that exist, and platform admins may do
// everything; every role is held at some scope kind.
func TestPermissionTable(t *testing.T) {
	all := append(slices.Clone(PersonRoles), DeviceRoles...)
	for _, a := range Actions() {
		roles := a.Roles()
		if len(roles) == 0 {
			t.Errorf("%s: no role may do it", a)
		}
		if !slices.Contains(roles, PlatformAdmin) {
			t.Errorf("%s: a platform admin may not do it", a)
		}
		for _, r := range roles {
			if !slices.Contains(all, r) {
				t.Errorf("%s: unknown role %q", a, r)
			}
		}
	}
	for _, r := range all {
		if len(r.ScopeKinds()) == 0 {
			t.Errorf("role %s has no scope kind", r)
		}
	}
	// The status of a household in hardship is need-to-know: those who decide on aid, no one else.
	if got := AllocateAid.Roles(); !slices.Equal(got, []Role{StoreManager, OrgAdmin, RegionAdmin, PlatformAdmin}) {
		t.Errorf("%s is allowed to %v", AllocateAid, got)
	}
	if Role("janitor").Valid() || !Coordinator.Valid() || Kiosk.Valid() {
		t.Error("Valid")
	}
	// Devices never manage people or money.
	for _, a := range []Action{ManageMembers, ManageDevices, OperateLedger, ManageCatalog, ManageStock, VerifyHours, ReadAudit, AllocateAid} {
		for _, d := range DeviceRoles {
			if slices.Contains(a.Roles(), d) {
				t.Errorf("device role %s may %s", d, a)
			}
		}
	}
}

// The roles' principal names itself as who acts does, and a missing one names nobody.
func TestLabel(t *testing.T) {
	for _, c := range []struct {
		p    *Principal
		want string
	}{
		{&Principal{Principal: principal.Principal{UserID: 42}}, "user:42"},
		{&Principal{Principal: principal.Principal{DeviceID: 7}}, "device:7"},
		{&Principal{Principal: principal.Principal{Name: "operator"}}, "operator"},
		{nil, ""},
	} {
		if got := c.p.Label(); got != c.want {
			t.Errorf("Label() = %q, want %q", got, c.want)
		}
		if got := c.p.Actor().Label(); got != c.want {
			t.Errorf("Actor().Label() = %q, want %q", got, c.want)
		}
	}
}
