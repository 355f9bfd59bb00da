// Package pages is the HTML face of the service, rendered on the server: routes.go lists every
// page route with its rule, and the files beside it hold the page handlers, one per page or
// action, the renderer, the templates and the static files (embedded). It stands on web's
// plumbing and never imports the JSON API.
package pages

import (
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/app"
	"timebank/web/guard"
	"timebank/web/i18n"
	"timebank/web/target"
)

// server holds what the page handlers use; each handler is a method of it.
type server struct {
	*app.Services // the domain services, PostgreSQL and Redis
	log           *slog.Logger
	msgs          i18n.Messages
	guard         *guard.Guard
	targets       *target.Finder
	router        *guard.Router
	views         *renderer // the templates and static files
}

// newServer builds the pages' server and their renderer. The templates are embedded: one that does
// not parse is a build mistake, so it panics.
func newServer(r *guard.Router, v *app.Services, msgs i18n.Messages, log *slog.Logger) *server {
	views, err := newRenderer(msgs)
	if err != nil {
		panic(err)
	}
	return &server{Services: v, log: log, msgs: msgs, guard: r.Guard(), targets: target.New(v.Orgs, v.Activities),
		router: r, views: views}
}

// handle registers a route with its rule (see guard.Router).
func (s *server) handle(method, path string, r guard.Rule, h ...fiber.Handler) {
	s.router.Handle(method, path, r, h...)
}
