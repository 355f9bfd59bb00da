package pages

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/identity"
)

// Registration takes two steps, so that it tells no one but the number's holder whether the number
// is registered: the number first, to which a code is sent (or, if it is registered, a message
// saying how to sign in or reset the password), then the code with the person's details. Every
// number gets the same pages.

// registerView is the registration page: its banner and length (short, without the ID number, when
// the person came from a scan that waits for them, so that the scan is made within its time), and
// whether it is the second step, which takes the code and the details.
type registerView struct {
	Pending *pendingNote
	Short   bool
	Details bool
	Phone   string // the number the code was sent to, as typed, on the second step (a hidden field)
	Masked  string // the same number as pages show it: 138****5678
}

// registerPage asks for the phone number to send the registration code to.
func (s *server) registerPage(c *fiber.Ctx) error {
	return s.renderSignUp(c, fiber.StatusOK, form{Values: map[string]string{"next": localPath(c.Query("next"), "")}}, false)
}

// renderRegister renders a step of the registration.
func (s *server) renderSignUp(c *fiber.Ctx, status int, f form, details bool) error {
	v := s.newView(c, "page.register.title")
	v.Form = f
	note := s.pendingScanNote(c, v.Lang)
	masked := f.Values["phone"]
	if p, err := identity.NormalizePhone(masked); err == nil {
		masked = identity.MaskPhone(p)
	}
	v.Data = registerView{Pending: note, Short: note != nil, Details: details, Phone: f.Values["phone"], Masked: masked}
	return s.render(c, status, "register", v)
}

// registerCodeSubmit sends the code to the number and shows the second step; the page is the same
// whether or not the number is registered.
func (s *server) registerCodeSubmit(c *fiber.Ctx) error {
	f := readForm(c, "phone", "next")
	f.Values["next"] = localPath(f.Values["next"], "")
	if err := s.guard.RequestRegistrationCode(c, f.Values["phone"], s.msgs.Lang(c), s.SMS); err != nil {
		status, err := s.failForm(c, &f, err, map[string]string{"sms-unavailable": ""})
		if err != nil {
			return err
		}
		return s.renderSignUp(c, status, f, false)
	}
	return s.renderSignUp(c, fiber.StatusOK, f, true)
}

// registerFields are the fields of the second step, top to bottom.
var registerFields = []string{"phone", "code", "name", "password", "resident_id", "privacy_consent", "next"}

// registerSubmit registers the person with the code, in the language they are reading, and signs
// them in, so that a volunteer who arrived by scanning a code goes on to where the code pointed
// (next).
func (s *server) registerSubmit(c *fiber.Ctx) error {
	f := readForm(c, registerFields...)
	req := identity.Registration{Phone: c.FormValue("phone"), Name: c.FormValue("name"), Password: c.FormValue("password"),
		ResidentID: c.FormValue("resident_id"), Lang: s.msgs.Lang(c), PrivacyConsent: c.FormValue("privacy_consent") == "1",
		ConsentAlways: true, Code: c.FormValue("code")}
	_, err := s.guard.Register(c, req)
	if err == nil {
		_, err = s.guard.SignIn(c, req.Phone, req.Password, false)
	}
	if err != nil {
		status, err := s.failForm(c, &f, err, map[string]string{"registration-code": "code", "phone-taken": "phone",
			"resident-id-taken": "resident_id"})
		if err != nil {
			return err
		}
		return s.renderSignUp(c, status, f, true)
	}
	return redirect(c, localPath(f.Values["next"], "/me?notice=welcome"))
}
