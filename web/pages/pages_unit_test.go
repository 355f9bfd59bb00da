package pages

import (
	"strings"
	"testing"

	"timebank/pkg/access"
	who "timebank/pkg/principal"
)

// Only paths on this site are followed after log-in: localPath sends anything else home.
func TestLocalPath(t *testing.T) {
	for next, want := range map[string]string{
		"/me/balance":               "/me/balance",
		"/q/abc?x=1#top":            "/q/abc?x=1#top",
		"//evil.example":            "/home",
		"//evil.example/me":         "/home",
		"https://evil.example":      "/home",
		"http:/evil.example":        "/home",
		"/\\evil.example":           "/home",
		"\\/evil.example":           "/home",
		"/\t/evil.example":          "/home",
		"/\n/evil.example":          "/home",
		"javascript:alert(1)":       "/home",
		"evil.example":              "/home",
		"":                          "/home",
		"/%2F%2Fevil.example/still": "/%2F%2Fevil.example/still",
	} {
		if got := localPath(next, "/home"); got != want {
			t.Errorf("localPath(%q) = %q, want %q", next, got, want)
		}
	}

}

// The menu shows what the principal may do somewhere: everyone the public entries, people their
// own pages, and an entry that needs an action only to those whose roles allow it.
func TestMenuByRole(t *testing.T) {
	entries := []navEntry{
		{id: "home", path: "/", anyone: true},
		{id: "me", path: "/me"},
		{id: "orgs", path: "/orgs", action: access.ReadOrg},
		{id: "audit", path: "/audit", action: access.ReadAudit},
	}
	ids := func(p *access.Principal) string {
		var out []string
		for _, e := range visibleNav(p, entries) {
			out = append(out, e.id)
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		name string
		p    *access.Principal
		want string
	}{
		{"visitor", nil, "home"},
		{"volunteer", &access.Principal{Principal: who.Principal{UserID: 1}, Grants: []access.Grant{{Role: access.Volunteer, Kind: access.Org, OrgID: 1}}}, "home,me"},
		{"coordinator", &access.Principal{Principal: who.Principal{UserID: 2}, Grants: []access.Grant{{Role: access.Coordinator, Kind: access.Org, OrgID: 1}}}, "home,me,orgs"},
		{"store manager", &access.Principal{Principal: who.Principal{UserID: 3}, Grants: []access.Grant{{Role: access.StoreManager, Kind: access.Store, StoreID: 1}}}, "home,me,audit"},
		{"platform admin", &access.Principal{Principal: who.Principal{UserID: 4}, Grants: []access.Grant{{Role: access.PlatformAdmin, Kind: access.Platform}}}, "home,me,orgs,audit"},
	} {
		if got := ids(c.p); got != c.want {
			t.Errorf("%s sees %q, want %q", c.name, got, c.want)
		}
	}
}
