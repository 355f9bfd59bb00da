package pages

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/web/guard"
)

// homeView is what the home page adds for administrators of regions and the platform: the years
// whose public holidays are not entered yet (from 1 December, next year's), and whether they may
// enter them.
type homeView struct {
	MissingHolidays []int
	EnterHolidays   bool
}

// homePage explains the service to a visitor and offers log-in and registration; a signed-in person
// sees the pages they can use.
func (s *server) homePage(c *fiber.Ctx) error {
	v := s.newView(c, "page.home.title")
	if p := guard.Principal(c); v.User != nil && p.CanAnywhere(access.ManageRegions) {
		missing, err := s.Activities.Calendar().Missing(c.UserContext())
		if err != nil {
			return err
		}
		v.Data = homeView{MissingHolidays: missing, EnterHolidays: p.CanAnywhere(access.ManageRules)}
	}
	return s.render(c, fiber.StatusOK, "home", v)
}
