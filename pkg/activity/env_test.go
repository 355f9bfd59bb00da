package activity_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"timebank/ledger"
	"timebank/pkg/activity"
	"timebank/pkg/dbtest"
	"timebank/pkg/identity"
	"timebank/pkg/notify"
	"timebank/pkg/org"
	"timebank/pkg/principal"
	"timebank/pkg/qr"
)

// testClock is the service's clock, moved by the tests.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// env is a fresh database and Redis prefix with one organization of Haining's Xiashi street.
type env struct {
	svc    *activity.Service
	db     *sqlx.DB
	l      *ledger.Ledger
	rdb    redis.UniversalClient
	prefix string
	users  *identity.Users
	reg    *org.Registry
	signer *qr.Signer
	clock  *testClock
	orgID  int64
}

var (
	coordinator = &principal.Principal{UserID: 900001, Name: "张协调"}
	second      = &principal.Principal{UserID: 900002, Name: "李审核"}
	registrar   = &principal.Principal{UserID: 900003, Name: "登记员"}
)

// cst is China Standard Time, built by hand so the tests do not take the zone from the code.
var cst = time.FixedZone("CST", 8*3600)

// day10 is 2025-03-10, a Monday, 09:00 China Standard Time: the start of the tests' activities.
var day10 = time.Date(2025, 3, 10, 9, 0, 0, 0, cst)

func newEnv(t *testing.T, limits activity.CreditLimits) *env {
	t.Helper()
	ctx := context.Background()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	l := ledger.New(db, rdb, ledger.Options{RedisPrefix: prefix, Logger: quiet})
	signer, err := qr.NewSignerFromSecret([]byte("activity tests secret, long enough"))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, l: l, rdb: rdb, prefix: prefix, signer: signer, clock: &testClock{t: day10.Add(-2 * time.Hour)},
		users: identity.NewUsers(db, l, []byte("resident id key for tests")), reg: org.NewRegistry(db, l)}
	e.svc = activity.NewService(db, l, rdb, signer, activity.Options{BaseURL: "https://tb.example", RedisPrefix: prefix,
		Limits: limits, Now: e.clock.Now, Logger: quiet, Notify: notify.New(db, rdb, prefix)})
	for _, r := range []org.NewRegion{{Code: "330000", Name: "浙江省"}, {Code: "330400", Name: "嘉兴市"},
		{Code: "330481", Name: "海宁市"}, {Code: "330481001000", Name: "硖石街道"}, {Code: "330481001001", Name: "东山社区"}} {
		if _, err := e.reg.CreateRegion(ctx, registrar, r); err != nil {
			t.Fatalf("region %s: %v", r.Code, err)
		}
	}
	o, err := e.reg.CreateOrg(ctx, registrar, org.NewOrg{Name: "硖石街道志愿者协会", RegionCode: "330481001001",
		Status: org.Filed, FiledBy: "330481001000"})
	if err != nil {
		t.Fatal(err)
	}
	e.orgID = o.ID
	return e
}

var phoneSeq atomic.Int64

// volunteer registers a volunteer with a fresh phone number.
func (e *env) volunteer(t *testing.T, name string) identity.User {
	t.Helper()
	phone := fmt.Sprintf("139%08d", phoneSeq.Add(1))
	u, err := e.users.Register(context.Background(), identity.Registration{Phone: phone, Password: "Xiashi-volunteer-2025", Name: name})
	if err != nil {
		t.Fatalf("register %s: %v", name, err)
	}
	return u
}

// newActivity creates an activity of the env's organization from 09:00 to 12:00 on day10, changed by
// the options.
func (e *env) newActivity(t *testing.T, opts ...func(*activity.NewActivity)) activity.Activity {
	t.Helper()
	n := activity.NewActivity{OrgID: e.orgID, Title: "东山社区敬老院陪伴", Content: "陪老人聊天、读报", Category: "elderly",
		Address: "海宁市硖石街道东山社区敬老院", StartsAt: day10, EndsAt: day10.Add(3 * time.Hour), LeaderName: "王队长",
		PeopleServed: "敬老院老人"}
	for _, o := range opts {
		o(&n)
	}
	// A new activity may not start in the past: tests that moved the clock on create theirs as
	// a coordinator would have, an hour before it starts.
	if now := e.clock.Now(); n.StartsAt.Before(now) {
		e.clock.Set(n.StartsAt.Add(-time.Hour))
		defer e.clock.Set(now)
	}
	as, err := e.svc.CreateActivities(context.Background(), coordinator, n)
	if err != nil {
		t.Fatalf("create activity: %v", err)
	}
	return as[0]
}

// kiosk returns the activity's check-in code at the env's current time.
func (e *env) kiosk(t *testing.T, activityID int64, checkOut bool) string {
	t.Helper()
	c, err := e.svc.KioskCode(context.Background(), activityID, checkOut)
	if err != nil {
		t.Fatalf("kiosk code: %v", err)
	}
	return c.Token
}

// checkedOut checks the volunteer in at in and out at out, by the kiosk's codes.
func (e *env) checkedOut(t *testing.T, activityID, userID int64, in, out time.Time) activity.Attendance {
	t.Helper()
	ctx := context.Background()
	e.clock.Set(in)
	if _, err := e.svc.ScanKiosk(ctx, userID, activity.Scan{Token: e.kiosk(t, activityID, false)}); err != nil {
		t.Fatalf("check in: %v", err)
	}
	e.clock.Set(out)
	res, err := e.svc.ScanKiosk(ctx, userID, activity.Scan{Token: e.kiosk(t, activityID, true)})
	if err != nil || res.Action != activity.ActionCheckedOut {
		t.Fatalf("check out: %v %+v", err, res)
	}
	return res.Attendance
}

func (e *env) balance(t *testing.T, code string) int64 {
	t.Helper()
	b, err := e.l.PostgresBalance(context.Background(), code)
	if err != nil {
		t.Fatalf("balance %s: %v", code, err)
	}
	return b.Posted
}

// verifyLedger runs every invariant check of the ledger (what `timebank verify` runs).
func (e *env) verifyLedger(t *testing.T) {
	t.Helper()
	rep, err := e.l.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("ledger verify: %v", rep.Problems)
	}
}

func (e *env) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.Get(&n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func ptr[T any](v T) *T { return &v }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
