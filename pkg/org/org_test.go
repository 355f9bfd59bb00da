package org_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"timebank/ledger"
	"timebank/pkg/audit"
	"timebank/pkg/org"
)

// checkIssuer checks that the organization's issuing account exists in the ledger as a hot issuer.
func (e *env) checkIssuer(t *testing.T, o org.Org) {
	t.Helper()
	if want := "org:" + itoa(o.ID) + ":issued"; o.AccountCode != want {
		t.Errorf("account code %q, want %q", o.AccountCode, want)
	}
	a, err := e.l.Account(context.Background(), o.AccountCode)
	if err != nil {
		t.Fatalf("issuing account: %v", err)
	}
	if a.Kind != ledger.KindIssuer || !a.AllowNegative || a.Slots != 16 {
		t.Errorf("issuing account = %+v, want an issuer that may go negative with 16 slots", a)
	}
}

func TestCreateRegisteredOrg(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.haining(t)
	ctx := context.Background()
	code := creditCode(1)
	if _, err := org.ValidateUSCC(code); err != nil {
		t.Fatalf("test credit code %s: %v", code, err)
	}
	o, err := e.reg.CreateOrg(ctx, admin, org.NewOrg{
		Name: " 海宁市义工联合会 ", RegionCode: "330481", Status: org.Registered,
		CreditCode: " " + strings.ToLower(code) + "\t", ContactName: "王老师",
	})
	if err != nil {
		t.Fatal(err)
	}
	if o.Name != "海宁市义工联合会" || o.RegionCode != haining || o.CreditCode != code || o.FiledBy != "" ||
		o.Status != org.Registered || o.ParentID != nil || o.ContactName != "王老师" {
		t.Errorf("created %+v", o)
	}
	e.checkIssuer(t, o)
	got, err := e.reg.Org(ctx, o.ID)
	if err != nil || got.CreditCode != code || got.AccountCode != o.AccountCode || !got.CreatedAt.Equal(o.CreatedAt) {
		t.Errorf("Org = %+v, %v", got, err)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE action = 'org.create' AND actor = 'user:7'
		AND target = $1 AND org_id = $2 AND region_code = $3 AND after->>'credit_code' = $4`,
		"org:"+itoa(o.ID), o.ID, haining, code); n != 1 {
		t.Errorf("audit entries: %d", n)
	}
	if _, err := e.reg.Org(ctx, o.ID+1); !errors.Is(err, org.ErrOrgNotFound) {
		t.Errorf("missing org: %v", err)
	}
}

func TestCreateFiledOrg(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.haining(t)
	ctx := context.Background()
	// A team of the community, filed with its street; and one at the street itself.
	for _, region := range []string{community, xiashi} {
		o, err := e.reg.CreateOrg(ctx, admin, org.NewOrg{
			Name: "睦邻志愿服务队", RegionCode: region, Status: org.Filed, FiledBy: xiashi,
		})
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != org.Filed || o.FiledBy != xiashi || o.CreditCode != "" || o.RegionCode != region {
			t.Errorf("created %+v", o)
		}
		e.checkIssuer(t, o)
	}
}

func TestCreateOrgRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.haining(t)
	ctx := context.Background()
	parent := e.filed(t, "硖石街道社会组织服务中心", xiashi, xiashi, nil)
	good := creditCode(2)
	// The last character changed to another of the alphabet: the check fails.
	badCheck := good[:17] + string("0123456789ABCDEFGHJKLMNPQRTUWXY"[(strings.IndexByte("0123456789ABCDEFGHJKLMNPQRTUWXY", good[17])+1)%31])
	reg := func(region, code string) org.NewOrg {
		return org.NewOrg{Name: "协会", RegionCode: region, Status: org.Registered, CreditCode: code}
	}
	filed := func(region, street string) org.NewOrg {
		return org.NewOrg{Name: "服务队", RegionCode: region, Status: org.Filed, FiledBy: street}
	}
	withParent := func(n org.NewOrg, id int64) org.NewOrg { n.ParentID = &id; return n }
	tests := []struct {
		name          string
		in            org.NewOrg
		field, reason string
	}{
		{"credit code checksum", reg(haining, badCheck), "credit_code", "credit_code_checksum"},
		{"credit code with O", reg(haining, "52330481O0000001XX"), "credit_code", "credit_code_format"},
		{"credit code short", reg(haining, good[:17]), "credit_code", "credit_code_format"},
		{"registered without code", reg(haining, ""), "credit_code", "required"},
		{"registered with a street", func() org.NewOrg { n := reg(haining, good); n.FiledBy = xiashi; return n }(), "filed_by", "not_allowed"},
		{"filed without street", filed(community, ""), "filed_by", "required"},
		{"filed with a credit code", func() org.NewOrg { n := filed(community, xiashi); n.CreditCode = good; return n }(), "credit_code", "not_allowed"},
		{"filed with a county", filed(community, haining), "filed_by", "not_street"},
		{"filed with a community", filed(community, community), "filed_by", "not_street"},
		{"filed with another street", filed(community, haizhou), "filed_by", "region_outside_street"},
		{"filed above its street", filed(haining, xiashi), "filed_by", "region_outside_street"},
		{"filed with a bad code", filed(community, "33048100100"), "filed_by", "division_code"},
		{"no status", org.NewOrg{Name: "x", RegionCode: haining}, "status", "required"},
		{"unknown status", org.NewOrg{Name: "x", RegionCode: haining, Status: "pending"}, "status", "unknown"},
		{"no name", org.NewOrg{Name: " ", RegionCode: xiashi, Status: org.Filed, FiledBy: xiashi}, "name", "required"},
		{"long name", org.NewOrg{Name: strings.Repeat("协", 101), RegionCode: xiashi, Status: org.Filed, FiledBy: xiashi}, "name", "too_long"},
		{"long contact", org.NewOrg{Name: "x", ContactName: strings.Repeat("王", 51), RegionCode: xiashi, Status: org.Filed, FiledBy: xiashi}, "contact_name", "too_long"},
		{"no region", reg("", good), "region_code", "required"},
		{"bad region", reg("3304810", good), "region_code", "division_code"},
		{"region not created", reg("330482", good), "region_code", "not_found"},
		{"parent missing", withParent(filed(community, xiashi), parent.ID+100), "parent_id", "not_found"},
		{"parent id zero", withParent(filed(community, xiashi), 0), "parent_id", "not_found"},
		{"sub-org above its parent", withParent(reg(haining, good), parent.ID), "region_code", "region_outside_parent"},
		{"sub-org beside its parent", withParent(filed(haizhou, haizhou), parent.ID), "region_code", "region_outside_parent"},
	}
	orgs := e.count(t, `SELECT count(*) FROM organizations`)
	accounts := e.count(t, `SELECT count(*) FROM ledger_accounts`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.reg.CreateOrg(ctx, admin, tt.in)
			if !errors.Is(err, org.ErrInvalid) || reason(err, tt.field) != tt.reason {
				t.Errorf("err = %v; want %s: %s", err, tt.field, tt.reason)
			}
		})
	}
	// Nothing of the refused requests remains: no organization, no account.
	if n := e.count(t, `SELECT count(*) FROM organizations`); n != orgs {
		t.Errorf("organizations: %d, want %d", n, orgs)
	}
	if n := e.count(t, `SELECT count(*) FROM ledger_accounts`); n != accounts {
		t.Errorf("ledger accounts: %d, want %d", n, accounts)
	}
	// The same requests with the rules kept are accepted.
	e.registered(t, "协会", haining, 2, nil)
	e.filed(t, "服务队", community, xiashi, &parent.ID)
}

// An organization, its account and its audit entry are one transaction: when the last step (the
// audit entry, refused for want of an actor) fails, the first two are gone too.
func TestCreateOrgAtomic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.haining(t)
	ctx := context.Background()
	_, err := e.reg.CreateOrg(ctx, nil, org.NewOrg{Name: "x", RegionCode: xiashi, Status: org.Filed, FiledBy: xiashi})
	if !errors.Is(err, audit.ErrInvalid) {
		t.Fatalf("err = %v, want audit.ErrInvalid", err)
	}
	if n := e.count(t, `SELECT count(*) FROM organizations`); n != 0 {
		t.Errorf("%d organizations remain", n)
	}
	if n := e.count(t, `SELECT count(*) FROM ledger_accounts WHERE code LIKE 'org:%'`); n != 0 {
		t.Errorf("%d issuing accounts remain", n)
	}
}

func TestDuplicateCreditCode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.haining(t)
	ctx := context.Background()
	first := e.registered(t, "海宁市慈善总会", haining, 3, nil)
	accounts := e.count(t, `SELECT count(*) FROM ledger_accounts`)
	_, err := e.reg.CreateOrg(ctx, admin, org.NewOrg{
		Name: "另一个协会", RegionCode: xiashi, Status: org.Registered, CreditCode: strings.ToLower(first.CreditCode),
	})
	if !errors.Is(err, org.ErrCreditCodeTaken) {
		t.Fatalf("err = %v, want ErrCreditCodeTaken", err)
	}
	if n := e.count(t, `SELECT count(*) FROM ledger_accounts`); n != accounts {
		t.Errorf("ledger accounts: %d, want %d", n, accounts)
	}
}

func TestOrgsInRegionAndSubOrgs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.haining(t)
	ctx := context.Background()
	federation := e.registered(t, "嘉兴市志愿者协会", jiaxing, 10, nil)
	hn := e.registered(t, "海宁市志愿者协会", haining, 11, &federation.ID)
	team := e.filed(t, "硖石街道志愿服务队", xiashi, xiashi, &hn.ID)
	cteam := e.filed(t, "社区志愿服务队", community, xiashi, &team.ID)
	hz := e.filed(t, "海洲街道志愿服务队", haizhou, haizhou, &hn.ID)
	tx := e.registered(t, "桐乡市志愿者协会", tongxiang, 12, &federation.ID)

	ids := func(os []org.Org) []int64 {
		var out []int64
		for _, o := range os {
			out = append(out, o.ID)
		}
		return out
	}
	tests := []struct {
		code   string
		status org.Status
		want   []int64
	}{
		{zhejiang, "", []int64{federation.ID, hn.ID, team.ID, cteam.ID, hz.ID, tx.ID}},
		{"330400", "", []int64{federation.ID, hn.ID, team.ID, cteam.ID, hz.ID, tx.ID}},
		{"330481", "", []int64{hn.ID, team.ID, cteam.ID, hz.ID}},
		{haining, org.Filed, []int64{team.ID, cteam.ID, hz.ID}},
		{haining, org.Registered, []int64{hn.ID}},
		{xiashi, "", []int64{team.ID, cteam.ID}},
		{community, "", []int64{cteam.ID}},
		{haizhou, "", []int64{hz.ID}},
		{tongxiang, "", []int64{tx.ID}},
		{"330482", "", nil},
	}
	for _, tt := range tests {
		// Page through two at a time: the pages join into the whole list, in id order.
		var got []int64
		after := int64(0)
		for {
			page, err := e.reg.OrgsInRegion(ctx, tt.code, tt.status, after, 2)
			if err != nil {
				t.Fatalf("%s: %v", tt.code, err)
			}
			if len(page) > 2 {
				t.Fatalf("%s: page of %d", tt.code, len(page))
			}
			if len(page) == 0 {
				break
			}
			got = append(got, ids(page)...)
			after = page[len(page)-1].ID
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("OrgsInRegion(%s, %q) = %v, want %v", tt.code, tt.status, got, tt.want)
		}
	}
	if _, err := e.reg.OrgsInRegion(ctx, "33", "", 0, 10); !errors.Is(err, org.ErrRegionNotFound) {
		t.Errorf("bad code: %v", err)
	}
	if _, err := e.reg.OrgsInRegion(ctx, haining, "closed", 0, 10); reason(err, "status") != "unknown" {
		t.Errorf("bad status: %v", err)
	}

	subs, err := e.reg.SubOrgs(ctx, hn.ID)
	if err != nil || !slices.Equal(ids(subs), []int64{team.ID, hz.ID}) {
		t.Errorf("SubOrgs(hn) = %v, %v", ids(subs), err)
	}
	if subs, err := e.reg.SubOrgs(ctx, cteam.ID); err != nil || len(subs) != 0 {
		t.Errorf("SubOrgs(leaf) = %v, %v", ids(subs), err)
	}
	if _, err := e.reg.SubOrgs(ctx, tx.ID+100); !errors.Is(err, org.ErrOrgNotFound) {
		t.Errorf("SubOrgs(missing): %v", err)
	}
	if o, _ := e.reg.Org(ctx, cteam.ID); o.ParentID == nil || *o.ParentID != team.ID {
		t.Errorf("parent of the community team: %v", o.ParentID)
	}
}
