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
	return s.render(c, fiber.StatusOK, "register", v)
}

// registerFields are the registration form's fields, top to bottom.
var registerFields = []string{"phone", "name", "password", "resident_id", "next"}

// registerSubmit registers the person, in the language they are reading, and signs them in, so that
// a volunteer who arrived by scanning a code goes on to where the code pointed (next).
func (s *server) registerSubmit(c *fiber.Ctx) error {
	f := readForm(c, registerFields...)
	req := identity.Registration{Phone: c.FormValue("phone"), Name: c.FormValue("name"), Password: c.FormValue("password"),
		ResidentID: c.FormValue("resident_id"), Lang: s.msgs.Lang(c)}
	err := s.guard.RateLimit(c, "reg:"+s.guard.ClientIP(c), guard.RegistrationsPerAddr, guard.RegistrationWindow)
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
		return s.render(c, status, "register", v)
	}
	return redirect(c, localPath(f.Values["next"], "/me?notice=welcome"))
}
