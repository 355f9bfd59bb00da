package ledger_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"timebank/ledger"
	"timebank/pkg/dbtest"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// drainOutbox runs the relay with no minimum age until it finds nothing left.
func drainOutbox(t *testing.T, l *ledger.Ledger) int {
	t.Helper()
	total := 0
	for range 1000 {
		n, err := l.Relay(context.Background(), 0, 10000)
		if err != nil {
			t.Fatalf("relay: %v", err)
		}
		if n == 0 {
			return total
		}
		total += n
	}
	t.Fatal("the relay never drained the outbox")
	return total
}

func verifyWith(t *testing.T, l *ledger.Ledger) {
	t.Helper()
	rep, err := l.Verify(context.Background())
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !rep.OK() {
		t.Fatalf("verify found problems:\n%s", strings.Join(rep.Problems, "\n"))
	}
}

// Redis dies while postings go on: every posting still succeeds, and once Redis is back (empty) the
// relay and reconcile bring it to PostgreSQL's balances.
func TestProjectionRedisOutage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	srv := dbtest.NewRedisServer(t)
	// A killed server refuses at once; the timeouts are for a busy machine after the restart.
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DialTimeout: 2 * time.Second,
		ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	const prefix = "outage:"
	l := ledger.New(e.db, rdb, ledger.Options{RedisPrefix: prefix, Logger: quietLogger(), RedisTimeout: 5 * time.Second})

	vols := []string{"vol:0", "vol:1", "vol:2", "vol:3"}
	accounts := append([]string{"org:1:issued", "store:1:redeemed"}, vols...)
	for _, a := range accounts {
		n := ledger.NewAccount{Code: a, Kind: ledger.KindVolunteer}
		if !strings.HasPrefix(a, "vol:") {
			n.Kind, n.AllowNegative = ledger.KindIssuer, true
			if strings.HasPrefix(a, "store:") {
				n.Kind = ledger.KindStore
			}
		}
		if _, err := l.CreateAccount(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range vols {
		if _, err := l.Post(ctx, transfer("org:1:issued", v, 1000)); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Post(ctx, transfer(v, "store:1:redeemed", 10)); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range accounts {
		sameProjection(t, e.db, rdb, prefix, a)
	}

	// Redis is killed while 8 writers are posting: each writer posts 10 times, then waits (if need
	// be) for the kill and posts 15 more; the kill comes once 40 postings are done, while the
	// others are in flight.
	const writers, each = 8, 25
	var failed, done atomic.Int64
	killed := make(chan struct{})
	together(writers+1, func(i int) {
		if i == writers {
			for done.Load() < 40 {
				time.Sleep(time.Millisecond)
			}
			srv.Kill()
			close(killed)
			return
		}
		for j := range each {
			if j == 10 {
				<-killed
			}
			to := "store:1:redeemed"
			if j%5 == 4 {
				to = vols[(i+1)%len(vols)]
			}
			if _, err := l.Post(ctx, transfer(vols[i%len(vols)], to, 1)); err != nil {
				failed.Add(1)
				t.Errorf("posting during the outage failed: %v", err)
			}
			done.Add(1)
		}
	})
	if failed.Load() != 0 {
		t.Fatalf("%d postings failed because Redis was down", failed.Load())
	}
	if s := l.Stats(); s.ProjectionErrors == 0 {
		t.Fatalf("the projection cannot have succeeded with Redis down: %+v", s)
	}
	// Each posting, or each batch of postings written together, left one outbox row.
	bs := l.PostBatchStats()
	rows := writers*each - int(bs.Batched-bs.Batches)
	var outbox int
	if err := e.db.Get(&outbox, `SELECT count(*) FROM ledger_outbox`); err != nil || outbox < rows {
		t.Fatalf("outbox rows waiting for the relay: %d %v", outbox, err)
	}
	pgStore := e.pgBalance(t, "store:1:redeemed")
	if pgStore.Posted != 4*10+writers*each*4/5 {
		t.Fatalf("store in postgres after the outage: %+v", pgStore)
	}
	if b, err := l.Balance(ctx, "store:1:redeemed"); err != nil || b.Source != ledger.SourcePostgres || b.Posted != pgStore.Posted {
		t.Fatalf("balance while Redis is down should come from postgres: %+v %v", b, err)
	}

	srv.Start() // back on the same port, empty
	if n, err := rdb.DBSize(ctx).Result(); err != nil || n != 0 {
		t.Fatalf("the restarted redis-server should be empty: %d keys, %v", n, err)
	}
	if drained := drainOutbox(t, l); drained < rows {
		t.Fatalf("relay drained %d rows", drained)
	}
	rep, err := l.Reconcile(ctx)
	if err != nil || rep.Accounts != len(accounts) {
		t.Fatalf("reconcile: %+v %v", rep, err)
	}
	for _, a := range accounts {
		sameProjection(t, e.db, rdb, prefix, a)
		rd, err := l.Balance(ctx, a)
		pg := e.pgBalance(t, a)
		if err != nil || rd.Source != ledger.SourceRedis || rd.Posted != pg.Posted || rd.Pending != pg.Pending || rd.Version != pg.Version {
			t.Fatalf("%s: redis %+v (%v), postgres %+v", a, rd, err, pg)
		}
	}
	verifyWith(t, l)

	// Redis loses everything again: reconcile rewrites every account, and then has nothing to do.
	if err := rdb.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	rep, err = l.Reconcile(ctx)
	if err != nil || len(rep.Repairs) != len(accounts) {
		t.Fatalf("reconcile of an empty Redis should repair all %d accounts: %+v %v", len(accounts), rep, err)
	}
	for _, r := range rep.Repairs {
		if r.Redis != "missing" || !strings.HasPrefix(r.Postgres, "posted=") {
			t.Fatalf("repair %v", r)
		}
	}
	again, err := l.Reconcile(ctx)
	if err != nil || len(again.Repairs) != 0 || again.Accounts != len(accounts) {
		t.Fatalf("a second reconcile should repair nothing: %+v %v", again, err)
	}
	for _, a := range accounts {
		sameProjection(t, e.db, rdb, prefix, a)
	}
	verifyWith(t, l)
}

// deadLedger is a ledger over the same database and key prefix whose Redis is a closed port: its
// postings commit, their write to Redis is lost, as when a server dies between the two.
func (e *env) deadLedger(t *testing.T) *ledger.Ledger {
	t.Helper()
	dead := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", dbtest.FreePort(t)),
		DialTimeout: 200 * time.Millisecond, ReadTimeout: 200 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { dead.Close() })
	return ledger.New(e.db, dead, ledger.Options{RedisPrefix: e.prefix, Logger: quietLogger()})
}

func TestProjectionLostWriteAfterCommit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "vol:1", ledger.KindVolunteer, false)
	e.fund(t, "org:1:issued", "vol:1", 10)
	if _, err := e.l.Relay(ctx, 0, 1000); err != nil { // start from an empty outbox
		t.Fatal(err)
	}

	crashed := e.deadLedger(t)
	res, err := crashed.Post(ctx, transfer("org:1:issued", "vol:1", 25))
	if err != nil || res.Replayed {
		t.Fatalf("the posting must succeed although its projection fails: %+v %v", res, err)
	}
	if s := crashed.Stats(); s.ProjectionErrors == 0 {
		t.Fatalf("the write to a closed port cannot have succeeded: %+v", s)
	}
	if b := e.pgBalance(t, "vol:1"); b.Posted != 35 || b.Version != 2 {
		t.Fatalf("the commit landed: %+v", b)
	}
	if m, _ := oneRow(e.rdb, e.prefix, "vol:1"); m["p0"] != "10" || m["v0"] != "1" {
		t.Fatalf("redis should still hold the old balance: %v", m)
	}
	// Verify sees the stale projection.
	if rep, err := e.l.Verify(ctx); err != nil || rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), "vol:1") {
		t.Fatalf("verify should report vol:1 as stale in redis: %+v %v", rep, err)
	}

	n, err := e.l.Relay(ctx, 0, 1000)
	if err != nil || n != 1 {
		t.Fatalf("relay: %d %v", n, err)
	}
	if m, _ := oneRow(e.rdb, e.prefix, "vol:1"); m["p0"] != "35" || m["h0"] != "0" || m["v0"] != "2" || m["n"] != "1" {
		t.Fatalf("after the relay redis should hold posted 35 version 2: %v", m)
	}
	sameProjection(t, e.db, e.rdb, e.prefix, "org:1:issued")
	e.verify(t)

	// A lost key: Balance falls back to PostgreSQL and writes it back.
	forget(t, e.rdb, e.prefix, "vol:1")
	if b, err := e.l.Balance(ctx, "vol:1"); err != nil || b.Source != ledger.SourcePostgres || b.Posted != 35 || b.Version != 2 {
		t.Fatalf("balance of a lost key: %+v %v", b, err)
	}
	if b, err := e.l.Balance(ctx, "vol:1"); err != nil || b.Source != ledger.SourceRedis || b.Posted != 35 || b.Version != 2 {
		t.Fatalf("balance after the read repaired redis: %+v %v", b, err)
	}
	e.verify(t)
}

func TestProjectionOlderVersionsNeverOverwriteNewer(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "vol:1", ledger.KindVolunteer, false)
	for range 3 {
		e.fund(t, "org:1:issued", "vol:1", 5)
	}
	// A fourth posting whose write after commit is lost: Redis stays at version 3.
	if _, err := e.deadLedger(t).Post(ctx, transfer("org:1:issued", "vol:1", 5)); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := e.db.Get(&rows, `SELECT count(*) FROM ledger_outbox`); err != nil || rows != 4 {
		t.Fatalf("outbox rows: %d %v", rows, err)
	}
	if m, _ := oneRow(e.rdb, e.prefix, "vol:1"); m["p0"] != "15" || m["v0"] != "3" {
		t.Fatalf("redis before the relay: %v", m)
	}
	// Relay one outbox row at a time: versions 1 and 2 (older than Redis) must not land, version 4 must.
	lastVersion := int64(3)
	for drained := 0; ; drained++ {
		n, err := e.l.Relay(ctx, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			if drained != 4 {
				t.Fatalf("relayed %d rows, want 4", drained)
			}
			break
		}
		m, _ := oneRow(e.rdb, e.prefix, "vol:1")
		v, _ := strconv.ParseInt(m["v0"], 10, 64)
		p, _ := strconv.ParseInt(m["p0"], 10, 64)
		if v < lastVersion || p != 5*v {
			t.Fatalf("after relaying row %d redis holds %v (had version %d)", drained+1, m, lastVersion)
		}
		lastVersion = v
	}
	if m, _ := oneRow(e.rdb, e.prefix, "vol:1"); m["p0"] != "20" || m["v0"] != "4" {
		t.Fatalf("redis after the relay: %v", m)
	}
	e.verify(t)
}

// Writes after commit and relays of the same rows race; whatever order they land in, Redis ends at
// PostgreSQL's rows.
func TestProjectionRelayRacesWritesAfterCommit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.account(t, "org:1:issued", ledger.KindIssuer, true)
	e.account(t, "store:1:redeemed", ledger.KindStore, true)
	vols := make([]string, 6)
	for i := range vols {
		vols[i] = fmt.Sprintf("vol:%d", i)
		e.account(t, vols[i], ledger.KindVolunteer, false)
		e.fund(t, "org:1:issued", vols[i], 1000)
	}
	var posting atomic.Int64
	posting.Store(8)
	together(12, func(i int) {
		if i >= 8 { // relays, until every poster is done
			for posting.Load() > 0 {
				if _, err := e.l.Relay(ctx, 0, 7); err != nil {
					t.Errorf("relay: %v", err)
					return
				}
			}
			return
		}
		defer posting.Add(-1)
		for j := range 30 {
			to := "store:1:redeemed"
			if j%3 == 0 {
				to = vols[(i+1)%len(vols)]
			}
			if _, err := e.l.Post(ctx, transfer(vols[i%len(vols)], to, 1+int64(j%4))); err != nil {
				t.Errorf("post: %v", err)
			}
		}
	})
	drainOutbox(t, e.l)
	for _, a := range append(vols, "org:1:issued", "store:1:redeemed") {
		sameProjection(t, e.db, e.rdb, e.prefix, a)
	}
	e.verify(t)
}
