// Package web is the HTTP face of the service, assembled: web.New builds the Fiber app with its
// middleware chain, the one error handler (with the error page of web/pages as its hook), health
// and metrics, then the routes of the JSON API (web/api) and of the pages (web/pages). Both sides
// stand on the plumbing below them (guard, target, problem, request, i18n, observe) and never on
// each other; only this package imports both.
package web

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"timebank/pkg/app"
	"timebank/pkg/config"
	"timebank/web/api"
	"timebank/web/guard"
	"timebank/web/i18n"
	"timebank/web/observe"
	"timebank/web/pages"
	"timebank/web/problem"
	"timebank/web/request"
)

// server is the assembly: what the middleware, the error handler and the health routes need, and
// the router both sides register their routes with.
type server struct {
	cfg      config.Config
	db       *sqlx.DB
	rdb      redis.UniversalClient
	log      *slog.Logger
	msgs     i18n.Messages
	services *app.Services
	observer *observe.Observer
	problems *problem.Writer
	guard    *guard.Guard
	app      *fiber.App
	router   *guard.Router // every route with its rule
	// metricsPort is the port of the metrics address, 0 when there is none (metrics_route.go).
	metricsPort int
}

// bodyLimit is the largest request body the server reads, room for roster files and photos (JSON
// bodies are limited to 1 MiB in request.DecodeJSON). A larger body is refused before any route runs: Fiber
// hands fiber.ErrRequestEntityTooLarge to the error handler, which answers 413 as for any error.
const bodyLimit = 12 << 20

// New builds the Fiber app over the services app.New built, with every route registered.
func New(d *app.Services) (*fiber.App, error) {
	msgs, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	log := d.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &server{cfg: d.Config, db: d.DB, rdb: d.Redis, log: log, msgs: msgs, services: d,
		metricsPort: metricsPort(d.Config.MetricsAddr)}
	s.guard = guard.New(d.Config, d.Redis, d.Users, d.Sessions, d.DeviceSessions, d.Limiter, d.SignIn, log)
	s.observer = observe.New(d.Config, log, d.DB, d.Redis, d.Ledger, d.Store, s.errorHandler)
	s.observer.WatchReplica(d.Reads)
	s.problems = &problem.Writer{BaseURL: s.cfg.BaseURL, Msgs: msgs, Log: log}
	s.app = fiber.New(fiber.Config{
		AppName:      "timebank",
		ErrorHandler: s.errorHandler,
		BodyLimit:    bodyLimit,
		// Multipart bodies are parsed when a handler reads them, not while the request is read: a
		// body that does not parse is then a 400 of its route, in the caller's language, naming the
		// field, instead of fasthttp's refusal before any route (and any language) is known.
		DisablePreParseMultipartForm: true,
		ReadTimeout:                  15 * time.Second,
		WriteTimeout:                 30 * time.Second,
		IdleTimeout:                  75 * time.Second,
		DisableStartupMessage:        true,
	})
	s.router = s.guard.Router(s.app)
	s.app.Use(s.observer.TagRequest, s.observer.Observe, recover.New(), s.metricsAddrOnly, request.RefuseControlChars, s.guard.Authenticate)
	s.routes()
	return s.app, nil
}

// errorHandler renders every error as application/problem+json in the caller's language (or as
// the error page to a browser). Fiber also calls it for a request the HTTP server refused while
// reading it: that one has not been through the middleware and has no request id yet.
func (s *server) errorHandler(c *fiber.Ctx, err error) error {
	if observe.RequestID(c) == "" {
		return s.observer.Refused(c, err, s.problems.Write)
	}
	return s.problems.Write(c, err)
}

func (s *server) routes() {
	s.handle(fiber.MethodGet, "/healthz", guard.Public(), s.healthz)
	s.handle(fiber.MethodGet, "/readyz", guard.Public(), s.readyz)
	s.handle(fiber.MethodGet, "/metrics", guard.Public(), s.metricsHandler)

	api.Routes(s.router, s.services, s.msgs, s.log)
	s.problems.Page = pages.Routes(s.router, s.services, s.msgs, s.log)

	s.app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

// healthz says the process is up.
func (s *server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz says whether PostgreSQL and Redis answer; load balancers stop sending traffic otherwise.
// With a replica configured it also gives the replica's state and lag, without failing on it.
func (s *server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	checks := fiber.Map{"postgres": "ok", "redis": "ok"}
	ready := true
	if err := s.db.PingContext(ctx); err != nil {
		checks["postgres"], ready = "unreachable", false
	}
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		checks["redis"], ready = "unreachable", false
	}
	// A replica that is down or behind does not make the service unready: reports then read from
	// the primary. Its state and lag are reported for whoever watches.
	if st, ok := s.services.Reads.State(ctx); ok {
		checks["replica"] = st
	}
	if !ready {
		c.Status(fiber.StatusServiceUnavailable)
		return c.JSON(fiber.Map{"status": "unavailable", "checks": checks})
	}
	return c.JSON(fiber.Map{"status": "ok", "checks": checks})
}

// handle registers a route with its rule (see guard.Router).
func (s *server) handle(method, path string, r guard.Rule, h ...fiber.Handler) {
	s.router.Handle(method, path, r, h...)
}
