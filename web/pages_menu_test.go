package web

import (
	"html"
	"regexp"
	"strings"
	"testing"
)

var (
	navLinkRe  = regexp.MustCompile(`<a href="([^"]*)" id="nav-([a-z-]+)"`)
	homeCardRe = regexp.MustCompile(`<a class="card" href="([^"]*)" id="home-([a-z-]+)"[^>]*><strong>([^<]*)</strong><span>([^<]*)</span>`)
)

// menuOf reads the menu of a page as "id path" lines, in order.
func menuOf(body string) []string {
	var out []string
	for _, m := range navLinkRe.FindAllStringSubmatch(body, -1) {
		out = append(out, m[2]+" "+html.UnescapeString(m[1]))
	}
	return out
}

// Each kind of person sees on the home page exactly the menu entries of their roles, each with a
// label and a description, and every entry opens for them: a menu never links to a refusal.
func TestMenuEntriesByRole(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	sa := "/stores/" + id(w.sa.ID)
	own := []string{"home /", "balance /me/balance", "activities /activities", "records /me/records", "code /me/code",
		"stores /stores", "orders /me/orders", "me /me"}
	with := func(extra ...string) []string { return append(append([]string{}, own...), extra...) }
	for _, c := range []struct {
		who  string
		want []string
	}{
		{anon, []string{"home /"}},
		{volunteer, own},
		{coordA, with("manage /activities/manage", "orgs /orgs")},
		{adminA, with("manage /activities/manage", "counter /stores", "orgs /orgs", "audit /audit")},
		{clerkSA, with("counter " + sa + "/counter")},
		{managerSA, with("counter "+sa+"/counter", "audit /audit")},
		{regionXS, with("orgs /orgs", "regions /regions", "audit /audit")},
		{kioskA, []string{"home /", "device /device"}},
		{counterSA, []string{"home /", "device /device"}},
	} {
		t.Run(c.who, func(t *testing.T) {
			b := newBrowser(t, app)
			switch c.who {
			case anon:
			case kioskA, counterSA:
				deviceSignIn(t, b, w.tokens[c.who], "")
			default:
				b = signedInAs(t, app, c.who)
			}
			home := b.get("/")
			if home.status != 200 {
				t.Fatalf("home page: %d", home.status)
			}
			got := menuOf(home.body)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Fatalf("menu:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			cards := homeCardRe.FindAllStringSubmatch(home.body, -1)
			person := c.who != anon && c.who != kioskA && c.who != counterSA
			if person && len(cards) != len(c.want)-1 {
				t.Errorf("home page shows %d cards for %d entries besides home", len(cards), len(c.want)-1)
			}
			for _, m := range cards {
				if strings.TrimSpace(m[3]) == "" || strings.TrimSpace(m[4]) == "" {
					t.Errorf("card %s has no label or no description", m[2])
				}
			}
			for _, line := range got {
				_, path, _ := strings.Cut(line, " ")
				if r := b.get(path); r.status != 200 {
					t.Errorf("%s links to %s, which answers %d", line, path, r.status)
				}
			}
		})
	}
}
