package pages

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"timebank/web/guard"
	"timebank/web/problem"
)

// errorPage shows an error to a browser, in the person's language, inside the layout. A page that
// needs a signed-in person sends a visitor to log in first, and back to the page after (GET only: a
// form post cannot be replayed by a redirect).
func (s *server) errorPage(c *fiber.Ctx, p problem.Problem) error {
	if s.views == nil {
		return fiber.ErrInternalServerError
	}
	if p.Status == fiber.StatusUnauthorized {
		c.Response().Header.Del(fiber.HeaderWWWAuthenticate)
		to := "/login"
		if guard.SafeMethod(c.Method()) {
			to += "?next=" + url.QueryEscape(localPath(c.OriginalURL(), "/"))
		}
		return redirect(c, to)
	}
	v := s.newView(c, "page.error.title")
	v.Title = p.Title
	v.Data = p
	return s.render(c, p.Status, "error", v)
}
