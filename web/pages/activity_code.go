package pages

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/qr"
	"timebank/web/guard"
)

// memberCodeView is the volunteer's member code page.
type memberCodeView struct {
	Name        string
	VolunteerNo string
	RefreshMS   int64 // how often the page's script draws a new code
}

// memberCodePage shows the volunteer's rotating member code, which the kiosk or the counter scans.
// Each image is a fresh single-use code valid for qr.MemberTTL; the script reloads it halfway
// through, and again whenever the page comes back into view, so a screenshot is soon worthless.
func (s *server) memberCodePage(c *fiber.Ctx) error {
	u, err := s.Users.ByID(c.UserContext(), guard.Principal(c).UserID)
	if err != nil {
		return err
	}
	v := s.actView(c, "page.act.code.title")
	v.Data = memberCodeView{Name: u.Name, VolunteerNo: u.VolunteerNo, RefreshMS: (qr.MemberTTL / 2).Milliseconds()}
	return s.render(c, fiber.StatusOK, "activity_code", v)
}

// memberCodeImage draws a fresh member code of the caller.
func (s *server) memberCodeImage(c *fiber.Ctx) error {
	code, err := s.Activities.MemberCode(guard.Principal(c).UserID)
	if err != nil {
		return err
	}
	return sendCodeImage(c, code.URL)
}
