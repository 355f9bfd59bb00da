package pages

import (
	"slices"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/web/guard"
)

// signInView is what the sign-in page shows beside its form: a scan held for this browser (it is
// made once the person is in).
type signInView struct {
	Pending *pendingNote
}

// loginPage shows the log-in form. Someone already signed in goes straight on to next.
func (s *server) loginPage(c *fiber.Ctx) error {
	next := localPath(c.Query("next"), "")
	if p := guard.Principal(c); p != nil && p.UserID != 0 {
		return redirect(c, localPath(next, "/me/balance"))
	}
	v := s.newView(c, "page.login.title")
	v.Form = form{Values: map[string]string{"next": next}}
	v.Data = signInView{Pending: s.pendingScanNote(c, v.Lang)}
	return s.render(c, fiber.StatusOK, "login", v)
}

// loginSubmit signs the person in and sends them on to next (a path on this site only). A failure
// says only that the number or the password is wrong, never which, so the form cannot be used to
// find out who is registered.
func (s *server) loginSubmit(c *fiber.Ctx) error {
	f := readForm(c, "phone", "password", "next")
	u, err := s.guard.SignIn(c, c.FormValue("phone"), c.FormValue("password"), false)
	if err != nil {
		status, err := s.failForm(c, &f, err, nil)
		if err != nil {
			return err
		}
		v := s.newView(c, "page.login.title")
		v.Form = f
		v.Data = signInView{Pending: s.pendingScanNote(c, v.Lang)}
		return s.render(c, status, "login", v)
	}
	if next := localPath(f.Values["next"], ""); next != "" {
		return redirect(c, next)
	}
	p, err := s.Users.Principal(c.UserContext(), u.User.ID)
	if err != nil {
		return err
	}
	return redirect(c, landing(&p))
}

// landings are where staff land after signing in, by the first of these roles they hold: a clerk
// or manager on the counter, a coordinator on the home page (what waits in their organizations, what
// is due soon, and their activities, each linking its queue or page), an organization's admin
// on the organizations, a region's staff on the regions. A volunteer lands on their hours.
var landings = []struct {
	roles []access.Role
	nav   string // the menu entry whose page it is
}{
	{[]access.Role{access.Clerk, access.StoreManager}, "counter"},
	{[]access.Role{access.Coordinator}, "home"},
	{[]access.Role{access.OrgAdmin, access.PlatformAdmin}, "orgs"},
	{[]access.Role{access.RegionAdmin, access.Auditor}, "regions"},
}

// landing is the page the person's work starts on.
func landing(p *access.Principal) string {
	nav := visibleNav(p, menu)
	for _, l := range landings {
		if !slices.ContainsFunc(l.roles, p.Has) {
			continue
		}
		for _, e := range nav {
			if e.id == l.nav {
				return e.path
			}
		}
	}
	return "/me/balance"
}
