// Package api is the JSON API under /api/v1: routes.go lists every route with its rule, and the
// files beside it hold the handlers, one per resource, and the OpenAPI document (openapi/). It
// stands on web's plumbing and never imports the pages.
package api

import (
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/app"
	"timebank/web/guard"
	"timebank/web/i18n"
	"timebank/web/target"
)

// server holds what the handlers use; each handler is a method of it.
type server struct {
	*app.Services // the domain services, PostgreSQL and Redis
	log           *slog.Logger
	msgs          i18n.Messages
	guard         *guard.Guard
	targets       *target.Finder
	router        *guard.Router
}

func newServer(r *guard.Router, v *app.Services, msgs i18n.Messages, log *slog.Logger) *server {
	return &server{Services: v, log: log, msgs: msgs, guard: r.Guard(), targets: target.New(v.Orgs, v.Activities), router: r}
}

// handle registers a route with its rule (see guard.Router).
func (s *server) handle(method, path string, r guard.Rule, h ...fiber.Handler) {
	s.router.Handle(method, path, r, h...)
}
