package web

import (
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"timebank/ledger"
	"timebank/pkg/activity"
	"timebank/pkg/config"
	"timebank/pkg/identity"
	"timebank/pkg/org"
	"timebank/pkg/roster"
	"timebank/pkg/session"
)

// SessionTTL is how long a session lasts after its last use.
const SessionTTL = 7 * 24 * time.Hour

// NewDeps wires the domain stores the web layer calls over the connections main opened. Keys for
// hashing and signing are derived from the one secret with a label each, so that no two uses share
// a key. Tests build the app through here too, so they run what production runs.
func NewDeps(cfg config.Config, log *slog.Logger, db *sqlx.DB, rdb redis.UniversalClient, l *ledger.Ledger) Deps {
	users := identity.NewUsers(db, l, cfg.DeriveKey("resident-id"))
	return Deps{
		Config:     cfg,
		DB:         db,
		Redis:      rdb,
		Ledger:     l,
		Users:      users,
		Orgs:       org.NewRegistry(db, l),
		Activities: activity.NewService(db, l, rdb, qrSigner(cfg), activity.Options{BaseURL: cfg.BaseURL, RedisPrefix: cfg.RedisPrefix, Logger: log}),
		Roster:     roster.NewImporter(db, users),
		Store:      newStoreService(cfg, log, l, users, rdb),
		Sessions:   session.NewStore(rdb, cfg.RedisPrefix, cfg.DeriveKey("session"), SessionTTL),
		Limiter:    session.NewLimiter(rdb, cfg.RedisPrefix),
		Logger:     log,
	}
}
