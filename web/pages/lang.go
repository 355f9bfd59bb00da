package pages

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/app"
	"timebank/web/guard"
	"timebank/web/i18n"
	"timebank/web/problem"
)

// langSubmit switches the language: a cookie for the browser and, for a signed-in person, their
// stored language too (messages and pages sent to them later use it). It goes back to the page the
// switch was pressed on.
func (s *server) langSubmit(c *fiber.Ctx) error {
	lang := c.FormValue("lang")
	if lang != "zh-CN" && lang != "en" {
		return problem.BadRequest("lang", "lang_invalid")
	}
	if p := guard.Principal(c); p != nil && p.UserID != 0 {
		if err := s.Users.SetLang(c.UserContext(), p.UserID, lang); err != nil {
			return err
		}
	}
	s.guard.SetCookie(c, i18n.CookieLang, lang, int(app.SessionTTL.Seconds()))
	return redirect(c, localPath(c.FormValue("next"), "/"))
}
