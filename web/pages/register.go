package pages

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/identity"
	"timebank/web/guard"
)

// registerPage shows the registration form.
func (s *server) registerPage(c *fiber.Ctx) error {
	v := s.newView(c, "page.register.title")
	v.Form = form{Values: map[string]string{"next": localPath(c.Query("next"), "")}}
	v.Data = s.registerView(c, v.Lang)
	return s.render(c, fiber.StatusOK, "register", v)
}

// registerView is the registration page's banner and length: short (no ID number) when the
// person came from a scan that waits for them, so that the scan is made within its time.
func (s *server) registerView(c *fiber.Ctx, lang string) signInView {
	note := s.pendingScanNote(c, lang)
	return signInView{Pending: note, Short: note != nil}
}

// registerFields are the registration form's fields, top to bottom.
var registerFields = []string{"phone", "name", "password", "resident_id", "privacy_consent", "next"}

// registerSubmit registers the person, in the language they are reading, and signs them in, so that
// a volunteer who arrived by scanning a code goes on to where the code pointed (next).
func (s *server) registerSubmit(c *fiber.Ctx) error {
	f := readForm(c, registerFields...)
	req := identity.Registration{Phone: c.FormValue("phone"), Name: c.FormValue("name"), Password: c.FormValue("password"),
		ResidentID: c.FormValue("resident_id"), Lang: s.msgs.Lang(c), PrivacyConsent: c.FormValue("privacy_consent") == "1",
		ConsentAlways: true}
	err := req.Check() // everything the form says at once, before the attempt is counted
	if err == nil {
		err = s.guard.RateLimit(c, "reg:"+s.guard.ClientIP(c), guard.RegistrationsPerAddr, guard.RegistrationWindow)
	}
	if err == nil {
		_, err = s.Users.Register(c.UserContext(), req)
	}
	if err == nil {
		_, err = s.guard.SignIn(c, req.Phone, req.Password, false)
	}
	if err != nil {
		status, err := s.failForm(c, &f, err, map[string]string{"phone-taken": "phone", "resident-id-taken": "resident_id"})
		if err != nil {
			return err
		}
		v := s.newView(c, "page.register.title")
		v.Form = f
		v.Data = s.registerView(c, v.Lang)
		return s.render(c, status, "register", v)
	}
	return redirect(c, localPath(f.Values["next"], "/me?notice=welcome"))
}
