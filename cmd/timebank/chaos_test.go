package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/pkg/dbtest"
)

// chaosSetting reads a figure of the chaos run: `make chaos` runs longer and with more clients than
// the short run inside `make test`.
func chaosSetting(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// TestChaos puts the service under load through its HTTP API, on a PostgreSQL cluster and a Redis
// of the test's own, and injects one fault per scenario. After each, every write the service
// acknowledged exists exactly once, `timebank verify` is clean, and Redis agrees with PostgreSQL
// again without an operator.
func TestChaos(t *testing.T) {
	seconds := chaosSetting("TIMEBANK_CHAOS_SECONDS", 3)
	clients := chaosSetting("TIMEBANK_CHAOS_CLIENTS", 8)
	pg := dbtest.NewPostgresServer(t)
	rs := dbtest.NewRedisServer(t)
	const token = "chaos-operator-token-0123456789"
	env := []string{
		"TIMEBANK_DATABASE_URL=" + pg.URL("timebank"),
		"TIMEBANK_REDIS_URL=redis://" + rs.Addr + "/0",
		"TIMEBANK_OPERATOR_TOKEN=" + token,
		"TIMEBANK_DB_MAX_CONNS=24",
		"TIMEBANK_SHUTDOWN_GRACE=5s",
		"TIMEBANK_LOG_LEVEL=warn",
	}
	svc := newServiceProcess(t, env, dbtest.FreePort(t))
	db, err := sqlx.Open("postgres", pg.URL("timebank"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	load := newChaosLoad(svc.url, token, 40)
	accounts := []string{`{"code":"org:chaos:issued","kind":"issuer","allow_negative":true}`, `{"code":"shop:chaos","kind":"store"}`}
	for i := range load.volunteers {
		accounts = append(accounts, fmt.Sprintf(`{"code":%q,"kind":"volunteer"}`, load.vol(i)))
	}
	for _, a := range accounts {
		if status, b := load.send("/api/v1/accounts", "", a, time.Now().Add(10*time.Second)); status != http.StatusCreated {
			t.Fatalf("account %s: %d %s", a, status, b)
		}
	}

	load.store = newChaosStore(t, env)
	load.activity = newChaosActivity(t, load.store, 400*seconds*clients/8)

	scenarios := []struct {
		name   string
		before func() // at the start of the load
		fault  func()
	}{
		{name: "PostgreSQL backends SIGKILLed", fault: func() {
			if n := pg.KillBackends(); n == 0 {
				t.Error("no backend to kill: the load did not reach PostgreSQL")
			}
		}},
		{name: "PostgreSQL stopped immediately and restarted", fault: func() {
			pg.Stop("immediate")
			time.Sleep(time.Second)
			pg.Start()
		}},
		{name: "PostgreSQL fast restart", fault: func() { pg.Stop("fast"); pg.Start() }},
		{name: "Redis killed and restarted empty", fault: func() { rs.Kill(); rs.Forget(); rs.Start() }},
		{name: "Redis restarted from an old snapshot", before: rs.Save, fault: func() { rs.Kill(); rs.Start() }},
		{name: "service SIGKILLed", fault: func() { svc.signal(syscall.SIGKILL); svc.start() }},
		{name: "service SIGTERMed", fault: func() { svc.signal(syscall.SIGTERM); svc.start() }},
	}
	for _, sc := range scenarios {
		if sc.before != nil {
			sc.before()
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for c := range clients {
			wg.Add(1)
			go func() { defer wg.Done(); load.run(c, stop) }()
		}
		time.Sleep(time.Duration(seconds) * time.Second / 3)
		sc.fault()
		time.Sleep(time.Duration(seconds) * time.Second * 2 / 3)
		close(stop)
		wg.Wait()
		checkAcknowledged(t, sc.name, db, load)
		load.store.check(t, sc.name, db)
		load.activity.check(t, sc.name, db)
		checkConverged(t, sc.name, db, load, token, svc.url)
		checkVerify(t, sc.name, env) // after convergence: verify also compares Redis with PostgreSQL
		t.Logf("%s: %s; %s; %s", sc.name, load.summary(), load.store.summary(), load.activity.summary())
	}
	load.mu.Lock()
	defer load.mu.Unlock()
	if len(load.txs) == 0 || len(load.commits) == 0 || len(load.store.handedOut) == 0 || len(load.activity.verified) == 0 {
		t.Fatalf("the load acknowledged too little to prove anything: %s; %s; %s", load.summary(), load.store.summary(),
			load.activity.summary())
	}
	// Sessions are kept in PostgreSQL too: no fault may sign anybody out.
	if load.store.signedOut > 0 || load.activity.signedOut > 0 {
		t.Errorf("%d phones and %d volunteers were signed out by a fault", load.store.signedOut, load.activity.signedOut)
	}
	if load.status[http.StatusInternalServerError] > 0 {
		t.Errorf("%d answers were 500: an outage must answer 503", load.status[http.StatusInternalServerError])
	}
}

// checkAcknowledged: every acknowledged posting, hold and commit is in PostgreSQL, once, as
// acknowledged.
func checkAcknowledged(t *testing.T, scenario string, db *sqlx.DB, l *chaosLoad) {
	t.Helper()
	l.mu.Lock()
	var keys []string
	var ids []int64
	for k, id := range l.txs {
		keys, ids = append(keys, k), append(ids, id)
	}
	var holdKeys []string
	var holdIDs []int64
	for k, id := range l.holds {
		holdKeys, holdIDs = append(holdKeys, k), append(holdIDs, id)
	}
	var commitHolds, commitTxs []int64
	for h, tx := range l.commits {
		commitHolds, commitTxs = append(commitHolds, h), append(commitTxs, tx)
	}
	l.mu.Unlock()
	var lost []string
	err := db.Select(&lost, `
SELECT 'posting ' || a.key FROM unnest($1::text[], $2::bigint[]) AS a (key, id)
WHERE (SELECT count(*) FROM ledger_transactions t WHERE t.idempotency_key = a.key AND t.id = a.id) <> 1
UNION ALL
SELECT 'hold ' || a.key FROM unnest($3::text[], $4::bigint[]) AS a (key, id)
WHERE (SELECT count(*) FROM ledger_holds h WHERE h.idempotency_key = a.key AND h.id = a.id) <> 1
UNION ALL
SELECT 'commit of hold ' || a.hold FROM unnest($5::bigint[], $6::bigint[]) AS a (hold, tx)
WHERE (SELECT count(*) FROM ledger_holds h JOIN ledger_transactions t ON t.id = h.tx_id
       WHERE h.id = a.hold AND h.status = 'committed' AND t.id = a.tx) <> 1`,
		pq.StringArray(keys), pq.Int64Array(ids), pq.StringArray(holdKeys), pq.Int64Array(holdIDs),
		pq.Int64Array(commitHolds), pq.Int64Array(commitTxs))
	if err != nil {
		t.Fatalf("%s: %v", scenario, err)
	}
	if len(lost) > 0 {
		t.Errorf("%s: %d acknowledged writes are not in PostgreSQL as acknowledged, e.g. %v", scenario, len(lost), lost[:min(5, len(lost))])
	}
}

// checkVerify runs `timebank verify` against the test's cluster until it is clean, for up to 30 s:
// verify also compares every account's Redis balance with PostgreSQL, and accounts the load did not
// touch last (the store's) may still be waiting for the relay after a fault.
func checkVerify(t *testing.T, scenario string, env []string) {
	t.Helper()
	var out bytes.Buffer
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		out.Reset()
		err := run(context.Background(), []string{"verify"}, envLookup(env), &out, &out)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%s: timebank verify: %v\n%s", scenario, err, out.String())
			return
		}
	}
}

// checkConverged waits until the service serves every account's balance from Redis as PostgreSQL
// has it: the projection repairs itself after Redis lost or rolled back its data.
func checkConverged(t *testing.T, scenario string, db *sqlx.DB, l *chaosLoad, token, url string) {
	t.Helper()
	codes := []string{"org:chaos:issued", "shop:chaos"}
	for i := range l.volunteers {
		codes = append(codes, l.vol(i))
	}
	var off []string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		off = off[:0]
		for _, code := range codes {
			var want struct{ Posted, Pending, Version int64 }
			err := db.Get(&want, `SELECT sum(b.posted) AS posted, sum(b.pending) AS pending, sum(b.version) AS version
FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id WHERE a.code = $1`, code)
			if err != nil {
				t.Fatalf("%s: balance of %s: %v", scenario, code, err)
			}
			req, _ := http.NewRequest(http.MethodGet, url+"/api/v1/accounts/"+code+"/balance", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			var got struct {
				Posted, Pending, Version int64
				Source                   string
			}
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				err = json.NewDecoder(resp.Body).Decode(&got)
				resp.Body.Close()
			}
			if err != nil || got.Source != "redis" || got.Posted != want.Posted || got.Pending != want.Pending || got.Version != want.Version {
				off = append(off, fmt.Sprintf("%s served %+v (%v), PostgreSQL %+v", code, got, err, want))
			}
		}
		if len(off) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%s: Redis did not converge in 30 s: %d accounts off, e.g. %v", scenario, len(off), off[:min(3, len(off))])
			return
		}
	}
}
