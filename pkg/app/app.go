// Package app wires the domain services over the connections main opened: the one place where the
// ledger, the stores and the services are built, so that serve, the workers, the demo, the
// benchmarks and the tests all run the same wiring.
package app

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"timebank/ledger"
	"timebank/pkg/activity"
	"timebank/pkg/care"
	"timebank/pkg/certificate"
	"timebank/pkg/config"
	"timebank/pkg/identity"
	"timebank/pkg/invalidate"
	"timebank/pkg/notify"
	"timebank/pkg/org"
	"timebank/pkg/qr"
	"timebank/pkg/replica"
	"timebank/pkg/report"
	"timebank/pkg/roster"
	"timebank/pkg/sealed"
	"timebank/pkg/servicedesk"
	"timebank/pkg/session"
	"timebank/pkg/sms"
	"timebank/pkg/store"
)

// SessionTTL is how long a session lasts after its last use.
const SessionTTL = 7 * 24 * time.Hour

// Services are the domain services of one running instance, with the configuration and the
// connections they were built over. The connections stay the caller's to close.
type Services struct {
	Config     config.Config         // the configuration they were built with
	Logger     *slog.Logger          // where they log
	DB         *sqlx.DB              // the PostgreSQL pool (the caller's to close)
	Redis      redis.UniversalClient // the Redis client (the caller's to close)
	Ledger     *ledger.Ledger        // the double-entry ledger, and its balance watches
	Codes      *qr.Signer            // signs and checks every QR code of the service
	Users      *identity.Users       // people, devices and role grants
	Orgs       *org.Registry         // regions, organizations and stores
	Activities *activity.Service     // activities, scans, hours, records and transfers
	Roster     *roster.Importer      // volunteer lists imported from other systems
	Store      *store.Service        // the charity supermarket
	Sessions   *session.Store        // sign-in sessions
	// DeviceSessions are the sessions of kiosks and counters signed in at /device.
	DeviceSessions *session.DeviceSessions
	Limiter        *session.Limiter     // rate limits
	SignIn         *session.SignInGuard // limits on password guessing, per number and address
	Notify         *notify.Service      // notices to people: the outbox, the inbox and its delivery
	SMS            sms.Sender           // text messages: the configured gateway, or the log in development
	// Certificates of volunteer service: requests, issue, the register, PDFs and the public check
	Certificates *certificate.Service
	// Invalidation carries the news of changed grants and ended sessions to every instance, so
	// that each may keep them in memory; nothing is kept until its Run has subscribed.
	Invalidation *invalidate.Bus
	// Reports: the daily figures of regions, organizations and stores, and their summaries
	Reports *report.Service
	// Reads is where reports and exports read: the streaming replica of TIMEBANK_DATABASE_REPLICA_URL
	// while it answers, the primary otherwise (and when none is configured). Close closes it.
	Reads *replica.Pool
	// Sealed seals personal data at the column level (residents' contacts, the care registry) and
	// opens it under any key version.
	Sealed *sealed.Box
	// ServiceDesk is 幸福管家: residents' service requests, their dispatch, confirmation and rating
	ServiceDesk *servicedesk.Service
	// Care: the registry of people who receive care, pairings, visits and the care board
	Care *care.Service
}

// New builds the ledger and the domain services over db and rdb. Keys for hashing and signing are
// derived from the one secret with a label each, so that no two uses share a key. A nil log is
// slog's default.
func New(cfg config.Config, log *slog.Logger, db *sqlx.DB, rdb redis.UniversalClient) (*Services, error) {
	if log == nil {
		log = slog.Default()
	}
	// One signer for every QR code: a member code shown for a check-in is the one the counter scans.
	codes, err := qr.NewSignerFromSecret([]byte(cfg.Secret))
	if err != nil {
		return nil, fmt.Errorf("app: QR signer: %w", err)
	}
	// Certificates are signed with Ed25519 keys derived from the secret under labels of their own
	// (certificate.KeyLabel), published at /.well-known/timebank-certificates.json.
	notices := notify.New(db, rdb, cfg.RedisPrefix)
	// One calendar of working days, so that holidays a platform administrator enters count at once
	// for record and certificate deadlines alike.
	calendar := activity.NewCalendar(db, nil)
	certs, err := certificate.New(db, cfg.DeriveKey, certificate.Options{BaseURL: cfg.BaseURL, Notify: notices, Calendar: calendar})
	if err != nil {
		return nil, fmt.Errorf("app: certificates: %w", err)
	}
	l := ledger.New(db, rdb, ledger.Options{RedisPrefix: cfg.RedisPrefix, Logger: log})
	users := identity.NewUsers(db, l, cfg.DeriveKey("resident-id"))
	activities := activity.NewService(db, l, rdb, codes, activity.Options{BaseURL: cfg.BaseURL,
		RedisPrefix: cfg.RedisPrefix, Logger: log, Notify: notices, Calendar: calendar})
	limiter := session.NewLimiter(rdb, cfg.RedisPrefix, cfg.DeriveKey("rate-limit"))
	bus := invalidate.New(rdb, cfg.RedisPrefix, log)
	users.CachePrincipals(bus)
	activities.CacheCreditPolicies(bus)
	sessions := session.NewStore(db, rdb, cfg.RedisPrefix, cfg.DeriveKey("session"), SessionTTL)
	sessions.CacheIn(bus)
	reads, err := openReplica(cfg, db, log)
	if err != nil {
		return nil, err
	}
	// The box opens every key version; writers seal under the newest of sealed_key_versions, read in
	// their transaction (sealed.Current, box.At), and `timebank keys rotate` moves it on.
	box := sealed.New(cfg.DeriveKey, 1)
	svc := &Services{
		Config:     cfg,
		Logger:     log,
		DB:         db,
		Redis:      rdb,
		Ledger:     l,
		Codes:      codes,
		Users:      users,
		Orgs:       org.NewRegistry(db, l),
		Activities: activities,
		Roster:     roster.NewImporter(db, users),
		Store: store.New(l, users, codes, rdb, store.Options{BaseURL: cfg.BaseURL, RedisPrefix: cfg.RedisPrefix,
			Stars: activities, ServiceTime: activities, Logger: log, Notify: notices}),
		Sessions:       sessions,
		DeviceSessions: session.NewDeviceSessions(db, rdb, cfg.RedisPrefix, session.DeviceTTL),
		Limiter:        limiter,
		SignIn:         session.NewSignInGuard(limiter),
		Notify:         notices,
		SMS:            sms.New(cfg.SMSURL, cfg.SMSToken, cfg.Production(), log),

		Certificates: certs,
		Invalidation: bus,
		Reports:      report.New(db, nil),
		Reads:        reads,
		Sealed:       box,
		Care:         care.New(db, cfg.DeriveKey, codes, care.Options{BaseURL: cfg.BaseURL, Activities: activities, Ledger: l}),
		ServiceDesk:  servicedesk.NewService(db, l, activities, box, codes, servicedesk.Options{BaseURL: cfg.BaseURL, Notify: notices}),
	}
	svc.readReportsFromReplica()
	return svc, nil
}

// openReplica opens the pool of the streaming replica when one is configured; the pool is opened
// lazily, so that a replica down at start-up only sends reports to the primary.
func openReplica(cfg config.Config, db *sqlx.DB, log *slog.Logger) (*replica.Pool, error) {
	if cfg.DatabaseReplicaURL == "" {
		return replica.New(db, nil, log), nil
	}
	standby, err := sqlx.Open("postgres", cfg.DatabaseReplicaURL)
	if err != nil {
		return nil, fmt.Errorf("app: replica: %w", err)
	}
	standby.SetMaxOpenConns(cfg.DBMaxConns)
	standby.SetMaxIdleConns(cfg.DBMaxConns / 4)
	standby.SetConnMaxIdleTime(5 * time.Minute)
	return replica.New(db, standby, log), nil
}

// readReportsFromReplica sends the reads that decide nothing and show nothing just done to the
// replica: the summaries of regions, organizations and stores, and the exports of a period. The
// ledger, holds, stock, idempotency keys, sign-in, verification and every page a person reads right
// after acting (their balance, their records, a store's day, the certificate register) stay on the
// primary.
func (s *Services) readReportsFromReplica() {
	s.Reports.ReadFrom(s.Reads)
	s.Activities.ReadExportsFrom(s.Reads)
	s.Users.ReadExportsFrom(s.Reads)
	s.Store.ReadExportsFrom(s.Reads)
}

// Close closes what New opened: the replica's pool. The primary and Redis stay the caller's.
func (s *Services) Close() error { return s.Reads.Close() }
