package pages

import (
	"github.com/gofiber/fiber/v2"

	"timebank/web/guard"
)

// signInView is what the sign-in and registration pages show beside their forms: a scan held for
// this browser (it is made once the person is in), and whether registration is the short one.
type signInView struct {
	Pending *pendingNote
	Short   bool // phone, name and password only: the ID number can be added later, on "me"
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
	if _, err := s.guard.SignIn(c, c.FormValue("phone"), c.FormValue("password"), false); err != nil {
		status, err := s.failForm(c, &f, err, nil)
		if err != nil {
			return err
		}
		v := s.newView(c, "page.login.title")
		v.Form = f
		v.Data = signInView{Pending: s.pendingScanNote(c, v.Lang)}
		return s.render(c, status, "login", v)
	}
	return redirect(c, localPath(f.Values["next"], "/me/balance"))
}
