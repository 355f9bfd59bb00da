package ledger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"timebank/ledger"
	"timebank/pkg/dbtest"
)

// redisServer is a redis-server process of the test's own, which the test can kill and restart.
type redisServer struct {
	t    *testing.T
	bin  string
	port int
	dir  string // where SAVE writes its snapshot, which a restart loads
	cmd  *exec.Cmd
}

// newRedisServer starts redis-server on a free port. A missing redis-server fails the test.
func newRedisServer(t *testing.T) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server is needed for this test and is not installed: %v", err)
	}
	s := &redisServer{t: t, bin: bin, port: freePort(t), dir: t.TempDir()}
	t.Cleanup(s.kill)
	s.start()
	return s
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func (s *redisServer) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// start runs redis-server on s.port and waits until it answers PING. It starts empty unless the
// test called SAVE before: nothing is persisted otherwise.
func (s *redisServer) start() {
	s.t.Helper()
	s.cmd = exec.Command(s.bin, "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", s.dir)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("start redis-server: %v", err)
	}
	c := redis.NewClient(&redis.Options{Addr: s.addr(), DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(20 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			s.t.Fatalf("redis-server on %s did not answer PING", s.addr())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill stops the process at once (SIGKILL), as a crash would.
func (s *redisServer) kill() {
	if s.cmd != nil && s.cmd.Process != nil && s.cmd.ProcessState == nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
}

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
	srv := newRedisServer(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.addr(), DialTimeout: 200 * time.Millisecond,
		ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	const prefix = "outage:"
	l := ledger.New(e.db, rdb, ledger.Options{RedisPrefix: prefix, Logger: quietLogger()})

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
			srv.kill()
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
	var outbox int
	if err := e.db.Get(&outbox, `SELECT count(*) FROM ledger_outbox`); err != nil || outbox < writers*each {
		t.Fatalf("outbox rows waiting for the relay: %d %v", outbox, err)
	}
	pgStore := e.pgBalance(t, "store:1:redeemed")
	if pgStore.Posted != 4*10+writers*each*4/5 {
		t.Fatalf("store in postgres after the outage: %+v", pgStore)
	}
	if b, err := l.Balance(ctx, "store:1:redeemed"); err != nil || b.Source != ledger.SourcePostgres || b.Posted != pgStore.Posted {
		t.Fatalf("balance while Redis is down should come from postgres: %+v %v", b, err)
	}

	srv.start() // back on the same port, empty
	if n, err := rdb.DBSize(ctx).Result(); err != nil || n != 0 {
		t.Fatalf("the restarted redis-server should be empty: %d keys, %v", n, err)
	}
	if drained := drainOutbox(t, l); drained < writers*each {
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
	dead := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", freePort(t)),
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
	key := e.prefix + "bal:vol:1"

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
	if m, _ := e.rdb.HGetAll(ctx, key).Result(); m["p0"] != "10" || m["v0"] != "1" {
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
	if m, _ := e.rdb.HGetAll(ctx, key).Result(); m["p0"] != "35" || m["h0"] != "0" || m["v0"] != "2" || m["n"] != "1" {
		t.Fatalf("after the relay redis should hold posted 35 version 2: %v", m)
	}
	sameProjection(t, e.db, e.rdb, e.prefix, "org:1:issued")
	e.verify(t)

	// A lost key: Balance falls back to PostgreSQL and writes it back.
	if err := e.rdb.Del(ctx, key).Err(); err != nil {
		t.Fatal(err)
	}
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
	key := e.prefix + "bal:vol:1"
	if m, _ := e.rdb.HGetAll(ctx, key).Result(); m["p0"] != "15" || m["v0"] != "3" {
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
		m, _ := e.rdb.HGetAll(ctx, key).Result()
		v, _ := strconv.ParseInt(m["v0"], 10, 64)
		p, _ := strconv.ParseInt(m["p0"], 10, 64)
		if v < lastVersion || p != 5*v {
			t.Fatalf("after relaying row %d redis holds %v (had version %d)", drained+1, m, lastVersion)
		}
		lastVersion = v
	}
	if m, _ := e.rdb.HGetAll(ctx, key).Result(); m["p0"] != "20" || m["v0"] != "4" {
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

func TestProjectionPublishesBalances(t *testing.T) {
	e := newEnv(t)
	e.shop(t, 100)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sub := e.rdb.Subscribe(ctx, e.l.BalanceChannel("vol:1"))
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil { // the subscription is in place before we post
		t.Fatal(err)
	}
	if ch := e.l.BalanceChannel("vol:1"); ch != e.prefix+"balance:vol:1" {
		t.Fatalf("channel %q", ch)
	}
	type message struct {
		Code      string `json:"code"`
		Posted    int64  `json:"posted"`
		Pending   int64  `json:"pending"`
		Available int64  `json:"available"`
		Version   int64  `json:"version"`
	}
	next := func() message {
		t.Helper()
		msg, err := sub.ReceiveMessage(ctx)
		if err != nil {
			t.Fatalf("no publication: %v", err)
		}
		var m message
		if err := json.Unmarshal([]byte(msg.Payload), &m); err != nil {
			t.Fatalf("publication %q is not JSON: %v", msg.Payload, err)
		}
		return m
	}
	e.fund(t, "org:1:issued", "vol:1", 45)
	if m := next(); m != (message{Code: "vol:1", Posted: 145, Pending: 0, Available: 145, Version: 2}) {
		t.Fatalf("publication after a posting: %+v", m)
	}
	if _, err := e.l.Hold(ctx, holdReq("vol:1", "store:1:redeemed", 20, time.Now().Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if m := next(); m != (message{Code: "vol:1", Posted: 145, Pending: 20, Available: 125, Version: 3}) {
		t.Fatalf("publication after a hold: %+v", m)
	}
	e.fund(t, "vol:1", "store:1:redeemed", 25)
	if m := next(); m != (message{Code: "vol:1", Posted: 120, Pending: 20, Available: 100, Version: 4}) {
		t.Fatalf("publication after a spend: %+v", m)
	}
	e.verify(t)
}

// ProjectionLag feeds the lag gauge: when PostgreSQL cannot be asked, it must say so rather than
// report that Redis is up to date.
func TestProjectionLagReportsDatabaseErrors(t *testing.T) {
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	l := ledger.New(db, rdb, ledger.Options{RedisPrefix: prefix})
	if lag, err := l.ProjectionLag(context.Background()); err != nil || lag != 0 {
		t.Fatalf("lag of an empty outbox: %v %v", lag, err)
	}
	db.Close() // the database is gone
	if lag, err := l.ProjectionLag(context.Background()); err == nil {
		t.Fatalf("ProjectionLag with the database closed returned lag %v and no error", lag)
	}
}

// A caller that abandons a balance read (its context is cancelled) says nothing about Redis: the
// next posting's write after commit must still reach Redis.
func TestProjectionCancelledReadDoesNotSuspendRedis(t *testing.T) {
	e := newEnv(t)
	e.shop(t, 100)
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	_, _ = e.l.Balance(gone, "vol:1") // the caller went away; the result does not matter
	e.fund(t, "org:1:issued", "vol:1", 5)
	if s := e.l.Stats(); s.ProjectionErrors != 0 {
		t.Errorf("a healthy Redis was skipped after a cancelled read: %+v", s)
	}
	if rows, _ := hashRows(t, e.rdb, e.prefix, "vol:1"); sumRows(rows)[0] != 105 {
		t.Errorf("redis should hold the new balance 105 right after the posting, holds rows %v", rows)
	}
	// What a reader then sees: once the ledger reads Redis again, Balance must not serve the balance
	// from before the posting.
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, err := e.l.Balance(context.Background(), "vol:1")
		if err != nil {
			t.Fatal(err)
		}
		if b.Source == ledger.SourceRedis {
			if b.Posted != 105 || b.Version != 2 {
				t.Fatalf("Balance from redis is stale after a posting: %+v, postgres %+v", b, e.pgBalance(t, "vol:1"))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Balance never read from redis again")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
