package activity

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"timebank/batch"
	"timebank/ledger"
	"timebank/pkg/invalidate"
	"timebank/pkg/notify"
	"timebank/pkg/prepared"
	"timebank/pkg/qr"
	"timebank/pkg/replica"
)

// Options are the service's settings beyond its connections; the zero value of each field means
// its default.
type Options struct {
	// BaseURL is the service's public address, which QR codes carry (TIMEBANK_BASE_URL).
	BaseURL string
	// RedisPrefix prefixes the Redis keys that mark single-use member codes as spent.
	RedisPrefix string
	// Limits are the platform's limits on credits: transfers and the account cap.
	Limits CreditLimits
	// StarThresholdsHours are the verified hours for one, two … stars on the volunteer's page
	// (default: those of DefaultPolicy).
	StarThresholdsHours []int64
	// Now is the clock (default time.Now); tests move it.
	Now func() time.Time
	// Logger receives what fails after a commit and is retried later (default slog.Default()).
	Logger *slog.Logger
	// Notify, when set, tells volunteers of decisions on their hours, in the decision's
	// transaction.
	Notify *notify.Service
	// Calendar is the working-day calendar deadlines are counted with (default: one of its own
	// over the database; share one so that an edit is seen at once everywhere).
	Calendar *Calendar
}

// Service is the recording service: activities, sign-ups, QR check-in and check-out, verification
// into service records and credits, amendments, disputes and transfers. It is safe for concurrent
// use.
type Service struct {
	db      *sqlx.DB
	ledger  *ledger.Ledger
	stmts   *prepared.Statements // the ledger's, for the scan path's queries
	rdb     redis.UniversalClient
	signer  *qr.Signer
	baseURL string
	prefix  string
	limits  CreditLimits
	stars   []int64
	now     func() time.Time
	log     *slog.Logger
	pool    poolOnce
	notify  *notify.Service
	cal     *Calendar
	// checkIns are the check-ins waiting to be written together (checkin_batch.go).
	checkIns checkIns
	// minRedeem keeps organizations' minimum before a first redemption while policyBus is live
	// (credit_policy_cache.go); nil keeps nothing.
	policyBus *invalidate.Bus
	minRedeem *invalidate.Map[int64, int64]
	// exports is where an organization's exports read (ReadExportsFrom); db unless told.
	exports replica.Reader
}

// NewService returns the service over the migrated database, the ledger writing to the same
// database, Redis (for spent member codes) and the QR signer.
func NewService(db *sqlx.DB, l *ledger.Ledger, rdb redis.UniversalClient, signer *qr.Signer, o Options) *Service {
	s := &Service{db: db, ledger: l, rdb: rdb, signer: signer, baseURL: o.BaseURL, prefix: o.RedisPrefix,
		limits: o.Limits.withDefaults(), stars: slices.Clone(o.StarThresholdsHours), now: o.Now, notify: o.Notify, cal: o.Calendar, exports: db}
	if l != nil {
		s.stmts = l.Statements()
	}
	if len(s.stars) == 0 {
		s.stars = DefaultPolicy().StarThresholdsHours
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.cal == nil {
		s.cal = NewCalendar(db, s.now)
	}
	if s.log = o.Logger; s.log == nil {
		s.log = slog.Default()
	}
	s.checkIns.g = batch.Group[checkInReq, checkInOut]{Runners: checkInWriters, Max: checkInBatch, Timeout: checkInTimeout,
		Run: s.writeCheckIns}
	return s
}

// Calendar is the working-day calendar the service counts deadlines with.
func (s *Service) Calendar() *Calendar { return s.cal }

// Now is the service's clock, for pages that show only what the service will allow now.
func (s *Service) Now() time.Time { return s.now() }

// lockVolunteers serializes, until the transaction ends, everything that decides a volunteer's
// credits from what they already have: the daily cap (minutes credited that day) and the account
// cap (the balance). Locks are taken in ascending id order everywhere, so two transactions that
// lock the same volunteers cannot deadlock.
func lockVolunteers(ctx context.Context, tx *sqlx.Tx, userIDs ...int64) error {
	ids := slices.Clone(userIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for _, id := range ids {
		if id == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 7460004))`,
			"activity:volunteer:"+strconv.FormatInt(id, 10)); err != nil {
			return err
		}
	}
	return nil
}

// availableTx returns an account's available credits (posted minus held) as the transaction sees
// them. It reads the ledger's balance rows directly because the ledger offers no read inside a
// caller's transaction, and reading on another connection while holding a volunteer's lock could
// exhaust the pool.
func availableTx(ctx context.Context, tx *sqlx.Tx, code string) (int64, error) {
	var n int64
	err := tx.GetContext(ctx, &n, `
SELECT coalesce(sum(b.posted - b.pending), 0)
FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id WHERE a.code = $1`, code)
	return n, err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// userAccount is the ledger account of a volunteer, as identity opens it.
func userAccount(userID int64) string { return "vol:" + strconv.FormatInt(userID, 10) }

// orgAccount is an organization's issuing account, as the registry opens it.
func orgAccount(orgID int64) string { return "org:" + strconv.FormatInt(orgID, 10) + ":issued" }
