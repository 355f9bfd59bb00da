package web

import (
	"net/url"
	"testing"
)

// Staff land on their work after signing in: a clerk on their store's counter, a coordinator on
// the home page with what waits for them, an organization's admin on the organizations, a region's
// staff on the regions; a volunteer on their hours. A page asked for (next) wins.
func TestStaffLanding(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	for who, want := range map[string]string{
		clerkSA:   "/stores/" + id(w.sa.ID) + "/counter",
		managerSA: "/stores/" + id(w.sa.ID) + "/counter",
		coordA:    "/",
		adminA:    "/orgs",
		regionXS:  "/regions",
		auditorHN: "/regions",
		volunteer: "/me/balance",
	} {
		b := newBrowser(t, app)
		if r := b.submit("/login", url.Values{"phone": {worldPhone(who)}, "password": {testPassword}}); r.status != 303 || r.location() != want {
			t.Errorf("%s lands on %d %q, want %q", who, r.status, r.location(), want)
		}
		b = newBrowser(t, app)
		if r := b.submit("/login", url.Values{"phone": {worldPhone(who)}, "password": {testPassword}, "next": {"/me/records"}}); r.location() != "/me/records" {
			t.Errorf("%s asked for their records and landed on %q", who, r.location())
		}
	}
}
