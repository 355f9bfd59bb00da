// Package web is the HTTP face of the service: the JSON API under /api/v1, health and metrics, and
// (later) the HTML pages. Handlers parse, authorise, call one domain function and render; the error
// handler is the one place where errors become HTTP statuses.
package web

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"timebank/ledger"
	"timebank/pkg/config"
)

// Deps are what the web layer needs, wired by main.
type Deps struct {
	Config config.Config
	DB     *sqlx.DB
	Redis  redis.UniversalClient
	Ledger *ledger.Ledger
	Logger *slog.Logger
}

type server struct {
	cfg     config.Config
	db      *sqlx.DB
	rdb     redis.UniversalClient
	ledger  *ledger.Ledger
	log     *slog.Logger
	msgs    messages
	metrics *metrics
}

// New builds the Fiber app with every route registered.
func New(d Deps) (*fiber.App, error) {
	msgs, err := loadMessages()
	if err != nil {
		return nil, err
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	s := &server{cfg: d.Config, db: d.DB, rdb: d.Redis, ledger: d.Ledger, log: d.Logger, msgs: msgs,
		metrics: newMetrics()}
	app := fiber.New(fiber.Config{
		AppName:               "timebank",
		ErrorHandler:          s.errorHandler,
		BodyLimit:             1 << 20,
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           75 * time.Second,
		DisableStartupMessage: true,
	})
	app.Use(s.requestID, s.observe, recover.New())
	s.routes(app)
	return app, nil
}

func (s *server) routes(app *fiber.App) {
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metricsHandler)

	api := app.Group("/api/v1")
	api.Get("/openapi.json", s.openapi)

	op := api.Group("", s.requireOperator)
	op.Post("/accounts", s.createAccount)
	op.Get("/accounts/:code", s.getAccount)
	op.Get("/accounts/:code/balance", s.getBalance)
	op.Get("/accounts/:code/entries", s.listEntries)
	op.Post("/transactions", s.postTransaction)
	op.Get("/transactions/:id", s.getTransaction)
	op.Post("/transactions/:id/reverse", s.reverseTransaction)
	op.Post("/holds", s.createHold)
	op.Get("/holds/:id", s.getHold)
	op.Post("/holds/:id/commit", s.commitHold)
	op.Post("/holds/:id/void", s.voidHold)

	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

// healthz says the process is up.
func (s *server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz says whether PostgreSQL and Redis answer; load balancers stop sending traffic otherwise.
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
	if !ready {
		c.Status(fiber.StatusServiceUnavailable)
		return c.JSON(fiber.Map{"status": "unavailable", "checks": checks})
	}
	return c.JSON(fiber.Map{"status": "ok", "checks": checks})
}
