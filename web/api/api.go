// Package api is the JSON API under /api/v1: routes.go lists every route with its rule, and the
// files beside it hold the handlers, one per resource, and the OpenAPI document (openapi/). It
// stands on web's plumbing and never imports the pages.
package api

import (
	"log/slog"

	"github.com/gofiber/fiber/v2"
	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"timebank/ledger"
	"timebank/pkg/activity"
	"timebank/pkg/app"
	"timebank/pkg/config"
	"timebank/pkg/identity"
	"timebank/pkg/org"
	"timebank/pkg/qr"
	"timebank/pkg/roster"
	"timebank/pkg/session"
	"timebank/pkg/store"
	"timebank/web/guard"
	"timebank/web/i18n"
	"timebank/web/target"
)

// Deps are what the API's handlers stand on: the services and the plumbing the assembly built.
type Deps struct {
	Services *app.Services
	Msgs     i18n.Messages
	Guard    *guard.Guard
	Targets  *target.Finder
	Log      *slog.Logger
}

// server holds what the handlers use; each handler is a method of it.
type server struct {
	cfg        config.Config
	db         *sqlx.DB
	rdb        redis.UniversalClient
	ledger     *ledger.Ledger
	codes      *qr.Signer
	users      *identity.Users
	orgs       *org.Registry
	activities *activity.Service
	roster     *roster.Importer
	store      *store.Service
	sessions   *session.Store
	log        *slog.Logger
	msgs       i18n.Messages
	guard      *guard.Guard
	targets    *target.Finder
	router     *guard.Router
}

func newServer(r *guard.Router, d Deps) *server {
	v := d.Services
	return &server{cfg: v.Config, db: v.DB, rdb: v.Redis, ledger: v.Ledger, codes: v.Codes, users: v.Users,
		orgs: v.Orgs, activities: v.Activities, roster: v.Roster, store: v.Store, sessions: v.Sessions,
		log: d.Log, msgs: d.Msgs, guard: d.Guard, targets: d.Targets, router: r}
}

// handle registers a route with its rule (see guard.Router).
func (s *server) handle(method, path string, r guard.Rule, h ...fiber.Handler) {
	s.router.Handle(method, path, r, h...)
}
