package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jmoiron/sqlx"

	"timebank/migrations"
	"timebank/pkg/app"
	"timebank/pkg/config"
	"timebank/pkg/dbtest"
	"timebank/pkg/report"
)

// newReplicaApp builds the app over a PostgreSQL cluster of the test's own (migrated) and a
// streaming replica of it made with pg_basebackup, with TIMEBANK_DATABASE_REPLICA_URL naming the
// replica. The shared server is not touched.
func newReplicaApp(t *testing.T) (*fiber.App, services, *dbtest.PostgresServer, *dbtest.PostgresServer) {
	t.Helper()
	pg := dbtest.NewPostgresServer(t)
	db, err := sqlx.Open("postgres", pg.URL("timebank"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := migrations.Up(context.Background(), db.DB, io.Discard); err != nil {
		t.Fatal(err)
	}
	standby := pg.NewStandby()
	rdb, prefix := dbtest.Redis(t)
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"TIMEBANK_DATABASE_URL": pg.URL("timebank"),
			"TIMEBANK_DATABASE_REPLICA_URL": standby.URL("timebank") + "&connect_timeout=2"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.OperatorToken, cfg.MetricsToken, cfg.RedisPrefix = "dev-operator-token", testMetricsToken, prefix
	d, err := app.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), db, rdb)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	dbtest.Listen(t, d.Invalidation)
	a, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	return a, d, pg, standby
}

// readyState is /readyz's answer.
type readyState struct {
	Status string `json:"status"`
	Checks struct {
		Postgres string `json:"postgres"`
		Replica  struct {
			Status string  `json:"status"`
			Lag    float64 `json:"lag_seconds"`
			Paused bool    `json:"replay_paused"`
		} `json:"replica"`
	} `json:"checks"`
}

// Reports and the exports of a period read from the replica: with its replay paused, a record
// written on the primary is not in the summary nor in the export, while the decisions made at the
// same time (an account created, credits earned and spent at once, an idempotent retry, a balance)
// see it, without one read of the replica. Resumed, the replica shows it. Stopped, the reports
// read from the primary, /readyz stays ready and says the replica is unreachable, and a metric
// counts the reads that fell back.
func TestReportsReadFromTheReplica(t *testing.T) {
	t.Parallel()
	a, d, pg, standby := newReplicaApp(t)
	w, _ := reportWorld(t, d)
	standby.WaitReplayed(pg)
	const county = "/api/v1/regions/330481000000/summary?from=2026-10-01&to=2026-11-30"
	records := fmt.Sprintf("/api/v1/orgs/%d/records.csv?from=2026-11-01&to=2026-11-30", w.a.ID)
	summary := func() report.Summary {
		t.Helper()
		var s report.Summary
		storeReq(t, a, w.tokens[auditorHN], "GET", county, "").ok(t, 200, &s)
		return s
	}
	export := func() string {
		t.Helper()
		r := storeReq(t, a, w.tokens[coordA], "GET", records, "")
		r.ok(t, 200, nil)
		return string(r.raw)
	}
	ready := func() readyState {
		t.Helper()
		var s readyState
		storeReq(t, a, "", "GET", "/readyz", "").ok(t, 200, &s)
		return s
	}
	if s := summary(); s.Totals.ScanMinutes != 225 {
		t.Fatalf("before: %+v", s.Totals)
	}
	if st := d.Reads.Stats(); st.Replica == 0 || st.Fallbacks != 0 {
		t.Fatalf("the summary did not read the replica: %+v", st)
	}
	if r := ready(); r.Checks.Replica.Status != "ok" || r.Checks.Replica.Paused {
		t.Fatalf("readyz with the replica up: %+v", r)
	}

	standby.Exec(`SELECT pg_wal_replay_pause()`)
	before := d.Reads.Stats().Replica
	op := w.tokens[operatorTok]
	for _, acct := range []string{`{"code":"org:replica:issued","kind":"issuer","allow_negative":true}`,
		`{"code":"vol:replica:1","kind":"volunteer"}`, `{"code":"vol:replica:2","kind":"volunteer"}`} {
		storeReq(t, a, op, "POST", "/api/v1/accounts", acct).ok(t, 201, nil)
	}
	earn := `{"kind":"earn","postings":[{"account":"org:replica:issued","amount":-90},{"account":"vol:replica:1","amount":90}]}`
	var first, again struct {
		Transaction struct {
			ID int64 `json:"id"`
		} `json:"transaction"`
		Replayed bool `json:"replayed"`
	}
	storeReq(t, a, op, "POST", "/api/v1/transactions", earn, "Idempotency-Key", "replica-earn").ok(t, 201, &first)
	storeReq(t, a, op, "POST", "/api/v1/transactions", earn, "Idempotency-Key", "replica-earn").ok(t, 200, &again)
	if first.Transaction.ID == 0 || again.Transaction.ID != first.Transaction.ID || !again.Replayed {
		t.Errorf("the retry was not recognised: %+v then %+v", first, again)
	}
	spend := `{"kind":"transfer","postings":[{"account":"vol:replica:1","amount":-90},{"account":"vol:replica:2","amount":90}]}`
	storeReq(t, a, op, "POST", "/api/v1/transactions", spend, "Idempotency-Key", "replica-spend").ok(t, 201, nil)
	var bal struct {
		Posted int64 `json:"posted"`
	}
	storeReq(t, a, op, "GET", "/api/v1/accounts/vol:replica:2/balance", "").ok(t, 200, &bal)
	if bal.Posted != 90 {
		t.Errorf("balance of the credits moved while the replica was paused: %d, want 90", bal.Posted)
	}
	if after := d.Reads.Stats().Replica; after != before {
		t.Errorf("decisions read the replica: %d reads, was %d", after, before)
	}

	vol := principalID(t, w, volunteer)
	certRecord(t, d, w.a.ID, vol, "2026-11-10", "社区防疫值守", 30)
	if _, err := d.Reports.Rebuild(context.Background(), time.Date(2026, 10, 1, 0, 0, 0, 0, actCST), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if s := summary(); s.Totals.ScanMinutes != 225 {
		t.Errorf("the summary shows what the paused replica has not replayed: %+v", s.Totals)
	}
	if csv := export(); strings.Contains(csv, "社区防疫值守") || !strings.Contains(csv, "社区读报") {
		t.Errorf("the export does not read the paused replica:\n%s", csv)
	}
	if d.Reads.Stats().Replica <= before {
		t.Error("the summary and the export did not read the replica")
	}
	if r := ready(); r.Checks.Replica.Status != "ok" || !r.Checks.Replica.Paused || r.Checks.Replica.Lag <= 0 {
		t.Errorf("readyz with the replay paused behind the primary: %+v", r)
	}

	standby.Exec(`SELECT pg_wal_replay_resume()`)
	standby.WaitReplayed(pg)
	if s := summary(); s.Totals.ScanMinutes != 255 {
		t.Errorf("resumed: %+v", s.Totals)
	}
	if csv := export(); !strings.Contains(csv, "社区防疫值守") {
		t.Errorf("resumed, the export lacks the new record:\n%s", csv)
	}

	standby.Stop("immediate")
	if s := summary(); s.Totals.ScanMinutes != 255 {
		t.Errorf("replica stopped: %+v", s.Totals)
	}
	if csv := export(); !strings.Contains(csv, "社区防疫值守") {
		t.Errorf("replica stopped, the export:\n%s", csv)
	}
	if st := d.Reads.Stats(); st.Fallbacks == 0 || !st.Down {
		t.Errorf("the reads did not fall back to the primary: %+v", st)
	}
	if r := ready(); r.Status != "ok" || r.Checks.Postgres != "ok" || r.Checks.Replica.Status != "unreachable" {
		t.Errorf("readyz with the replica stopped: %+v", r)
	}
	m := storeReq(t, a, testMetricsToken, "GET", "/metrics", "")
	m.ok(t, 200, nil)
	for _, want := range []string{"timebank_replica_down 1", "timebank_replica_fallback_reads_total "} {
		if !strings.Contains(string(m.raw), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
