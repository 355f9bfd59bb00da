package web

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/chinatime"
)

// actSignIn signs a person of the world in through the log-in page, as their browser would.
func actSignIn(t *testing.T, app *fiber.App, who string) *browser {
	t.Helper()
	b := newBrowser(t, app)
	phone := fmt.Sprintf("1380000%04d", indexOf(people, who))
	if r := b.submit("/login", url.Values{"phone": {phone}, "password": {testPassword}}); r.status != 303 {
		t.Fatalf("log-in of %s: %d %s", who, r.status, r.body)
	}
	return b
}

// actWantPage checks a page's status and that its body holds each of the strings.
func actWantPage(t *testing.T, what string, r response, status int, holds ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.status, status, r.body)
	}
	for _, h := range holds {
		if !strings.Contains(r.body, h) {
			t.Fatalf("%s: the page lacks %q\n%s", what, h, r.body)
		}
	}
}

// actFollow gets where a redirect leads, after checking that it is one to the path.
func actFollow(t *testing.T, b *browser, what string, r response, path string) response {
	t.Helper()
	if r.status != 303 || !strings.HasPrefix(r.location(), path) {
		t.Fatalf("%s: %d to %q, want 303 to %s…\n%s", what, r.status, r.location(), path, r.body)
	}
	return b.get(r.location())
}

var (
	actKioskURL   = regexp.MustCompile(`id="kiosk-code"[^>]*data-url="([^"]+)"`)
	actKioskLink  = regexp.MustCompile(`id="kiosk-link-(\d+)"`)
	actFormKey    = regexp.MustCompile(`name="key" value="([^"]+)"`)
	actRecordLink = regexp.MustCompile(`href="/me/records/(\d+)"`)
)

// The earning path through the pages: a coordinator creates an activity with a place, a volunteer
// signs up, opens the kiosk's code (sent to log in first when signed out), is checked in, is told
// when a code has changed, checks out from outside the area; the coordinator sees the warning
// before the deadline and approves twice, crediting once; the volunteer sees the record, disputes
// it, and donates credits with a form posted twice.
func TestActivityPagesEarning(t *testing.T) {
	t.Parallel()
	app, d, clk := newActivityApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	now := time.Now().Truncate(time.Minute)
	clk.Set(now)
	coord, vol := actSignIn(t, app, coordA), actSignIn(t, app, volunteer)

	actWantPage(t, "new activity form", coord.get("/activities/new"), 200,
		fmt.Sprintf(`<option value="%d"`, w.a.ID), `name="repeat_weekly_until"`, `value="elderly"`)
	start := now.Add(90 * time.Minute).In(chinatime.Zone())
	fields := url.Values{"org_id": {id(w.a.ID)}, "title": {"敬老院陪伴"}, "category": {"elderly"}, "content": {"陪老人聊天"},
		"address": {"硖石街道东山社区敬老院"}, "date": {start.Format("2006-01-02")}, "starts_at": {start.Format("15:04")},
		"ends_at": {start.Add(3 * time.Hour).Format("15:04")}, "capacity": {"20"}, "leader_name": {"王队长"},
		"is_service": {"1"}, "latitude": {"30.5275"}, "longitude": {"120.6892"}, "radius_m": {"300"}}
	bad := url.Values{}
	for k, v := range fields {
		bad[k] = v
	}
	bad.Set("starts_at", "9点")
	actWantPage(t, "a time that is none", coord.submit("/activities", bad), 422,
		`data-testid="error-starts_at"`, `value="硖石街道东山社区敬老院"`)
	bad.Set("starts_at", fields.Get("starts_at"))
	bad.Set("title", " ")
	actWantPage(t, "no title", coord.submit("/activities", bad), 422, `data-testid="error-title"`, "陪老人聊天")
	manage := actFollow(t, coord, "create", coord.submit("/activities", fields), "/activities/manage?done=created")
	actWantPage(t, "manage", manage, 200, "已创建 1 场活动", "敬老院陪伴")
	m := actKioskLink.FindStringSubmatch(manage.body)
	if m == nil {
		t.Fatalf("no kiosk link:\n%s", manage.body)
	}
	actID := m[1]

	list := vol.get("/activities")
	actWantPage(t, "activities of my organizations", list, 200, `id="signup-`+actID+`"`, "敬老院陪伴", "已报名 0 / 20 人")
	list = actFollow(t, vol, "sign-up", vol.submit("/activities/"+actID+"/signup", url.Values{"back": {"/activities?show=all"}}),
		"/activities?")
	actWantPage(t, "after sign-up", list, 200, "报名成功", `id="cancel-`+actID+`"`, `aria-current="page">全部`)
	actWantPage(t, "my activities", vol.get("/me/activities"), 200, `id="activity-`+actID+`"`)
	off := vol.submit("/activities/"+actID+"/signup", url.Values{"back": {"https://evil.example/"}})
	if off.status != 303 || !strings.HasPrefix(off.location(), "/activities?") {
		t.Errorf("a sign-up sent elsewhere: %d %q", off.status, off.location())
	}

	// At the site, two minutes after the start.
	clk.Set(start.Add(2 * time.Minute))
	kiosk := coord.get("/activities/" + actID + "/kiosk")
	actWantPage(t, "kiosk", kiosk, 200, `id="kiosk-code-img"`, `data-testid="kiosk-present">0<`)
	m = actKioskURL.FindStringSubmatch(kiosk.body)
	if m == nil || !strings.HasPrefix(m[1], d.Config.BaseURL+"/q/i") {
		t.Fatalf("the kiosk's code URL: %v", m)
	}
	scanPath := strings.TrimPrefix(m[1], d.Config.BaseURL)
	for format, magic := range map[string]string{"svg": "<svg", "png": "\x89PNG"} {
		img := coord.get("/activities/" + actID + "/kiosk/code?format=" + format)
		if img.status != 200 || !strings.HasPrefix(img.body, magic) || img.header.Get("Cache-Control") != "no-store" {
			t.Errorf("kiosk image %s: %d %q %q", format, img.status, img.header.Get("Cache-Control"), img.body[:min(8, len(img.body))])
		}
	}

	anon := newBrowser(t, app)
	if r := anon.get(scanPath); r.status != 303 || r.location() != "/login?next=/scan" {
		t.Fatalf("a visitor scanning: %d %q", r.status, r.location())
	}
	actWantPage(t, "scan step", vol.get(scanPath), 200, `action="`+scanPath+`"`, `data-ask-position="1"`)
	inside := url.Values{"lat": {"30.5276"}, "lng": {"120.6893"}}
	actWantPage(t, "check-in", vol.submit(scanPath, inside), 200, `data-action="checked_in"`, "签到成功",
		clk.Now().In(chinatime.Zone()).Format("15:04")+" 签到")
	actWantPage(t, "scanned twice", vol.submit(scanPath, inside), 200, `data-action="unchanged"`, "您已签到")
	if r := coord.get("/activities/" + actID + "/kiosk/status"); r.status != 200 || r.body != `{"present":1,"left":0}` {
		t.Errorf("kiosk status after a check-in: %d %s", r.status, r.body)
	}

	clk.Set(clk.Now().Add(2 * time.Minute))
	actWantPage(t, "a photo of an old code", vol.submit(scanPath, inside), 422, `data-action="token-expired"`,
		"二维码已过期", "每 30 秒更新一次")

	clk.Set(start.Add(95 * time.Minute))
	out, err := d.Activities.KioskCode(ctx, actInt(t, actID), true)
	if err != nil {
		t.Fatal(err)
	}
	actWantPage(t, "check-out far away", vol.submit("/q/"+out.Token, url.Values{"lat": {"31.2304"}, "lng": {"121.4737"}}), 200,
		`data-action="checked_out"`, "签退成功", "共 1.55 小时，待组织审核", `data-testid="scan-outside"`)

	queue := coord.get("/activities/" + actID + "/queue")
	actWantPage(t, "queue", queue, 200, `data-due="ok"`, "扫码位置在活动范围外", "记录期限")
	att := regexp.MustCompile(`id="pick-(\d+)"`).FindStringSubmatch(queue.body)
	if att == nil {
		t.Fatalf("nothing to pick in the queue:\n%s", queue.body)
	}
	if r := vol.submit("/activities/"+actID+"/verify", url.Values{"ids": {att[1]}, "action": {"approve"}}); r.status != 403 {
		t.Errorf("a volunteer approving: %d", r.status)
	}
	actWantPage(t, "approve nothing", coord.submit("/activities/"+actID+"/verify", url.Values{"action": {"approve"}}), 422, "error-summary")
	approve := url.Values{"ids": {att[1]}, "action": {"approve"}}
	actWantPage(t, "approved", actFollow(t, coord, "approve", coord.submit("/activities/"+actID+"/verify", approve),
		"/activities/"+actID+"/queue?done=approve&n=1"), 200, "已审核通过 1 条")
	actFollow(t, coord, "approve again", coord.submit("/activities/"+actID+"/verify", approve),
		"/activities/"+actID+"/queue?done=approve&n=0")
	var earnings int
	if err := d.DB.Get(&earnings, `SELECT count(*) FROM ledger_transactions WHERE kind = 'earn'`); err != nil || earnings != 1 {
		t.Fatalf("%d earnings (%v), want 1", earnings, err)
	}

	records := vol.get("/me/records")
	actWantPage(t, "my records", records, 200, `data-minutes="90"`, `data-status="verified"`, "尚未获得星级", `max="6000"`)
	rec := actRecordLink.FindStringSubmatch(records.body)
	if rec == nil {
		t.Fatalf("no link to the record:\n%s", records.body)
	}
	recPath := "/me/records/" + rec[1]
	actWantPage(t, "a record", vol.get(recPath), 200, "敬老院陪伴", "王队长", `id="dispute-form"`)
	actWantPage(t, "a dispute without a reason", vol.submit(recPath+"/dispute", url.Values{"reason": {" "}}), 422, `data-testid="error-reason"`)
	actWantPage(t, "disputed", actFollow(t, vol, "dispute", vol.submit(recPath+"/dispute", url.Values{"reason": {"我待到了最后"}}),
		recPath+"?done=disputed"), 200, "异议已提交", `id="dispute-pending"`, "我待到了最后")
	actWantPage(t, "a second dispute", vol.submit(recPath+"/dispute", url.Values{"reason": {"再说一次"}}), 409, "已有待处理的异议")
	if r := coord.get(recPath); r.status != 404 {
		t.Errorf("someone else's record as a page: %d", r.status)
	}

	form := vol.get("/me/transfer")
	actWantPage(t, "transfer form", form, 200, `data-minutes="90"`, "每次最多 10 小时")
	key := actFormKey.FindStringSubmatch(form.body)
	if key == nil {
		t.Fatal("the transfer form has no key")
	}
	donate := url.Values{"to": {"pool"}, "amount": {""}, "amount_minutes": {"30"}, "key": {key[1]}}
	for i := range 2 { // the same form posted twice (a double tap) gives once
		actFollow(t, vol, fmt.Sprint("donation ", i), vol.submit("/me/transfer", donate), "/me/transfer?done=donated")
	}
	actWantPage(t, "after donating", vol.get("/me/transfer"), 200, `data-minutes="60"`)
	nobody := url.Values{"to": {"family"}, "volunteer_no": {"V0000000"}, "name": {"无名"}, "relationship": {"spouse"},
		"amount": {"1"}, "key": {"page-other"}}
	actWantPage(t, "a transfer to nobody", vol.submit("/me/transfer", nobody), 422, `data-testid="error-volunteer_no"`, `value="V0000000"`)

	rep, err := d.Ledger.Verify(ctx)
	if err != nil || !rep.OK() {
		t.Fatalf("timebank verify: %v %v", err, rep.Problems)
	}
	vol.lang = "en"
	vol.jar["lang"] = "en"
	actWantPage(t, "records in English", vol.get("/me/records"), 200, "My service records", "Verified")
}

func actInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A coordinator cannot reach another organization through a page whose rule saw their own: an
// activity created for it, or attendances of it decided from their own activity's queue.
func TestActivityPagesRefuseOutside(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	f := actFixturesOf(t, w)
	coord := actSignIn(t, app, coordA)
	start := time.Now().Add(48 * time.Hour).In(chinatime.Zone())
	r := coord.submit("/activities", url.Values{"org_id": {id(w.b.ID)}, "title": {"越界"}, "category": {"elderly"},
		"address": {"桐乡"}, "date": {start.Format("2006-01-02")}, "starts_at": {"09:00"}, "ends_at": {"11:00"},
		"leader_name": {"某"}, "is_service": {"1"}})
	if r.status != 403 {
		t.Errorf("an activity for another organization: %d", r.status)
	}
	r = coord.submit(fmt.Sprintf("/activities/%d/verify", f.act[0]), url.Values{"ids": {id(f.att[1])}, "action": {"approve"}})
	if r.status != 403 {
		t.Errorf("another organization's attendance through one's own queue: %d", r.status)
	}
	var n int
	if err := d.DB.Get(&n, `SELECT count(*) FROM service_records WHERE attendance_id = $1`, f.att[1]); err != nil || n != 0 {
		t.Errorf("records of the refused attendance: %d (%v)", n, err)
	}
}
