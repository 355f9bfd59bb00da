package observe

import (
	"log/slog"

	"github.com/gofiber/fiber/v2"
	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"timebank/ledger"
	"timebank/pkg/config"
	"timebank/pkg/store"
)

// Observer writes the access log and keeps the metrics of one app.
type Observer struct {
	cfg     config.Config
	log     *slog.Logger
	metrics *metrics
	// onError answers an error a handler returned, before the access log line is written with
	// its status: the assembly's error handler, which this package does not import.
	onError fiber.ErrorHandler
}

// New builds the observer of an app: its metrics registry over PostgreSQL's and Redis's pools,
// the ledger and the store, and its access log.
func New(cfg config.Config, log *slog.Logger, db *sqlx.DB, rdb redis.UniversalClient, l *ledger.Ledger,
	st *store.Service, onError fiber.ErrorHandler) *Observer {
	return &Observer{cfg: cfg, log: log, metrics: newMetrics(db, rdb, l, st), onError: onError}
}
