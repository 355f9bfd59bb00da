package store

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"timebank/batch"
	"timebank/ledger"
	"timebank/pkg/identity"
	"timebank/pkg/notify"
	"timebank/pkg/prepared"
	"timebank/pkg/principal"
	"timebank/pkg/qr"
	"timebank/pkg/replica"
	"timebank/pkg/txn"
)

// Stars tells a volunteer's star level (星级志愿者) under the thresholds of the store's
// organization, for items kept for volunteers with stars. The activity module, which holds the
// verified service records and the organizations' policies, answers it; the store only asks.
type Stars interface {
	StarLevel(ctx context.Context, userID, orgID int64) (int, error)
}

// StarsFunc lets a function answer star levels.
type StarsFunc func(ctx context.Context, userID, orgID int64) (int, error)

// StarLevel calls f.
func (f StarsFunc) StarLevel(ctx context.Context, userID, orgID int64) (int, error) {
	return f(ctx, userID, orgID)
}

// ServiceTime tells what a volunteer's service allows at the store: the minimum of verified service
// the store's organization asks before a first redemption, and how much the volunteer has. The
// activity module answers it.
type ServiceTime interface {
	MinRedeemMinutes(ctx context.Context, orgID int64) (int64, error)
	VerifiedMinutes(ctx context.Context, userID int64) (int64, error)
}

// Options configure the service. BaseURL is required; the rest have working defaults.
type Options struct {
	// BaseURL is the service's public URL, which QR codes carry (BASE_URL/q/<token>).
	BaseURL string
	// RedisPrefix starts the Redis keys that mark single-use codes spent ("tb:" by default).
	RedisPrefix string
	// Stars answers star levels; without it every volunteer counts as having no star, so items
	// that require stars cannot be redeemed.
	Stars Stars
	// ServiceTime answers the minimum before a first redemption; without it there is none.
	ServiceTime ServiceTime
	// Now is the clock (time.Now by default). Tests move it to expire orders and codes.
	Now func() time.Time
	// Logger receives warnings about work done after commit; slog.Default() when nil.
	Logger *slog.Logger
	// Notify, when set, tells volunteers of their orders about to expire and expired.
	Notify *notify.Service
}

// Service is the charity supermarket. It is safe for concurrent use.
type Service struct {
	db     *sqlx.DB
	st     *prepared.Statements // the ledger's: the hot queries run prepared, on the pool and in its transactions
	ledger *ledger.Ledger
	users  *identity.Users
	codes  *qr.Signer
	rdb    redis.UniversalClient
	opt    Options
	log    *slog.Logger

	// Orders placed and handed out at the same moment go to PostgreSQL in batches (package batch):
	// orders placed by store, since a store's orders wait for its lots anyway and another store's
	// need not; hand-outs together, since a batch of them commits holds of any stores at once.
	placesMu    sync.Mutex
	places      map[int64]*batch.Group[placing, Order]
	fulfils     *batch.Group[fulfilling, Order]
	placeStats  batchCounters
	fulfilStats batchCounters
	// orderStores is which store each order belongs to, as far as this process knows (OrderStore).
	orderStores orderStores
	// exports is where the exports of a period read (ReadExportsFrom); db unless told.
	exports replica.Reader
}

// placeRunners and fulfilRunners are how many batches of a store's orders, and of hand-outs, may be
// in PostgreSQL at once, and batchMax how many orders a batch takes at most. Batches hold their lots
// locked until they commit, so more batches at once wait more for each other: on the redemption
// benchmark (one store, 2 cores, 200 clients) one runner of at most 24 placed and handed out ~830
// orders/s, two ~800, three of 16 ~770, four of 64 ~580; paced at 500/s one runner kept p50 at 25–30
// ms and two at 35–38 ms. With the Redis projection moved beside the next batch, one runner of at
// most 64 cost PostgreSQL and Go about a fifth less CPU per order than one of 24 (larger batches
// share a batch's fixed work among more orders), and a back-to-back run filled batches of ~50.
const (
	placeRunners  = 1
	fulfilRunners = 1
	batchMax      = 64
)

// placeGroup returns the batches of the store's orders.
func (s *Service) placeGroup(storeID int64) *batch.Group[placing, Order] {
	s.placesMu.Lock()
	defer s.placesMu.Unlock()
	g := s.places[storeID]
	if g == nil {
		g = &batch.Group[placing, Order]{Runners: placeRunners, Max: batchMax, Timeout: batchTimeout, Run: s.placeMany}
		s.places[storeID] = g
	}
	return g
}

// New returns the service over the migrated database the ledger writes to, the ledger, the users
// (for the names shown at the counter), the QR signer and Redis (for spent single-use codes).
func New(l *ledger.Ledger, users *identity.Users, codes *qr.Signer, rdb redis.UniversalClient, opt Options) *Service {
	if opt.RedisPrefix == "" {
		opt.RedisPrefix = "tb:"
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	log := opt.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Service{db: l.DB(), st: l.Statements(), ledger: l, users: users, codes: codes, rdb: rdb, opt: opt, log: log, exports: l.DB()}
	s.places = map[int64]*batch.Group[placing, Order]{}
	s.fulfils = &batch.Group[fulfilling, Order]{Runners: fulfilRunners, Max: batchMax, Timeout: batchTimeout, Run: s.fulfilMany}
	return s
}

func (s *Service) now() time.Time { return s.opt.Now() }

// storeRow is what the service needs of a store.
type storeRow struct {
	ID          int64  `db:"id"`
	OrgID       int64  `db:"org_id"`
	Name        string `db:"name"`
	OrgName     string `db:"org_name"`
	AccountCode string `db:"account_code"`
}

// storeInfo returns the store, its organization's name and its ledger account.
// Errors: ErrStoreNotFound.
func (s *Service) storeInfo(ctx context.Context, q prepared.Queryer, id int64) (storeRow, error) {
	var st storeRow
	err := s.st.Get(ctx, q, &st, `
SELECT s.id, s.org_id, s.name, o.name AS org_name, s.account_code
FROM stores s JOIN organizations o ON o.id = s.org_id WHERE s.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return st, ErrStoreNotFound
	}
	return st, err
}

// inTx is txn.Run with the store's named constraints turned into its errors, for fn's statements
// and the commit alike.
func (s *Service) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return dbError(txn.Run(ctx, s.db, fn))
}

// ref names a thing in journal entries, ledger references and audit entries: "order:7".
func ref(kind string, id int64) string { return kind + ":" + strconv.FormatInt(id, 10) }

// needActor refuses a write without an actor: every movement names who made it.
func needActor(a *principal.Principal) error {
	if a == nil || a.Label() == "" {
		return errors.New("store: a write needs an actor")
	}
	return nil
}
