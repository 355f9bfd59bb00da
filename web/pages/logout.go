package pages

import "github.com/gofiber/fiber/v2"

// logoutSubmit ends this session, or every session of the person when the form asks (everywhere=1,
// from the profile page), and goes to the log-in page.
func (s *server) logoutSubmit(c *fiber.Ctx) error {
	if err := s.guard.SignOut(c, c.FormValue("everywhere") == "1"); err != nil {
		return err
	}
	return redirect(c, "/login?notice=signed-out")
}
