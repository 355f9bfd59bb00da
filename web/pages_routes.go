package web

import (
	"timebank/web/guard"

	"github.com/gofiber/fiber/v2"
)

// pageRoutes are the HTML pages and their form posts, the static files, and the live balance they
// use. Forms post to page routes that call the same domain functions as the JSON API.
func (s *server) pageRoutes() {
	r, err := newRenderer(s.msgs)
	if err != nil {
		panic(err) // the templates are embedded: one that does not parse is a build mistake
	}
	s.views = r
	s.handle(fiber.MethodGet, "/static/*", guard.Public(), s.static)
	s.handle(fiber.MethodGet, "/", guard.Public(), s.homePage)
	s.handle(fiber.MethodGet, "/register", guard.Public(), s.registerPage)
	s.handle(fiber.MethodPost, "/register", guard.Public(), s.registerSubmit)
	s.handle(fiber.MethodGet, "/login", guard.Public(), s.loginPage)
	s.handle(fiber.MethodPost, "/login", guard.Public(), s.loginSubmit)
	s.handle(fiber.MethodPost, "/logout", guard.Public(), s.logoutSubmit)
	s.handle(fiber.MethodPost, "/lang", guard.Public(), s.langSubmit)
	s.handle(fiber.MethodGet, "/me", guard.SignedIn(), s.mePage)
	s.handle(fiber.MethodPost, "/me/password", guard.SignedIn(), s.passwordSubmit)
	s.handle(fiber.MethodGet, "/me/balance", guard.SignedIn(), s.balancePage)
	s.orgPageRoutes()
	s.storePageRoutes()
	s.activityPageRoutes()
	s.devicePageRoutes()
}
