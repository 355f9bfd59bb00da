package care_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/ledger"
	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/pkg/care"
	"timebank/pkg/dbtest"
	"timebank/pkg/identity"
	"timebank/pkg/org"
	"timebank/pkg/principal"
	"timebank/pkg/qr"
)

var cst = time.FixedZone("CST", 8*3600)

// start is the service's clock at the beginning of each test: Monday 2026-03-16, 10:00 China time.
var start = time.Date(2026, 3, 16, 10, 0, 0, 0, cst)

var operator = principal.Operator()

// Regions of the tests: 东山社区 and 西山社区 in 硖石街道 (海宁市), and 梧桐街道 in 桐乡市.
const (
	street    = "330481001000"
	dongshan  = "330481001001"
	xishan    = "330481001002"
	wutong    = "330483001000"
	wutongCom = "330483001001"
)

// env is a fresh database with the registry over it, organizations in and out of the community, and
// people holding roles in them.
type env struct {
	svc    *care.Service
	db     *sqlx.DB
	url    string
	clock  *atomic.Pointer[time.Time]
	users  *identity.Users
	l      *ledger.Ledger
	inOrg  int64 // 东山社区服务队, in 东山社区
	outOrg int64 // 梧桐街道志愿服务队, in another county
	seq    int
}

func derive(label string) []byte {
	s := sha256.Sum256([]byte("care tests: " + label))
	return s[:]
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, url := dbtest.NewWithURL(t)
	rdb, prefix := dbtest.Redis(t)
	l := ledger.New(db, rdb, ledger.Options{RedisPrefix: prefix, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	codes, err := qr.NewSignerFromSecret([]byte("care tests secret"))
	if err != nil {
		t.Fatal(err)
	}
	clock := &atomic.Pointer[time.Time]{}
	clock.Store(&start)
	e := &env{db: db, url: url, clock: clock, users: identity.NewUsers(db, l, derive("resident-id"))}
	acts := activity.NewService(db, l, rdb, codes, activity.Options{RedisPrefix: prefix, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	e.l = l
	e.svc = care.New(db, derive, codes, care.Options{BaseURL: "https://tb.example", Now: func() time.Time { return *clock.Load() },
		Activities: acts, Ledger: l})
	reg := org.NewRegistry(db, l)
	for _, r := range []org.NewRegion{{Code: "330000", Name: "浙江省"}, {Code: "330400", Name: "嘉兴市"},
		{Code: "330481", Name: "海宁市"}, {Code: street, Name: "硖石街道"}, {Code: dongshan, Name: "东山社区"},
		{Code: xishan, Name: "西山社区"}, {Code: "330483", Name: "桐乡市"}, {Code: wutong, Name: "梧桐街道"},
		{Code: wutongCom, Name: "梧桐社区"}} {
		if _, err := reg.CreateRegion(ctx, operator, r); err != nil {
			t.Fatalf("region %s: %v", r.Code, err)
		}
	}
	for _, o := range []struct {
		id      *int64
		name    string
		region  string
		filedBy string
	}{{&e.inOrg, "东山社区服务队", dongshan, street}, {&e.outOrg, "梧桐街道志愿服务队", wutong, wutong}} {
		created, err := reg.CreateOrg(ctx, operator, org.NewOrg{Name: o.name, RegionCode: o.region, Status: org.Filed, FiledBy: o.filedBy})
		if err != nil {
			t.Fatal(err)
		}
		*o.id = created.ID
	}
	return e
}

func (e *env) advance(d time.Duration) {
	t := e.clock.Load().Add(d)
	e.clock.Store(&t)
}

// person returns a new person holding the grant (none when g is zero), as authorization sees them.
func (e *env) person(t *testing.T, name string, g access.Grant) *access.Principal {
	t.Helper()
	e.seq++
	ctx := context.Background()
	u, err := e.users.Register(ctx, identity.Registration{Phone: fmt.Sprintf("1370000%04d", e.seq), Password: "Qiantang-river-2026", Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if g.Role != "" {
		if _, err := e.users.Grant(ctx, identity.Change{Actor: operator}, u.ID, g); err != nil {
			t.Fatal(err)
		}
	}
	p, err := e.users.Principal(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &p
}

// register adds a person to the registry in 东山社区.
func (e *env) register(t *testing.T, name, phone, colour string) care.Person {
	t.Helper()
	p, err := e.svc.Register(context.Background(), operator, care.NewPerson{RegionCode: dongshan, Categories: []string{"alone"},
		Colour: colour, Name: name, Address: "东山路" + fmt.Sprint(len(name)) + "号", Phone: phone, Consent: true})
	if err != nil {
		t.Fatalf("register %s: %v", name, err)
	}
	return p
}
