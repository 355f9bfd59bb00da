package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/pkg/app"
	"timebank/pkg/config"
	"timebank/pkg/dbtest"
	"timebank/pkg/identity"
	who "timebank/pkg/principal"
	"timebank/web/api"
)

// newChangeApp is newActivityApp with the recording service writing notices, as app.New builds it:
// changing and cancelling an activity tell the volunteers signed up.
func newChangeApp(t *testing.T) (*fiber.App, services, *actClock) {
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
		RedisPrefix: prefix, Now: clk.Now, Logger: discard, Notify: d.Notify})
	d.Activities.CacheCreditPolicies(d.Invalidation) // as app.New does: a policy changed here is news to every cache
	a, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	return a, d, clk
}

// coordinatorOf registers a coordinator of the organization and returns their bearer token.
func coordinatorOf(t *testing.T, d services, orgID int64, phone string) string {
	t.Helper()
	ctx := context.Background()
	u, err := d.Users.Register(ctx, identity.Registration{Phone: phone, Password: testPassword, Name: "外组织协调员"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Users.Grant(ctx, identity.Change{Actor: who.Operator()}, u.ID,
		access.Grant{Role: access.Coordinator, Kind: access.Org, OrgID: orgID}); err != nil {
		t.Fatal(err)
	}
	token, err := d.Sessions.Create(ctx, u.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// actGet reads the activity as the service has it, for checking that a refused request changed
// nothing.
func actGet(t *testing.T, d services, id int64) activity.Activity {
	t.Helper()
	a, err := d.Activities.Activity(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// notices counts the notices written to the person about the event.
func notices(t *testing.T, d services, userID int64, event string) int {
	t.Helper()
	var n int
	if err := d.DB.Get(&n, `SELECT count(*) FROM notification_outbox WHERE user_id = $1 AND event = $2`, userID, event); err != nil {
		t.Fatal(err)
	}
	return n
}

// Changing an activity over the API: its coordinator changes it before it starts (the volunteer
// signed up is told once, also when the change is sent again); a volunteer, a coordinator of
// another organization, bad JSON and fields the rules refuse change nothing; once it has begun it
// is refused with activity-started.
func TestActivityChangeAPIUpdate(t *testing.T) {
	t.Parallel()
	app, d, clk := newChangeApp(t)
	w := newWorld(t, d)
	a := actCreate(t, app, w.tokens[coordA], w.a.ID, "敬老院陪伴")
	path := fmt.Sprintf("/api/v1/activities/%d", a.ID)
	for _, who := range []string{volunteer, coordA} {
		actDo(t, app, w.tokens[who], "POST", path+"/signups", nil).into(t, 201, &activity.Signup{})
	}
	outsider := coordinatorOf(t, d, w.b.ID, "13955550001")

	moved := map[string]any{"title": "敬老院陪伴（改期）", "starts_at": actDay.Add(time.Hour), "ends_at": actDay.Add(4 * time.Hour),
		"capacity": 10, "address": "硖石街道西山社区敬老院"}
	for _, c := range []struct {
		what, token string
		status      int
		slug        string
		body        any
	}{
		{"a volunteer", w.tokens[volunteer], 403, "forbidden", moved},
		{"a coordinator of another organization", outsider, 403, "forbidden", moved},
		{"bad JSON", w.tokens[coordA], 400, "invalid-request", `{"title": "敬老院`},
		{"an unknown field", w.tokens[coordA], 400, "invalid-request", map[string]any{"titel": "x"}},
		{"a wrong type", w.tokens[coordA], 400, "invalid-request", map[string]any{"capacity": "十"}},
	} {
		before := actGet(t, d, a.ID)
		actDo(t, app, c.token, "PUT", path, c.body).isProblem(t, c.status, c.slug, true)
		if after := actGet(t, d, a.ID); after.Revision != before.Revision || after.Title != before.Title {
			t.Errorf("%s changed the activity: %+v", c.what, after)
		}
	}
	actDo(t, app, w.tokens[coordA], "PUT", "/api/v1/activities/999999", moved).isProblem(t, 404, "activity-not-found", true)

	// Fields the rules refuse: each named, with its message in the caller's language.
	for _, c := range []struct {
		body          map[string]any
		field, reason string
		lang, message string
	}{
		{map[string]any{"starts_at": actDay.Add(-time.Hour)}, "starts_at", "in_past", "zh-CN", "开始时间不能早于现在"},
		{map[string]any{"starts_at": actDay.Add(-time.Hour)}, "starts_at", "in_past", "en", "cannot be in the past"},
		{map[string]any{"ends_at": actDay.Add(-time.Hour)}, "ends_at", "before_start", "zh-CN", "必须晚于开始时间"},
		{map[string]any{"ends_at": actDay.Add(13 * time.Hour)}, "ends_at", "too_long", "zh-CN", "超过本组织允许的最长时长"},
		{map[string]any{"ends_at": actDay.Add(13 * time.Hour)}, "ends_at", "too_long", "en", "longer than the organization allows"},
		{map[string]any{"capacity": 1}, "capacity", "below_signups", "zh-CN", "不能少于已报名的人数"},
		{map[string]any{"capacity": 1}, "capacity", "below_signups", "en", "fewer than the volunteers already signed up"},
		{map[string]any{"capacity": 0}, "capacity", "range", "zh-CN", ""},
		{map[string]any{"title": " "}, "title", "required", "zh-CN", ""},
		{map[string]any{"latitude": 30.5}, "longitude", "latitude_and_longitude", "en", "give both"},
	} {
		before := actGet(t, d, a.ID)
		p := actDo(t, app, w.tokens[coordA], "PUT", path, c.body, "Accept-Language", c.lang).isProblem(t, 400, "invalid-request", c.lang == "zh-CN")
		if len(p.Errors) != 1 || p.Errors[0].Field != c.field || p.Errors[0].Reason != c.reason || p.Errors[0].Message == "reason."+c.reason ||
			!strings.Contains(p.Errors[0].Message, c.message) {
			t.Errorf("%v (%s): %+v", c.body, c.lang, p.Errors)
		}
		if after := actGet(t, d, a.ID); after.Revision != before.Revision || !after.StartsAt.Equal(before.StartsAt) {
			t.Errorf("refused %v changed the activity", c.body)
		}
	}

	// The coordinator moves it: the volunteers signed up are told, once, also when the change is sent again.
	var got activity.Activity
	actDo(t, app, w.tokens[coordA], "PUT", path, moved).into(t, 200, &got)
	if got.Revision != 2 || got.Title != "敬老院陪伴（改期）" || !got.StartsAt.Equal(actDay.Add(time.Hour)) || got.Capacity == nil ||
		*got.Capacity != 10 || got.Address != "硖石街道西山社区敬老院" || got.Content != a.Content || got.Signups != 2 {
		t.Fatalf("changed: %+v", got)
	}
	event := fmt.Sprintf("activity:%d:rev:2", a.ID)
	if n := notices(t, d, w.users[volunteer], event); n != 1 {
		t.Errorf("the volunteer signed up has %d notices of the change, want 1", n)
	}
	actDo(t, app, w.tokens[coordA], "PUT", path, moved).into(t, 200, &got)
	if got.Revision != 3 || !got.StartsAt.Equal(actDay.Add(time.Hour)) {
		t.Fatalf("the change sent again: %+v", got)
	}
	if n := notices(t, d, w.users[volunteer], fmt.Sprintf("activity:%d:rev:3", a.ID)); n != 0 {
		t.Errorf("the change sent again told the volunteer again (%d)", n)
	}
	var seen activity.Activity
	actDo(t, app, w.tokens[volunteer], "GET", path, nil).into(t, 200, &seen)
	if seen.Title != got.Title || seen.Revision != 3 {
		t.Errorf("the volunteer reads %+v", seen)
	}

	// Once it has begun, it can only be cancelled.
	clk.Set(actDay.Add(time.Hour + time.Minute))
	p := actDo(t, app, w.tokens[coordA], "PUT", path, map[string]any{"title": "晚了"}, "Accept-Language", "en").isProblem(t, 409, "activity-started", false)
	if p.Title == "" || actGet(t, d, a.ID).Title != got.Title {
		t.Errorf("a change after the start: %+v", p)
	}
	actDo(t, app, w.tokens[coordA], "PUT", path, map[string]any{"title": "晚了"}).isProblem(t, 409, "activity-started", true)
}

// Cancelling an activity over the API: refused to a volunteer, to a coordinator of another
// organization, with bad JSON or an empty reason (nothing changes); its coordinator cancels it
// while it runs: the open attendance is closed as a forgotten check-out, the volunteers are told
// with the reason, the kiosk code and scans are refused, sending it again answers the same, and
// it can no longer be changed. An activity that has ended cannot be cancelled.
func TestActivityChangeAPICancel(t *testing.T) {
	t.Parallel()
	app, d, clk := newChangeApp(t)
	w := newWorld(t, d)
	a := actCreate(t, app, w.tokens[coordA], w.a.ID, "敬老院陪伴")
	path := fmt.Sprintf("/api/v1/activities/%d", a.ID)
	actDo(t, app, w.tokens[volunteer], "POST", path+"/signups", nil).into(t, 201, &activity.Signup{})
	outsider := coordinatorOf(t, d, w.b.ID, "13955550002")
	b := actCreate(t, app, w.tokens[coordA], w.a.ID, "另一场活动")

	clk.Set(actDay.Add(5 * time.Minute))
	var code activity.Code
	actDo(t, app, w.tokens[kioskA], "GET", path+"/code", nil).into(t, 200, &code)
	var in activity.ScanResult
	actDo(t, app, w.tokens[volunteer], "POST", "/api/v1/scans", map[string]any{"token": code.Token}).into(t, 200, &in)
	if in.Action != activity.ActionCheckedIn {
		t.Fatalf("check-in: %+v", in)
	}

	reason := map[string]any{"reason": "暴雨预警，活动改期"}
	for _, c := range []struct {
		what, token string
		status      int
		body        any
		field       string
	}{
		{"a volunteer", w.tokens[volunteer], 403, reason, ""},
		{"a coordinator of another organization", outsider, 403, reason, ""},
		{"bad JSON", w.tokens[coordA], 400, `{"reason": `, ""},
		{"no body", w.tokens[coordA], 415, nil, ""},
		{"an empty reason", w.tokens[coordA], 400, map[string]any{"reason": "  "}, "reason"},
		{"no reason", w.tokens[coordA], 400, map[string]any{}, "reason"},
	} {
		slug := "invalid-request"
		if c.status == 403 {
			slug = "forbidden"
		}
		p := actDo(t, app, c.token, "POST", path+"/cancel", c.body).isProblem(t, c.status, slug, true)
		if c.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != c.field || p.Errors[0].Reason != "required") {
			t.Errorf("%s: %+v", c.what, p.Errors)
		}
		if got := actGet(t, d, a.ID); got.Status != activity.StatusActivityOpen || got.Revision != 1 {
			t.Errorf("%s changed the activity: %+v", c.what, got)
		}
	}

	clk.Set(actDay.Add(30 * time.Minute))
	actDo(t, app, w.tokens[kioskA], "GET", path+"/code", nil).into(t, 200, &code) // shown as it is cancelled
	var got activity.Activity
	actDo(t, app, w.tokens[coordA], "POST", path+"/cancel", reason).into(t, 200, &got)
	if got.Status != activity.StatusActivityCancelled || got.CancelReason == nil || *got.CancelReason != "暴雨预警，活动改期" ||
		got.CancelledAt == nil || !got.CancelledAt.Equal(actDay.Add(30*time.Minute)) {
		t.Fatalf("cancelled: %+v", got)
	}
	var att struct {
		Status     string    `db:"status"`
		AutoClosed bool      `db:"auto_closed"`
		CheckOutAt time.Time `db:"check_out_at"`
	}
	if err := d.DB.Get(&att, `SELECT status, auto_closed, check_out_at FROM attendances WHERE id = $1`, in.Attendance.ID); err != nil ||
		att.Status != "closed" || !att.AutoClosed || !att.CheckOutAt.Equal(actDay.Add(30*time.Minute)) {
		t.Errorf("the open attendance: %+v (%v)", att, err)
	}
	if n := notices(t, d, w.users[volunteer], fmt.Sprintf("activity:%d:cancelled", a.ID)); n != 1 {
		t.Errorf("the volunteer has %d notices of the cancellation, want 1", n)
	}
	actDo(t, app, w.tokens[volunteer], "POST", "/api/v1/scans", map[string]any{"token": code.Token}).isProblem(t, 409, "activity-cancelled", true)

	// Sent again, later: the activity as it was cancelled, nobody told twice.
	clk.Set(actDay.Add(40 * time.Minute))
	var again activity.Activity
	actDo(t, app, w.tokens[coordA], "POST", path+"/cancel", map[string]any{"reason": "另一个原因"}).into(t, 200, &again)
	if again.Revision != got.Revision || *again.CancelReason != *got.CancelReason || !again.CancelledAt.Equal(*got.CancelledAt) {
		t.Errorf("cancelled again: %+v", again)
	}
	if n := notices(t, d, w.users[volunteer], fmt.Sprintf("activity:%d:cancelled", a.ID)); n != 1 {
		t.Errorf("after a second cancel the volunteer has %d notices, want 1", n)
	}

	// Nothing more happens at it: no kiosk code, no change.
	actDo(t, app, w.tokens[kioskA], "GET", path+"/code", nil).isProblem(t, 409, "activity-cancelled", true)
	actDo(t, app, w.tokens[kioskA], "GET", path+"/code", nil, "Accept-Language", "en").isProblem(t, 409, "activity-cancelled", false)
	actDo(t, app, w.tokens[coordA], "PUT", path, map[string]any{"title": "恢复"}).isProblem(t, 409, "activity-cancelled", true)

	// An activity that has ended is verified, not cancelled.
	clk.Set(b.EndsAt.Add(time.Minute))
	actDo(t, app, w.tokens[coordA], "POST", fmt.Sprintf("/api/v1/activities/%d/cancel", b.ID), reason).isProblem(t, 409, "activity-over", true)
	if got := actGet(t, d, b.ID); got.Status != activity.StatusActivityOpen {
		t.Errorf("an ended activity was cancelled: %+v", got)
	}
}

// The schemas of changing and cancelling have exactly the JSON fields of their Go types, with the
// same JSON types.
func TestActivityChangeOpenAPISchemas(t *testing.T) {
	t.Parallel()
	schemas := obj(obj(fetchOpenAPI(t, newTestServer(t))["components"])["schemas"])
	checkSchemas(t, schemas, map[string]reflect.Type{
		"ActivityChange": reflect.TypeFor[activity.ActivityChange](),
		"CancelRequest":  reflect.TypeFor[api.CancelRequest](),
	})
}
