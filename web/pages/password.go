package pages

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/web/guard"
)

// passwordFields are the change-password form's fields, top to bottom.
var passwordFields = []string{"current_password", "new_password", "confirm_password"}

// passwordSubmit changes the password and, as the API does, ends every session of the person, this
// one included: whoever knew the old password is signed out too. The person signs in again.
func (s *server) passwordSubmit(c *fiber.Ctx) error {
	f := readForm(c, passwordFields...)
	lang := s.msgs.Lang(c)
	uid := guard.Principal(c).UserID
	current, next := c.FormValue("current_password"), c.FormValue("new_password")
	if next != c.FormValue("confirm_password") {
		f.fail("confirm_password", s.msgs.Get(lang, "page.password.mismatch"))
		return s.profilePage(c, fiber.StatusUnprocessableEntity, f)
	}
	err := s.guard.RateLimit(c, "pw:"+strconv.FormatInt(uid, 10), guard.LoginFailuresPerPhone, guard.LoginLockout)
	if err == nil {
		err = s.Users.ChangePassword(c.UserContext(), uid, current, next)
	}
	if err != nil {
		status, err := s.failForm(c, &f, err, nil)
		if err != nil {
			return err
		}
		return s.profilePage(c, status, f)
	}
	if err := s.guard.SignOut(c, true); err != nil {
		return err
	}
	return redirect(c, "/login?notice=password-changed")
}
