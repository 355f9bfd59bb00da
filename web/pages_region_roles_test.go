package web

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"timebank/pkg/access"
	"timebank/web/pages"
)

// tags matches the markup of a page, to read its text as a person does.
var tags = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]*>`)

// pageText is what a person reads on the page: no markup, no attributes.
func pageText(body string) string { return tags.ReplaceAllString(body, " ") }

// A street's administrator finds the page of people and roles from the street's page, grants a
// registered person the grid worker's role by the number typed in full (shown masked after), is
// told what is wrong beside the field (a number nobody registered with, no role chosen, a role that
// is not a region's), and revokes the role after a question. The page shows no codes or ids, and
// needs the form's anti-forgery token; an auditor sees no link, another street's administrator is
// refused.
func TestRegionRolesPage(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	grid, _ := regionPerson(t, d, "13700000001", "李建国", "", "")
	regionPerson(t, d, "13700000003", "梧桐街道管理员", access.RegionAdmin, w.regionOu)
	path := pages.RegionRolesPath(w.regionIn)

	b := browserAs(t, app, regionXS)
	if r := b.get("/regions/" + w.regionIn); r.status != 200 || !strings.Contains(r.body, `href="`+path+`"`) {
		t.Fatalf("the street's page has no link to its roles: %d", r.status)
	}
	if r := browserAs(t, app, auditorHN).get("/regions/" + w.regionIn); r.status != 200 || strings.Contains(r.body, path) {
		t.Errorf("an auditor's street page links the roles: %d", r.status)
	}
	r := b.get(path)
	if r.status != 200 {
		t.Fatalf("the roles page: %d\n%s", r.status, r.body)
	}
	inputsLabelled(t, "region roles page", r.body)
	text := pageText(r.body)
	for _, want := range []string{"人员与角色", "硖石街道", "授予角色", "网格员", "审计员", "区域管理员", regionXS, "（您本人）", "由系统管理员授予"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`\d{6,}|user:|grid_worker|region_admin`).FindString(text); m != "" {
		t.Errorf("the page shows a code or id: %q", m)
	}
	if !strings.Contains(r.body, `name="_csrf"`) {
		t.Error("the grant form has no anti-forgery token")
	}
	if r := b.post(path, url.Values{"phone": {"13700000001"}, "role": {"grid_worker"}}); r.status != 403 {
		t.Errorf("a grant without the anti-forgery token: %d", r.status)
	}

	for _, c := range []struct {
		phone, role, field, want string
	}{
		{"13799999999", "grid_worker", "phone", "这个手机号还没有注册"},
		{"13700000001", "", "role", "请选择要授予的角色"},
		{"13700000001", "volunteer", "role", "该角色不能在此范围授予"},
		{"123", "grid_worker", "phone", "11 位"},
	} {
		r := b.submit(path, url.Values{"phone": {c.phone}, "role": {c.role}})
		if r.status != 422 || !strings.Contains(r.body, `id="f-`+c.field+`-error"`) || !strings.Contains(r.body, c.want) {
			t.Errorf("%s as %q: %d, want the %s field to say %q", c.phone, c.role, r.status, c.field, c.want)
		}
	}
	if gs, err := d.Users.RegionGrants(t.Context(), w.regionIn); err != nil || len(gs) != 1 {
		t.Fatalf("refused forms granted something: %+v %v", gs, err)
	}

	r = b.submit(path, url.Values{"phone": {"13700000001"}, "role": {"grid_worker"}})
	if r.status != 303 || !strings.HasPrefix(r.location(), path+"?granted=") {
		t.Fatalf("grant: %d %s\n%s", r.status, r.location(), r.body)
	}
	r = b.get(r.location())
	if !strings.Contains(r.body, "已将“网格员”角色授予 李建国（137****0001）。") || !strings.Contains(r.body, `class="just-granted"`) {
		t.Errorf("after the grant the page does not say who got which role:\n%s", r.body)
	}
	if strings.Contains(r.body, "13700000001") {
		t.Error("after the grant the page shows the number in full")
	}
	gs, err := d.Users.RegionGrants(t.Context(), w.regionIn)
	if err != nil {
		t.Fatal(err)
	}
	var grant int64
	for _, g := range gs {
		if g.UserID == grid.ID && g.Role == access.GridWorker {
			grant = g.ID
		}
	}
	if grant == 0 {
		t.Fatalf("no grant made: %+v", gs)
	}
	if !strings.Contains(pageText(r.body), "由"+regionXS+"授予") {
		t.Error("the line does not say who granted it")
	}

	// Revoking asks first, then takes the role away.
	revoke := path + "/" + id(grant) + "/revoke"
	r = b.get(revoke)
	if r.status != 200 || !strings.Contains(r.body, "确定撤销 李建国 在硖石街道的“网格员”角色吗？") || !strings.Contains(r.body, `id="revoke-confirm"`) {
		t.Fatalf("the question: %d\n%s", r.status, r.body)
	}
	if gs, _ := d.Users.RegionGrants(t.Context(), w.regionIn); len(gs) != 2 {
		t.Errorf("asking revoked something: %+v", gs)
	}
	if r := b.post(revoke, url.Values{}); r.status != 403 {
		t.Errorf("a revocation without the anti-forgery token: %d", r.status)
	}
	r = b.submit(revoke, url.Values{})
	if r.status != 303 || r.location() != path+"?notice=region-role-revoked" {
		t.Fatalf("revoke: %d %s", r.status, r.location())
	}
	r = b.get(r.location())
	if !strings.Contains(r.body, "角色已撤销，即时生效") || strings.Contains(r.body, "李建国") {
		t.Errorf("after the revocation:\n%s", r.body)
	}
	if r := b.submit(revoke, url.Values{}); r.status != 404 {
		t.Errorf("revoking twice: %d", r.status)
	}

	// A person who revokes their own role is sent home, and can no longer open the page.
	me, _ := regionPerson(t, d, "13700000005", "自撤管理员", access.RegionAdmin, w.regionIn)
	mine := newBrowser(t, app)
	if r := mine.submit("/login", url.Values{"phone": {"13700000005"}, "password": {testPassword}}); r.status != 303 {
		t.Fatalf("log-in: %d", r.status)
	}
	own, err := d.Users.RegionGrants(t.Context(), w.regionIn)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range own {
		if g.UserID != me.ID {
			continue
		}
		if r := mine.get(path + "/" + id(g.ID) + "/revoke"); r.status != 200 || !strings.Contains(r.body, `id="revoke-self"`) {
			t.Errorf("the question about one's own role does not warn: %d", r.status)
		}
		if r := mine.submit(path+"/"+id(g.ID)+"/revoke", url.Values{}); r.status != 303 || r.location() != "/?notice=region-role-revoked" {
			t.Errorf("revoking one's own role: %d %s", r.status, r.location())
		}
	}
	if r := mine.get(path); r.status != 403 {
		t.Errorf("the page after revoking one's own role: %d", r.status)
	}

	// In English; and not for another street's administrator.
	en := browserAs(t, app, regionXS)
	if r := en.submit("/lang", url.Values{"lang": {"en"}, "next": {"/"}}); r.status != 303 {
		t.Fatalf("switching to English: %d", r.status)
	}
	if r := en.get(path); r.status != 200 || !strings.Contains(r.body, "People and roles") || !strings.Contains(r.body, "Grant role") ||
		!strings.Contains(r.body, "granted by Operator") {
		t.Errorf("the English page: %d\n%s", r.status, r.body)
	}
	other := newBrowser(t, app)
	if r := other.submit("/login", url.Values{"phone": {"13700000003"}, "password": {testPassword}}); r.status != 303 {
		t.Fatalf("log-in of another street's administrator: %d", r.status)
	}
	if r := other.get(path); r.status != 403 {
		t.Errorf("another street's administrator opening the page: %d", r.status)
	}
}
