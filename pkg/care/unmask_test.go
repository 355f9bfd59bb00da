package care_test

import (
	"context"
	"errors"
	"testing"

	"timebank/pkg/access"
	"timebank/pkg/care"
)

// Only the roles of the person's community and the volunteers paired with them see the person
// unmasked; every such read is in the audit log, and a refused one changes nothing.
func TestUnmaskedReadsAreLimitedAndAudited(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.register(t, "王小芳", "13812345678", care.Red)
	if p.NameMasked != "王*芳" || p.PhoneMasked != "138****5678" || p.Name != "" || p.Phone != "" {
		t.Fatalf("masked person %+v", p)
	}
	coordIn := e.person(t, "东山协调员", access.Grant{Role: access.Coordinator, Kind: access.Org, OrgID: e.inOrg})
	coordOut := e.person(t, "梧桐协调员", access.Grant{Role: access.Coordinator, Kind: access.Org, OrgID: e.outOrg})
	streetAdmin := e.person(t, "街道管理员", access.Grant{Role: access.RegionAdmin, Kind: access.Region, RegionCode: street})
	countyAdmin := e.person(t, "市管理员", access.Grant{Role: access.RegionAdmin, Kind: access.Region, RegionCode: "330481000000"})
	otherCommunity := e.person(t, "西山管理员", access.Grant{Role: access.RegionAdmin, Kind: access.Region, RegionCode: xishan})
	auditor := e.person(t, "审计", access.Grant{Role: access.Auditor, Kind: access.Region, RegionCode: street})
	paired := e.person(t, "结对志愿者", access.Grant{Role: access.Volunteer, Kind: access.Org, OrgID: e.inOrg})
	unpaired := e.person(t, "旁人志愿者", access.Grant{Role: access.Volunteer, Kind: access.Org, OrgID: e.inOrg})
	uid := paired.UserID
	if _, err := e.svc.Pair(ctx, operator, care.NewPairing{PersonID: p.ID, OrgID: e.inOrg, UserID: &uid}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		who  *access.Principal
		ok   bool
	}{
		{"coordinator of an organization in the community", coordIn, true},
		{"street administrator", streetAdmin, true},
		{"paired volunteer", paired, true},
		{"coordinator of an organization elsewhere", coordOut, false},
		{"county administrator", countyAdmin, false},
		{"administrator of another community", otherCommunity, false},
		{"auditor of the street", auditor, false},
		{"volunteer not paired", unpaired, false},
		{"nobody", nil, false},
	}
	for _, c := range cases {
		before := e.auditCount(t, p.ID)
		got, err := e.svc.Unmasked(ctx, c.who, p.ID)
		after := e.auditCount(t, p.ID)
		if c.ok {
			if err != nil || got.Name != "王小芳" || got.Phone != "13812345678" || got.Address == "" || !got.Unmasked {
				t.Errorf("%s: %+v, %v", c.name, got, err)
			}
			if after != before+1 {
				t.Errorf("%s: audit entries %d → %d, want one more", c.name, before, after)
			}
			continue
		}
		if !errors.Is(err, care.ErrNotPermitted) || got.Name != "" || got.Phone != "" {
			t.Errorf("%s: got %+v, %v; want ErrNotPermitted", c.name, got, err)
		}
		if after != before {
			t.Errorf("%s: a refused read wrote an audit entry", c.name)
		}
	}
	// The audit entry names who read, and never the person's name or phone.
	var actor, text string
	if err := e.db.QueryRowx(`SELECT actor, coalesce(after::text, '') || target FROM audit_log
WHERE action = 'care.read_unmasked' ORDER BY id DESC LIMIT 1`).Scan(&actor, &text); err != nil {
		t.Fatal(err)
	}
	if actor != paired.Label() || contains(text, "王小芳", "13812345678") {
		t.Errorf("last audit entry by %s: %q", actor, text)
	}
}

func (e *env) auditCount(t *testing.T, personID int64) int {
	t.Helper()
	var n int
	if err := e.db.Get(&n, `SELECT count(*) FROM audit_log WHERE action = 'care.read_unmasked' AND target = $1`,
		"care_person:"+itoa(personID)); err != nil {
		t.Fatal(err)
	}
	return n
}
