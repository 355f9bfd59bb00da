package pages

import "github.com/gofiber/fiber/v2"

// homePage explains the service to a visitor and offers log-in and registration; a signed-in person
// sees the pages they can use.
func (s *server) homePage(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, "home", s.newView(c, "page.home.title"))
}
