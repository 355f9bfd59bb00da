package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/activity"
	"timebank/pkg/app"
	"timebank/pkg/config"
	"timebank/pkg/dbtest"
	"timebank/web/api"
	"timebank/web/problem"
)

// actClock is the recording service's clock in these tests.
type actClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *actClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *actClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// actCST is China Standard Time, built by hand.
var actCST = time.FixedZone("CST", 8*3600)

// actDay is 2025-03-10 09:00 China Standard Time, a Monday: when the tests' activities start.
var actDay = time.Date(2025, 3, 10, 9, 0, 0, 0, actCST)

// newActivityApp builds the app as newTestApp does, with the recording service on a clock the
// test moves (check-out needs time to pass; deadlines need days to pass).
func newActivityApp(t *testing.T) (*fiber.App, services, *actClock) {
	t.Helper()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.OperatorToken = "dev-operator-token" // the tests' operator; the service has none unless configured
	cfg.RedisPrefix = prefix
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := app.New(cfg, discard, db, rdb)
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Listen(t, d.Invalidation)
	clk := &actClock{t: actDay.Add(-30 * time.Minute)}
	d.Activities = activity.NewService(db, d.Ledger, rdb, d.Codes, activity.Options{BaseURL: cfg.BaseURL,
		RedisPrefix: prefix, Now: clk.Now, Logger: discard})
	d.Activities.CacheCreditPolicies(d.Invalidation) // as app.New does: a policy changed here is news to every cache
	app, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	return app, d, clk
}

// actReply is a response, read whole.
type actReply struct {
	status int
	header http.Header
	raw    []byte
}

func (r actReply) String() string { return fmt.Sprintf("%d %s", r.status, r.raw) }

// actDo sends a request as the caller (a bearer token; "" for none). body is sent as is when it is a
// string, as JSON otherwise. header holds name, value pairs.
func actDo(t *testing.T, app *fiber.App, token, method, path string, body any, header ...string) actReply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return actReply{status: resp.StatusCode, header: resp.Header, raw: raw}
}

// into decodes a 2xx reply's body.
func (r actReply) into(t *testing.T, want int, v any) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r.raw)
	}
	if err := json.Unmarshal(r.raw, v); err != nil {
		t.Fatalf("%v: %s", err, r.raw)
	}
}

// isProblem checks that the reply is the problem slug with the status, titled in the language.
func (r actReply) isProblem(t *testing.T, status int, slug string, han bool) problem.Problem {
	t.Helper()
	var p problem.Problem
	if r.header.Get("Content-Type") != "application/problem+json" || json.Unmarshal(r.raw, &p) != nil {
		t.Fatalf("not a problem: %s", r)
	}
	if r.status != status || !strings.HasSuffix(p.Type, "/problems/"+slug) {
		t.Errorf("got %d %s, want %d %s: %s", r.status, p.Type, status, slug, r.raw)
	}
	if p.Title == "" || strings.HasPrefix(p.Title, "problem.") || containsHan(p.Title) != han {
		t.Errorf("title %q (Chinese wanted: %v)", p.Title, han)
	}
	return p
}

func containsHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// actCreate creates an activity of the organization as the coordinator of A (or the caller given)
// from 09:00 to 12:00 on actDay, with a 300 m radius around 硖石.
func actCreate(t *testing.T, app *fiber.App, token string, orgID int64, title string) activity.Activity {
	t.Helper()
	var as []activity.Activity
	actDo(t, app, token, "POST", "/api/v1/activities", map[string]any{
		"org_id": orgID, "title": title, "content": "陪伴老人、打扫卫生", "category": "elderly",
		"address": "海宁市硖石街道东山社区敬老院", "latitude": 30.5275, "longitude": 120.6892, "radius_m": 300,
		"starts_at": actDay, "ends_at": actDay.Add(3 * time.Hour), "leader_name": "王队长",
	}).into(t, 201, &as)
	return as[0]
}

// The whole earning path over HTTP: a coordinator creates an activity, the kiosk shows its code,
// 50 racing scans by one volunteer make one attendance, a later scan checks out, 20 racing approvals
// credit once, the volunteer sees the record, disputes it, the coordinator amends it, and the
// volunteer gives some credits away. The ledger verifies afterwards.
func TestActivityAPIEarning(t *testing.T) {
	t.Parallel()
	app, d, clk := newActivityApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	a := actCreate(t, app, w.tokens[coordA], w.a.ID, "敬老院陪伴")

	var page activity.ActivityPage
	actDo(t, app, w.tokens[volunteer], "GET", "/api/v1/activities", nil).into(t, 200, &page)
	if len(page.Items) != 1 || page.Items[0].ID != a.ID {
		t.Fatalf("the volunteer's organizations' activities: %+v", page.Items)
	}
	actDo(t, app, w.tokens[volunteer], "GET", "/api/v1/activities?near=30.5280,120.6890&radius_m=1000", nil).into(t, 200, &page)
	if len(page.Items) != 1 || page.Items[0].DistanceM == nil {
		t.Fatalf("near: %+v", page.Items)
	}

	clk.Set(actDay.Add(-5 * time.Minute))
	var code activity.Code
	actDo(t, app, w.tokens[kioskA], "GET", fmt.Sprintf("/api/v1/activities/%d/code", a.ID), nil).into(t, 200, &code)
	if !strings.HasPrefix(code.URL, d.Config.BaseURL+"/q/") || code.ActivityTitle != "敬老院陪伴" || !code.ExpiresAt.After(clk.Now()) {
		t.Fatalf("kiosk code: %+v", code)
	}
	const n = 50
	replies := make([]actReply, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The phone's browser opened the code's URL; the page posts what it read.
			replies[i] = actDo(t, app, w.tokens[volunteer], "POST", "/api/v1/scans",
				map[string]any{"token": code.URL, "position": map[string]float64{"lat": 30.5276, "lng": 120.6893}})
		}()
	}
	wg.Wait()
	in := 0
	for _, r := range replies {
		var res activity.ScanResult
		r.into(t, 200, &res)
		if res.Action == activity.ActionCheckedIn {
			in++
		} else if res.Action != activity.ActionUnchanged {
			t.Errorf("a racing scan did %s", res.Action)
		}
	}
	var attendances int
	if err := d.DB.Get(&attendances, `SELECT count(*) FROM attendances WHERE activity_id = $1`, a.ID); err != nil || in != 1 || attendances != 1 {
		t.Fatalf("%d scans checked in, %d attendances (%v); want 1 and 1", in, attendances, err)
	}

	clk.Set(actDay.Add(2*time.Hour + 5*time.Minute))
	actDo(t, app, w.tokens[kioskA], "GET", fmt.Sprintf("/api/v1/activities/%d/code", a.ID), nil).into(t, 200, &code)
	var out activity.ScanResult
	actDo(t, app, w.tokens[volunteer], "POST", "/api/v1/scans", map[string]any{"token": code.Token, "activity_id": a.ID}).into(t, 200, &out)
	if out.Action != activity.ActionCheckedOut || out.Attendance.InsideAtCheckIn == nil || !*out.Attendance.InsideAtCheckIn {
		t.Fatalf("check-out: %+v", out)
	}

	var q activity.Queue
	actDo(t, app, w.tokens[coordA], "GET", fmt.Sprintf("/api/v1/activities/%d/attendances", a.ID), nil).into(t, 200, &q)
	if len(q.Items) != 1 || q.Items[0].PreviewMinutes == nil || *q.Items[0].PreviewMinutes != 120 || q.Due != "ok" {
		t.Fatalf("queue: %+v", q)
	}
	attID := q.Items[0].ID
	const m = 20
	results := make([]actReply, m)
	for i := range m {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = actDo(t, app, w.tokens[coordA], "POST", "/api/v1/attendances/verify",
				map[string]any{"ids": []int64{attID}, "action": "approve"})
		}()
	}
	wg.Wait()
	fresh := 0
	var recID int64
	for _, r := range results {
		var res api.VerifyResponse
		r.into(t, 200, &res)
		if !res.Results[0].Replayed {
			fresh++
		}
		recID = res.Results[0].Record.ID
	}
	var earnings int
	if err := d.DB.Get(&earnings, `SELECT count(*) FROM ledger_transactions WHERE kind = 'earn' AND reference = $1`,
		fmt.Sprintf("activity:record:%d", recID)); err != nil || fresh != 1 || earnings != 1 {
		t.Fatalf("%d approvals were fresh, %d earnings (%v); want 1 and 1", fresh, earnings, err)
	}

	var mine activity.MyRecords
	actDo(t, app, w.tokens[volunteer], "GET", "/api/v1/me/records", nil).into(t, 200, &mine)
	if mine.VerifiedMinutes != 120 || len(mine.Items) != 1 || mine.Items[0].Status != "verified" {
		t.Fatalf("my records: %+v", mine)
	}
	path := fmt.Sprintf("/api/v1/records/%d", recID)
	actDo(t, app, w.tokens[volunteer], "POST", path+"/disputes", map[string]string{"reason": "我一直待到11点15分"}).into(t, 201, &activity.Dispute{})
	actDo(t, app, w.tokens[volunteer], "POST", path+"/disputes", map[string]string{"reason": "再提一次"},
		"Accept-Language", "zh-CN").isProblem(t, 409, "dispute-open", true)
	actDo(t, app, w.tokens[coordA], "POST", path+"/amendments", map[string]any{"revision": 2, "minutes": 135, "reason": "x"},
		"Accept-Language", "en").isProblem(t, 409, "record-changed", false)
	var amended activity.Record
	actDo(t, app, w.tokens[coordA], "POST", path+"/amendments", map[string]any{"revision": 1, "minutes": 135, "reason": "核对签到表"}).into(t, 201, &amended)
	if amended.Revision != 2 || amended.Minutes != 135 || amended.Status != "verified" {
		t.Fatalf("amended: %+v", amended)
	}
	var full activity.Record
	actDo(t, app, w.tokens[volunteer], "GET", path, nil).into(t, 200, &full)
	if len(full.Revisions) != 2 || len(full.Disputes) != 1 || full.Disputes[0].Status != "amended" {
		t.Fatalf("record history: %+v", full)
	}
	actDo(t, app, w.tokens[clerkSA], "GET", path, nil).isProblem(t, 404, "record-not-found", true)
	actDo(t, app, w.tokens[auditorHN], "GET", path, nil).into(t, 200, &full)

	actDo(t, app, w.tokens[volunteer], "POST", "/api/v1/transfers", map[string]any{"to": "pool", "amount": 30}).
		isProblem(t, 400, "invalid-request", true)
	var tr activity.Transfer
	actDo(t, app, w.tokens[volunteer], "POST", "/api/v1/transfers", map[string]any{"to": "pool", "amount": 30},
		"Idempotency-Key", "don-1").into(t, 201, &tr)
	again := actDo(t, app, w.tokens[volunteer], "POST", "/api/v1/transfers", map[string]any{"to": "pool", "amount": 30}, "Idempotency-Key", "don-1")
	var tr2 activity.Transfer
	again.into(t, 200, &tr2)
	if tr2.ID != tr.ID || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replayed transfer: %s", again)
	}
	actDo(t, app, w.tokens[volunteer], "POST", "/api/v1/transfers", map[string]any{"to": "pool", "amount": 300},
		"Idempotency-Key", "don-2").isProblem(t, 422, "insufficient-funds", true)
	b, err := d.Ledger.PostgresBalance(ctx, "vol:"+fmt.Sprint(principalID(t, w, volunteer)))
	if err != nil || b.Posted != 105 {
		t.Errorf("volunteer balance %d (%v), want 135 - 30 = 105", b.Posted, err)
	}
	rep, err := d.Ledger.Verify(ctx)
	if err != nil || !rep.OK() {
		t.Fatalf("timebank verify: %v %v", err, rep.Problems)
	}
}

// principalID is the user id behind a caller of the world.
func principalID(t *testing.T, w *world, who string) int64 {
	t.Helper()
	u, err := w.d.Users.ByPhone(context.Background(), fmt.Sprintf("1380000%04d", indexOf(people, who)))
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
