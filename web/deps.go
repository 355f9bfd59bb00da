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
	"timebank/pkg/qr"
	"timebank/pkg/roster"
	"timebank/pkg/session"
	"timebank/pkg/store"
)

// SessionTTL is how long a session lasts after its last use.
const SessionTTL = 7 * 24 * time.Hour

// NewDeps wires the domain stores the web layer calls over the connections main opened. Keys for
// hashing and signing are derived from the one secret with a label each, so that no two uses share
// a key. Tests build the app through here too, so they run what production runs.
func NewDeps(cfg config.Config, log *slog.Logger, db *sqlx.DB, rdb redis.UniversalClient, l *ledger.Ledger) Deps {
	users := identity.NewUsers(db, l, cfg.DeriveKey("resident-id"))
	// One signer for every QR code: a member code shown for a check-in is the one the counter scans.
	codes := qrSigner(cfg)
	activities := activity.NewService(db, l, rdb, codes, activity.Options{BaseURL: cfg.BaseURL, RedisPrefix: cfg.RedisPrefix, Logger: log})
	return Deps{
		Config:     cfg,
		DB:         db,
		Redis:      rdb,
		Ledger:     l,
		Users:      users,
		Orgs:       org.NewRegistry(db, l),
		Activities: activities,
		Roster:     roster.NewImporter(db, users),
		Store: store.New(l, users, codes, rdb, store.Options{BaseURL: cfg.BaseURL, RedisPrefix: cfg.RedisPrefix,
			Stars: activities, Logger: log}),
		Sessions: session.NewStore(rdb, cfg.RedisPrefix, cfg.DeriveKey("session"), SessionTTL),
		Limiter:  session.NewLimiter(rdb, cfg.RedisPrefix),
		Logger:   log,
	}
}

// qrSigner signs and checks the service's QR codes with a key derived from the secret.
func qrSigner(cfg config.Config) *qr.Signer {
	s, err := qr.NewSignerFromSecret([]byte(cfg.Secret))
	if err != nil {
		panic("web: QR signer: " + err.Error()) // the key is derived from the secret: always long enough
	}
	return s
}
