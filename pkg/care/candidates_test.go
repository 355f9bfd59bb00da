package care_test

import (
	"context"
	"testing"

	"timebank/pkg/access"
	"timebank/pkg/org"
)

// The pairing candidates of a person of 东山社区: the organizations of the community and of the
// street above it, by id, not those of another county; in each, the people with an active role of
// the organization, once each, the most recently granted first; not a store's clerk, not a role
// revoked.
func TestPairCandidates(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	streetOrg, err := org.NewRegistry(e.db, e.l).CreateOrg(ctx, operator, org.NewOrg{Name: "硖石街道志愿者协会", RegionCode: street,
		Status: org.Filed, FiledBy: street})
	if err != nil {
		t.Fatal(err)
	}
	first := e.person(t, "陈一", access.Grant{Role: access.Volunteer, Kind: access.Org, OrgID: e.inOrg})
	second := e.person(t, "王二", access.Grant{Role: access.Volunteer, Kind: access.Org, OrgID: e.inOrg})
	// 陈一 is also made a coordinator later: listed once, where the newer grant puts them.
	if _, err := e.db.Exec(`INSERT INTO role_grants (user_id, role, scope_kind, org_id, granted_by)
VALUES ($1, 'coordinator', 'org', $2, 'test')`, first.UserID, e.inOrg); err != nil {
		t.Fatal(err)
	}
	revoked := e.person(t, "李三", access.Grant{Role: access.Volunteer, Kind: access.Org, OrgID: e.inOrg})
	if _, err := e.db.Exec(`UPDATE role_grants SET revoked_at = now(), revoked_by = 'test' WHERE user_id = $1`, revoked.UserID); err != nil {
		t.Fatal(err)
	}
	e.person(t, "外县", access.Grant{Role: access.Volunteer, Kind: access.Org, OrgID: e.outOrg})
	atStreet := e.person(t, "赵四", access.Grant{Role: access.Volunteer, Kind: access.Org, OrgID: streetOrg.ID})

	teams, err := e.svc.PairCandidates(ctx, dongshan)
	if err != nil {
		t.Fatal(err)
	}
	if len(teams) != 2 || teams[0].OrgID != e.inOrg || teams[1].OrgID != streetOrg.ID || teams[0].OrgName != "东山社区服务队" {
		t.Fatalf("teams = %+v", teams)
	}
	var names []int64
	for _, p := range teams[0].People {
		names = append(names, p.UserID)
		if len(p.Phone) != 11 || p.Phone[3:7] != "****" {
			t.Errorf("%s's phone is shown as %q, want it masked", p.Name, p.Phone)
		}
	}
	if len(names) != 2 || names[0] != first.UserID || names[1] != second.UserID {
		t.Fatalf("the community team's people = %+v, want 陈一 (newest grant) then 王二", teams[0].People)
	}
	if len(teams[1].People) != 1 || teams[1].People[0].UserID != atStreet.UserID {
		t.Fatalf("the street team's people = %+v", teams[1].People)
	}
	other, err := e.svc.PairCandidates(ctx, wutongCom)
	if err != nil || len(other) != 1 || other[0].OrgID != e.outOrg || len(other[0].People) != 1 {
		t.Fatalf("another county's candidates = %+v %v", other, err)
	}
}
