package web

import "github.com/gofiber/fiber/v2"

// pageRoutes are the HTML pages and their form posts, the static files, and the live balance they
// use. Forms post to page routes that call the same domain functions as the JSON API.
func (s *server) pageRoutes() {
	r, err := newRenderer(s.msgs)
	if err != nil {
		panic(err) // the templates are embedded: one that does not parse is a build mistake
	}
	s.views = r
	s.handle(fiber.MethodGet, "/static/*", public(), s.static)
	s.handle(fiber.MethodGet, "/", public(), s.homePage)
	s.handle(fiber.MethodGet, "/register", public(), s.registerPage)
	s.handle(fiber.MethodPost, "/register", public(), s.registerSubmit)
	s.handle(fiber.MethodGet, "/login", public(), s.loginPage)
	s.handle(fiber.MethodPost, "/login", public(), s.loginSubmit)
	s.handle(fiber.MethodPost, "/logout", public(), s.logoutSubmit)
	s.handle(fiber.MethodPost, "/lang", public(), s.langSubmit)
	s.handle(fiber.MethodGet, "/me", signedIn(), s.mePage)
	s.handle(fiber.MethodPost, "/me/password", signedIn(), s.passwordSubmit)
	s.handle(fiber.MethodGet, "/me/balance", signedIn(), s.balancePage)
	s.balanceRoutes()
	s.orgPageRoutes()
	s.storePageRoutes()
	s.activityPageRoutes()
	s.devicePageRoutes()
}
