package pages

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/identity"
)

// privacySections are the privacy notice's parts, top to bottom: what is kept, why, for how long,
// who sees it, and what the person may ask. Each is a title and a text in the catalogues.
var privacySections = []string{"what", "why", "how_long", "who", "location", "rights", "children"}

// privacyView is the notice: its version (the one consent is recorded against) and its parts.
type privacyView struct {
	Version  string
	Sections []string
}

// privacyPage shows the privacy notice that registration asks consent to, for anyone.
func (s *server) privacyPage(c *fiber.Ctx) error {
	v := s.newView(c, "page.privacy.title")
	v.Data = privacyView{Version: identity.PrivacyNotice, Sections: privacySections}
	return s.render(c, fiber.StatusOK, "privacy", v)
}
