package pages

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/identity"
)

// privacyView is the notice's version: the one consent is recorded against. Its parts (what is
// kept, why, for how long, who sees it, location, what the person may ask, minors) are the page's.
type privacyView struct {
	Version string
}

// privacyPage shows the privacy notice that registration asks consent to, for anyone.
func (s *server) privacyPage(c *fiber.Ctx) error {
	v := s.newView(c, "page.privacy.title")
	v.Data = privacyView{Version: identity.PrivacyNotice}
	return s.render(c, fiber.StatusOK, "privacy", v)
}
