package web

import (
	"io"
	"log/slog"
	"testing"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/app"
	"timebank/pkg/config"
	"timebank/pkg/dbtest"
)

// services are what a test's app was built over, as app.New builds them for production.
type services = *app.Services

// newTestApp builds the app as main does, over a fresh database and a Redis prefix of the test's
// own, and returns it with its dependencies.
// testMetricsToken is the scraper's token in the tests' configuration.
const testMetricsToken = "test-metrics-token-0001"

func newTestApp(t *testing.T) (*fiber.App, services) {
	t.Helper()
	return newTestAppWith(t, nil)
}

// newTestAppWith is newTestApp with a change to the services before the app is built over them
// (a sender of text messages the test reads, say).
func newTestAppWith(t testing.TB, change func(services)) (*fiber.App, services) {
	t.Helper()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.OperatorToken = "dev-operator-token" // the tests' operator; the service has none unless configured
	cfg.MetricsToken = testMetricsToken
	cfg.RedisPrefix = prefix
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := app.New(cfg, discard, db, rdb)
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Listen(t, d.Invalidation)
	if change != nil {
		change(d)
	}
	a, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	return a, d
}
