package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"timebank/pkg/access"
	"timebank/pkg/identity"
	who "timebank/pkg/principal"
)

// regionGrantsPage is the list the API answers for a region node.
type regionGrantsPage struct {
	Grants []identity.RegionGrant `json:"grants"`
}

// grantAt returns the active grant of the user in the list, or false.
func (p regionGrantsPage) grantAt(userID int64) (identity.RegionGrant, bool) {
	for _, g := range p.Grants {
		if g.UserID == userID {
			return g, true
		}
	}
	return identity.RegionGrant{}, false
}

// regionPerson registers a person and, when role is set, grants it at the node as the operator;
// it returns the person and a session token.
func regionPerson(t *testing.T, d services, phone, name string, role access.Role, code string) (identity.User, string) {
	t.Helper()
	ctx := context.Background()
	u, err := d.Users.Register(ctx, identity.Registration{Phone: phone, Password: testPassword, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if role != "" {
		if _, err := d.Users.Grant(ctx, identity.Change{Actor: who.Operator()}, u.ID,
			access.Grant{Role: role, Kind: access.Region, RegionCode: code}); err != nil {
			t.Fatal(err)
		}
	}
	tok, err := d.Sessions.Create(ctx, u.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	return u, tok
}

// A street's administrator grants a grid worker by phone number, lists the roles of the street (who,
// which role, since when, granted by whom, the phone masked), and revokes the grid worker, audited:
// the grid worker's very next request is refused, though their roles were cached in memory. A
// city's administrator and the platform's act there too; another street's administrator, a
// coordinator and the grid worker do not; an unknown number and a role that is not a region's are
// refused as problems in the caller's language.
func TestAPIRegionGrants(t *testing.T) {
	t.Parallel()
	fapp, d := newTestApp(t)
	a := svcAPI{app: fapp}
	w := newWorld(t, d)
	ctx := context.Background()
	bearer := func(tok string) []string {
		return []string{"Authorization", "Bearer " + tok, "Accept-Language", "zh-CN"}
	}
	admins := "/api/v1/regions/" + w.regionIn + "/admins"
	grid, gridTok := regionPerson(t, d, "13700000001", "李建国", "", "")
	_, cityTok := regionPerson(t, d, "13700000002", "嘉兴市管理员", access.RegionAdmin, "330400000000")
	_, otherTok := regionPerson(t, d, "13700000003", "梧桐街道管理员", access.RegionAdmin, w.regionOu)

	r := a.do(t, "POST", admins, `{"phone":"13700000001","role":"grid_worker"}`, bearer(w.tokens[regionXS])...)
	if r.Status != 201 {
		t.Fatalf("grant a grid worker: %s", r)
	}
	var made struct {
		ID     int64        `json:"id"`
		UserID int64        `json:"user_id"`
		Grant  access.Grant `json:"grant"`
	}
	r.decode(t, &made)
	if made.UserID != grid.ID || made.Grant.Role != access.GridWorker || made.Grant.RegionCode != w.regionIn {
		t.Fatalf("the grant made: %+v", made)
	}
	if again := a.do(t, "POST", admins, `{"phone":"137 0000 0001","role":"grid_worker"}`, bearer(w.tokens[regionXS])...); again.Status != 201 ||
		!strings.Contains(string(again.Raw), fmt.Sprintf(`"id":%d`, made.ID)) {
		t.Errorf("granting it again is not the same grant: %s", again)
	}

	for _, caller := range []string{w.tokens[regionXS], cityTok, w.tokens[platform]} {
		r = a.do(t, "GET", admins, "", bearer(caller)...)
		if r.Status != 200 {
			t.Fatalf("list: %s", r)
		}
		if strings.Contains(string(r.Raw), "13700000001") || strings.Contains(string(r.Raw), "13800000006") {
			t.Errorf("the list shows a phone number in full: %s", r.Raw)
		}
		var page regionGrantsPage
		r.decode(t, &page)
		g, ok := page.grantAt(grid.ID)
		if !ok || g.ID != made.ID || g.Role != access.GridWorker || g.Name != "李建国" || g.Phone != "137****0001" ||
			g.GrantedBy != "user:"+id(w.users[regionXS]) || g.GrantedByName != regionXS || g.GrantedAt.IsZero() {
			t.Errorf("the grid worker's line: %+v %v", g, ok)
		}
		if g, ok := page.grantAt(w.users[regionXS]); !ok || g.Role != access.RegionAdmin || g.GrantedBy != "operator" || g.GrantedByName != "" {
			t.Errorf("the street administrator's own line: %+v %v", g, ok)
		}
		if len(page.Grants) != 2 { // not the auditor of 海宁市 above, nor anyone of 梧桐街道
			t.Errorf("the street's roles: %+v", page.Grants)
		}
	}

	// Refusals: a 403 for those who do not manage the street, problems for what cannot be granted.
	revokePath := fmt.Sprintf("%s/%d/revoke", admins, made.ID)
	for name, tok := range map[string]string{"another street's administrator": otherTok, "a coordinator": w.tokens[coordA],
		"the grid worker": gridTok, "an auditor above": w.tokens[auditorHN]} {
		for _, c := range []struct{ method, path, body string }{{"GET", admins, ""},
			{"POST", admins, `{"phone":"13900000000","role":"grid_worker"}`}, {"POST", revokePath, ""}} {
			r := a.do(t, c.method, c.path, c.body, bearer(tok)...)
			if r.Status != 403 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("%s: %s %s: %s", name, c.method, c.path, r)
			}
		}
	}
	for _, c := range []struct {
		body   string
		status int
		want   string
	}{
		{`{"phone":"13799999999","role":"grid_worker"}`, 404, "用户不存在"},
		{`{"phone":"12345","role":"grid_worker"}`, 400, "phone_invalid"},
		{`{"phone":"13900000000","role":"volunteer"}`, 400, "role_scope"},
		{`{"phone":"13900000000","role":"platform_admin"}`, 400, "role_scope"},
		{`{"phone":"13900000000","role":"mayor"}`, 400, "role_unknown"},
	} {
		r := a.do(t, "POST", admins, c.body, bearer(w.tokens[regionXS])...)
		if r.Status != c.status || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") ||
			!strings.Contains(string(r.Raw), c.want) {
			t.Errorf("%s: %s, want %d with %q", c.body, r, c.status, c.want)
		}
	}
	if _, ok := listAt(t, a, admins, w.tokens[regionXS]).grantAt(w.spare.ID); ok {
		t.Error("a refused grant was made")
	}

	// Revoking: the grid worker reads the street's care board (their roles are now in the cache),
	// and after the revocation the very next request is refused.
	if !d.Invalidation.Live() {
		t.Fatal("the invalidation bus is not live: principals would not be cached, and the test would prove nothing")
	}
	board := "/api/v1/communities/" + w.regionIn + "/care-board"
	if r := a.do(t, "GET", board, "", bearer(gridTok)...); r.Status != 200 {
		t.Fatalf("the grid worker's board before: %s", r)
	}
	if r := a.do(t, "POST", revokePath, "", bearer(w.tokens[regionXS])...); r.Status != 204 {
		t.Fatalf("revoke: %s", r)
	}
	if r := a.do(t, "GET", board, "", bearer(gridTok)...); r.Status != 403 {
		t.Errorf("the revoked grid worker's next request: %s", r)
	}
	var audited int
	if err := d.DB.GetContext(ctx, &audited, `SELECT count(*) FROM audit_log WHERE action = 'role.revoke' AND target = $1
		AND actor = $2 AND region_code = $3`, "user:"+id(grid.ID), "user:"+id(w.users[regionXS]), w.regionIn); err != nil || audited != 1 {
		t.Errorf("the revocation's audit entries: %d %v", audited, err)
	}
	if _, ok := listAt(t, a, admins, w.tokens[regionXS]).grantAt(grid.ID); ok {
		t.Error("the revoked grant is still listed")
	}
	if r := a.do(t, "POST", revokePath, "", bearer(w.tokens[regionXS])...); r.Status != 404 || !strings.Contains(string(r.Raw), "grant-not-found") {
		t.Errorf("revoking twice: %s", r)
	}
	// A grant of another street is not this street's to revoke, even for the platform's administrator.
	elsewhere := w.regionGrantFresh(t, w.regionOu)
	if r := a.do(t, "POST", fmt.Sprintf("%s/%d/revoke", admins, elsewhere), "", bearer(w.tokens[platform])...); r.Status != 404 {
		t.Errorf("another street's grant through this street: %s", r)
	}
	if r := a.do(t, "POST", admins+"/x/revoke", "", bearer(w.tokens[regionXS])...); r.Status != 400 {
		t.Errorf("a grant id that is not a number: %s", r)
	}
}

// listAt reads the roles of a node through the API.
func listAt(t *testing.T, a svcAPI, path, tok string) regionGrantsPage {
	t.Helper()
	r := a.do(t, "GET", path, "", "Authorization", "Bearer "+tok)
	if r.Status != 200 {
		t.Fatalf("list: %s", r)
	}
	var page regionGrantsPage
	r.decode(t, &page)
	return page
}
