package web

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/identity"
	"timebank/web/i18n"
	"timebank/web/pages"
)

// browserAs signs one of the authorization table's people in through the log-in page.
func browserAs(t *testing.T, app *fiber.App, who string) *browser {
	t.Helper()
	b := newBrowser(t, app)
	if r := b.submit("/login", url.Values{"phone": {tablePhone(t, who)}, "password": {testPassword}}); r.status != 303 {
		t.Fatalf("log-in as %s: %d", who, r.status)
	}
	return b
}

// memberGrants returns the active grants of the user in the organization and its stores.
func memberGrants(t *testing.T, d services, orgID, userID int64) []identity.MemberGrant {
	t.Helper()
	ms, err := d.Users.Members(context.Background(), orgID)
	if err != nil {
		t.Fatal(err)
	}
	var out []identity.MemberGrant
	for _, m := range ms {
		if m.UserID == userID {
			out = append(out, m)
		}
	}
	return out
}

// The organization page shows the organization, its account, stores, sub-organizations and members
// with masked numbers; the forms appear only for those who may use them.
func TestOrgPageShows(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	path := pages.OrgPath(w.a.ID)
	r := browserAs(t, app, adminA).get(path)
	if r.status != 200 {
		t.Fatalf("org admin: %d\n%s", r.status, r.body)
	}
	inputsLabelled(t, "org page", r.body)
	for _, want := range []string{w.a.Name, w.a.AccountCode, w.sa.Name, w.sa.AccountCode, w.subA.Name, "备案", "硖石街道",
		`id="invite-form"`, `id="device-form"`, `<label for="f-role">`, `<label for="f-scope">`, "138****0002",
		`value="clerk@` + id(w.sa.ID) + `"`, `id="to-import"`, `href="/stores/` + id(w.sa.ID) + `"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the org admin's page lacks %q", want)
		}
	}
	if regexp.MustCompile(`1380000\d{4}`).MatchString(r.body) {
		t.Error("the page shows a phone number in full")
	}
	r = browserAs(t, app, coordA).get(path)
	if r.status != 200 || !strings.Contains(r.body, w.a.Name) {
		t.Fatalf("coordinator: %d", r.status)
	}
	for _, never := range []string{`id="invite-form"`, `id="device-form"`, "/revoke", `id="to-import"`} {
		if strings.Contains(r.body, never) {
			t.Errorf("a coordinator's page shows %s", never)
		}
	}
	if r = browserAs(t, app, volunteer).get(path); r.status != 403 {
		t.Errorf("a volunteer opening the org page: %d", r.status)
	}
	if r = browserAs(t, app, adminA).get(pages.OrgPath(w.b.ID)); r.status != 403 {
		t.Errorf("org admin of A opening B: %d", r.status)
	}
	if r = browserAs(t, app, platform).get("/orgs/999999"); r.status != 404 {
		t.Errorf("an organization that does not exist: %d", r.status)
	}
	b := browserAs(t, app, adminA)
	b.jar[i18n.CookieLang] = "en"
	if r = b.get(path); !strings.Contains(r.body, "Members and roles") || !strings.Contains(r.body, "Filed") {
		t.Error("the English org page")
	}
}

// Inviting by phone number grants the role (in the organization or one of its stores); mistakes come
// back next to their field; revoking ends the grant; a grant of another organization cannot be
// reached through this organization's page; forms without the anti-forgery token are refused.
func TestOrgPageMembers(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	path := pages.OrgPath(w.a.ID)
	b := browserAs(t, app, adminA)

	r := b.submit(path+"/members", url.Values{"phone": {"139 0000 0000"}, "role": {"coordinator"}})
	if r.status != 303 || r.location() != path+"?notice=member-added#members" {
		t.Fatalf("invite: %d %q\n%s", r.status, r.location(), r.body)
	}
	if r = b.get(r.location()); !strings.Contains(r.body, "已授予角色") || !strings.Contains(r.body, "候补") {
		t.Error("the page after inviting lacks the notice or the new member")
	}
	r = b.submit(path+"/members", url.Values{"phone": {"13900000000"}, "role": {"clerk@" + id(w.sa.ID)}})
	if r.status != 303 {
		t.Fatalf("invite as a clerk of the store: %d\n%s", r.status, r.body)
	}
	gs := memberGrants(t, d, w.a.ID, w.spare.ID)
	roles := map[access.Role]bool{}
	for _, g := range gs {
		roles[g.Role] = true
	}
	if len(gs) != 2 || !roles[access.Coordinator] || !roles[access.Clerk] {
		t.Fatalf("grants after two invitations: %+v", gs)
	}

	for _, c := range []struct {
		name, phone, role, field, text string
	}{
		{"not registered", "13911112222", "volunteer", "phone", "还没有注册"},
		{"not a phone number", "12345", "volunteer", "phone", "有效的 11 位"},
		{"a store of another organization", "13900000000", "clerk@" + id(w.sb.ID), "role", "不属于本组织"},
		{"a role not held in an organization", "13900000000", "platform_admin", "role", "不能在此范围"},
		{"no role", "13900000000", "", "role", ""},
	} {
		r := b.submit(path+"/members", url.Values{"phone": {c.phone}, "role": {c.role}})
		if r.status < 400 || r.status >= 500 || !strings.Contains(r.body, `data-testid="error-`+c.field+`"`) ||
			!strings.Contains(r.body, c.text) || !strings.Contains(r.body, `id="error-summary"`) {
			t.Errorf("%s: %d, want the error next to %s\n%s", c.name, r.status, c.field, r.body)
		}
	}

	// Revoking, and revoking again.
	grant := gs[0].ID
	r = b.submit(fmt.Sprintf("%s/grants/%d/revoke", path, grant), url.Values{})
	if r.status != 303 || r.location() != path+"?notice=member-revoked#members" {
		t.Fatalf("revoke: %d %q", r.status, r.location())
	}
	if len(memberGrants(t, d, w.a.ID, w.spare.ID)) != 1 {
		t.Error("the grant is still active")
	}
	r = b.submit(fmt.Sprintf("%s/grants/%d/revoke", path, grant), url.Values{})
	if r.status != 422 || !strings.Contains(r.body, "已撤销") {
		t.Errorf("revoking twice: %d", r.status)
	}

	// A grant of organization B through A's page: not found here, even for the platform's
	// administrators, and the grant stays.
	other := w.grantFresh(t, w.b.ID, 0)
	if r = browserAs(t, app, platform).submit(fmt.Sprintf("%s/grants/%d/revoke", path, other), url.Values{}); r.status != 422 ||
		!strings.Contains(r.body, "已撤销") {
		t.Errorf("revoking B's grant through A's page: %d", r.status)
	}
	if _, _, err := d.Users.GrantByID(context.Background(), other); err != nil {
		t.Errorf("B's grant: %v", err)
	}

	// Without the anti-forgery token nothing happens.
	if r = b.post(path+"/members", url.Values{"phone": {"13900000000"}, "role": {"org_admin"}}); r.status != 403 {
		t.Errorf("an invitation without the token: %d", r.status)
	}
	for _, g := range memberGrants(t, d, w.a.ID, w.spare.ID) {
		if g.Role == access.OrgAdmin {
			t.Error("the invitation without the token granted the role")
		}
	}
}
