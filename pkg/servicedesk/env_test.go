package servicedesk_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/ledger"
	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/pkg/dbtest"
	"timebank/pkg/identity"
	"timebank/pkg/notify"
	"timebank/pkg/org"
	"timebank/pkg/principal"
	"timebank/pkg/qr"
	"timebank/pkg/sealed"
	"timebank/pkg/servicedesk"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// env is a fresh database with a team of Xiashi street serving 东山社区 from one desk.
type env struct {
	svc   *servicedesk.Service
	acts  *activity.Service
	db    *sqlx.DB
	l     *ledger.Ledger
	users *identity.Users
	codes *qr.Signer // the service's signer, for tokens of no request
	clock *clock
	orgID int64
	desk  servicedesk.Desk
	code  string // the desk's printed token
	sent  map[string]string
	mu    sync.Mutex
}

var (
	registrar   = &principal.Principal{UserID: 900003, Name: "登记员"}
	coordinator = &principal.Principal{UserID: 900001, Name: "张协调"}
)

// start is Monday 2025-03-10, 08:00 China Standard Time.
var start = time.Date(2025, 3, 10, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	l := ledger.New(db, rdb, ledger.Options{RedisPrefix: prefix, Logger: quiet})
	signer, err := qr.NewSignerFromSecret([]byte("service desk tests secret, long enough"))
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: start}
	e := &env{db: db, l: l, codes: signer, clock: c, users: identity.NewUsers(db, l, []byte("resident id key for tests")), sent: map[string]string{}}
	e.acts = activity.NewService(db, l, rdb, signer, activity.Options{BaseURL: "https://tb.example", RedisPrefix: prefix,
		Now: c.Now, Logger: quiet})
	box := sealed.New(testDerive, 1)
	e.svc = servicedesk.NewService(db, l, e.acts, box, signer, servicedesk.Options{BaseURL: "https://tb.example", Now: c.Now,
		Notify: notify.New(db, rdb, prefix)})
	reg := org.NewRegistry(db, l)
	for _, r := range []org.NewRegion{{Code: "330000", Name: "浙江省"}, {Code: "330400", Name: "嘉兴市"},
		{Code: "330481", Name: "海宁市"}, {Code: "330481001000", Name: "硖石街道"}, {Code: "330481001001", Name: "东山社区"}} {
		if _, err := reg.CreateRegion(ctx, registrar, r); err != nil {
			t.Fatalf("region %s: %v", r.Code, err)
		}
	}
	o, err := reg.CreateOrg(ctx, registrar, org.NewOrg{Name: "东山社区幸福管家服务队", RegionCode: "330481001001",
		Status: org.Filed, FiledBy: "330481001000"})
	if err != nil {
		t.Fatal(err)
	}
	e.orgID = o.ID
	if e.desk, err = e.svc.CreateDesk(ctx, coordinator, servicedesk.NewDesk{OrgID: o.ID, RegionCode: "330481001001",
		Name: "东山社区幸福管家"}); err != nil {
		t.Fatal(err)
	}
	dc, err := e.svc.Code(e.desk)
	if err != nil {
		t.Fatal(err)
	}
	e.code = dc.Token
	return e
}

// testDerive stands for config.DeriveKey: the service's secret, here a fixed one.
func testDerive(label string) []byte { k := make([]byte, 32); copy(k, "test key "+label); return k }

var phoneSeq atomic.Int64

// volunteer registers a volunteer of the team.
func (e *env) volunteer(t *testing.T, name string) *principal.Principal {
	t.Helper()
	ctx := context.Background()
	u, err := e.users.Register(ctx, identity.Registration{Phone: fmt.Sprintf("139%08d", phoneSeq.Add(1)),
		Password: "Xiashi-volunteer-2025", Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.users.Grant(ctx, identity.Change{Actor: registrar}, u.ID,
		access.Grant{Role: access.Volunteer, Kind: access.Org, OrgID: e.orgID}); err != nil {
		t.Fatal(err)
	}
	return &principal.Principal{UserID: u.ID, Name: name}
}

// regionAdmin registers an administrator of the region.
func (e *env) regionAdmin(t *testing.T, region string) int64 {
	t.Helper()
	ctx := context.Background()
	u, err := e.users.Register(ctx, identity.Registration{Phone: fmt.Sprintf("137%08d", phoneSeq.Add(1)),
		Password: "Xiashi-street-2025", Name: "街道管理员"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.users.Grant(ctx, identity.Change{Actor: registrar}, u.ID,
		access.Grant{Role: access.RegionAdmin, Kind: access.Region, RegionCode: region}); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func (e *env) send(_ context.Context, phone, code string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sent[phone] = code
	return nil
}

func (e *env) lastCode(phone string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sent[phone]
}

// ask is a resident asking for 助餐 at noon by phone, with a fresh SMS code.
func (e *env) ask(t *testing.T, phone, key string) servicedesk.Created {
	t.Helper()
	ctx := context.Background()
	if err := e.svc.RequestCode(ctx, phone, e.send); err != nil {
		t.Fatal(err)
	}
	c, err := e.svc.Create(ctx, nil, key, e.meal(phone))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) meal(phone string) servicedesk.NewRequest {
	return servicedesk.NewRequest{DeskCode: e.code, Category: "meal", WantedAt: start.Add(4 * time.Hour),
		Address: "海宁市硖石街道东山路 18 号 3 单元 502 室", Phone: phone, ForSelf: true, SMSCode: e.lastCode(phone),
		Note: "腿脚不便，请送到门口"}
}

func (e *env) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.Get(&n, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (e *env) balance(t *testing.T, userID int64) int64 {
	t.Helper()
	b, err := e.l.PostgresBalance(context.Background(), fmt.Sprintf("vol:%d", userID))
	if err != nil {
		t.Fatal(err)
	}
	return b.Posted
}

func principalOf(id int64) *principal.Principal {
	return &principal.Principal{UserID: id, Name: "志愿者"}
}

func itoa(n int64) string { return fmt.Sprint(n) }
