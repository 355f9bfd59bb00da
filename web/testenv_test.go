package web

import (
	"io"
	"log/slog"
	"testing"

	"github.com/gofiber/fiber/v2"

	"timebank/ledger"
	"timebank/pkg/config"
	"timebank/pkg/dbtest"
)

// newTestApp builds the app as main does, over a fresh database and a Redis prefix of the test's
// own, and returns it with its dependencies.
func newTestApp(t *testing.T) (*fiber.App, Deps) {
	t.Helper()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.RedisPrefix = prefix
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	l := ledger.New(db, rdb, ledger.Options{RedisPrefix: prefix, Logger: discard})
	d := NewDeps(cfg, discard, db, rdb, l)
	app, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	return app, d
}
