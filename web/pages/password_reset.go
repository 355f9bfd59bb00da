package pages

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/sms"
	"timebank/web/guard"
	"timebank/web/request"
)

// resetView is what the pages of getting back into an account need: whether codes come by SMS
// here, and on the staff's page the code just issued.
type resetView struct {
	SMS    bool
	Issued *issuedCode
}

// issuedCode is a reset code the staff just issued, shown this once.
type issuedCode struct {
	OrgID   int64
	Name    string
	Phone   string // masked
	Code    string
	Expires time.Time
}

// forgotPage asks for the phone number to send a reset code to by SMS; where the service sends no
// SMS, it says to ask the organization's staff for a code.
func (s *server) forgotPage(c *fiber.Ctx) error {
	return s.renderForgot(c, fiber.StatusOK, form{Values: map[string]string{}})
}

func (s *server) renderForgot(c *fiber.Ctx, status int, f form) error {
	v := s.newView(c, "page.reset.forgot_title")
	v.Form = f
	v.Data = resetView{SMS: sms.Enabled(s.SMS)}
	return s.render(c, status, "password_forgot", v)
}

// forgotSubmit sends the code if the number is registered, and goes on to the form that uses it
// either way: the page never tells whether a number is registered.
func (s *server) forgotSubmit(c *fiber.Ctx) error {
	f := readForm(c, "phone")
	if err := s.guard.RequestReset(c, c.FormValue("phone"), s.msgs.Lang(c), s.SMS); err != nil {
		status, err := s.failForm(c, &f, err, map[string]string{"sms-unavailable": ""})
		if err != nil {
			return err
		}
		return s.renderForgot(c, status, f)
	}
	return redirect(c, "/password/reset?notice=reset-sent")
}

// resetFields are the reset form's fields, top to bottom.
var resetFields = []string{"phone", "code", "new_password", "confirm_password"}

// resetPage is the form that sets a new password with a code, from an SMS or from the staff.
func (s *server) resetPage(c *fiber.Ctx) error {
	return s.renderReset(c, fiber.StatusOK, form{Values: map[string]string{}})
}

func (s *server) renderReset(c *fiber.Ctx, status int, f form) error {
	v := s.newView(c, "page.reset.title")
	v.Form = f
	v.Data = resetView{SMS: sms.Enabled(s.SMS)}
	return s.render(c, status, "password_reset", v)
}

// resetSubmit sets the new password and signs the person out everywhere; they sign in with it.
func (s *server) resetSubmit(c *fiber.Ctx) error {
	f := readForm(c, resetFields...)
	if c.FormValue("new_password") != c.FormValue("confirm_password") {
		f.fail("confirm_password", s.msgs.Get(s.msgs.Lang(c), "page.password.mismatch"))
		return s.renderReset(c, fiber.StatusUnprocessableEntity, f)
	}
	err := s.guard.Reset(c, c.FormValue("phone"), c.FormValue("code"), c.FormValue("new_password"))
	if err != nil {
		status, err := s.failForm(c, &f, err, map[string]string{"reset-code": "code"})
		if err != nil {
			return err
		}
		return s.renderReset(c, status, f)
	}
	s.guard.SetCookie(c, guard.CookieSession, "", -1)
	return redirect(c, "/login?notice=password-reset")
}

// memberResetSubmit issues a one-time reset code to a member of the organization, for the staff
// who checked the person in person, and shows it this once.
func (s *server) memberResetSubmit(c *fiber.Ctx) error {
	orgID, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	userID, err := request.IDParam(c, "user")
	if err != nil {
		return err
	}
	r, err := s.Users.IssueStaffReset(c.UserContext(), guard.Change(c), guard.Principal(c), s.Orgs, orgID, userID)
	if err != nil {
		return err
	}
	v := s.newView(c, "page.reset.issued_title")
	v.Data = resetView{Issued: &issuedCode{OrgID: orgID, Name: r.Name, Phone: r.Phone, Code: r.Code, Expires: r.ExpiresAt}}
	return s.render(c, fiber.StatusOK, "password_issued", v)
}
