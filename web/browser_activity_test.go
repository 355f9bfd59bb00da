package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"timebank/pkg/activity"
	"timebank/pkg/app"
	"timebank/pkg/config"
	"timebank/pkg/dbtest"
	who "timebank/pkg/principal"
)

// activityBrowserApp serves the real app on a free port whose address is the service's base URL,
// so that the codes the kiosk shows carry URLs a second browser can open as they are, with the
// recording service on a clock the test moves (as newActivityApp).
func activityBrowserApp(t *testing.T) (base string, d services, clk *actClock) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base = "http://" + ln.Addr().String()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.OperatorToken = "dev-operator-token" // the tests' operator; the service has none unless configured
	cfg.RedisPrefix, cfg.BaseURL = prefix, base
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err = app.New(cfg, discard, db, rdb)
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Listen(t, d.Invalidation)
	clk = &actClock{t: time.Now()}
	d.Activities = activity.NewService(db, d.Ledger, rdb, d.Codes, activity.Options{BaseURL: base,
		RedisPrefix: prefix, Now: clk.Now, Logger: discard})
	d.Activities.CacheCreditPolicies(d.Invalidation) // as app.New does: a policy changed here is news to every cache
	app, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	return base, d, clk
}

// evalString evaluates a JavaScript expression on the tab's page.
func evalString(t *testing.T, ctx context.Context, what, expression string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[string](expression))
	if err != nil {
		screenshot(t, ctx, "failed-"+what)
		t.Fatalf("browser: %s: %v", what, err)
	}
	return v
}

// The earning path in two browsers. The coordinator's kiosk page shows the activity's code; the
// volunteer's phone (a browser context with cookies of its own) opens the URL read from the
// kiosk page, signs in and is checked in; the kiosk's count follows by itself, and its scanner box
// checks a second volunteer in from a member code. Later the kiosk shows its check-out code and
// the phone opens that; the coordinator approves in the queue page, and the volunteer's balance
// page, open all along, shows the credits without being reloaded.
//
// The recording service's clock is set ten minutes ahead of the real one and moved forward by
// hand: 95 minutes pass between check-in and check-out without the test waiting for them, and no
// code expires while a busy machine runs the test.
func TestBrowserActivityEarning(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d, clk := activityBrowserApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	clk.Set(time.Now().Add(10 * time.Minute).Truncate(time.Minute))
	as, err := d.Activities.CreateActivities(ctx, &who.Principal{Name: "王队长"}, activity.NewActivity{
		OrgID: w.a.ID, Title: "敬老院陪伴", Content: "陪老人聊天、读报", Category: "elderly", Address: "硖石街道东山社区敬老院",
		StartsAt: clk.Now().Add(-10 * time.Minute), EndsAt: clk.Now().Add(3 * time.Hour), LeaderName: "王队长"})
	if err != nil {
		t.Fatal(err)
	}
	act := as[0]

	coord := newChrome(t)
	signInWith(t, coord, base, worldPhoneOf(coordA), testPassword)
	visit(t, coord, base+"/activities/manage")
	submitAndWait(t, coord, fmt.Sprintf("kiosk-link-%d", act.ID), "kiosk-code")
	waitFor(t, coord, "the kiosk draws its code", `(function(){var i=document.getElementById('kiosk-code-img');`+
		`return i.complete && i.naturalWidth > 0 && !document.getElementById('kiosk-scan').hidden})()`)
	checkIn := evalString(t, coord, "read the code's URL", `document.getElementById('kiosk-code').dataset.url`)
	if !strings.HasPrefix(checkIn, base+"/q/i") {
		t.Fatalf("the kiosk's code: %q", checkIn)
	}
	screenshot(t, coord, "kiosk")

	vol := newTab(t, coord)
	phone(t, vol)
	visit(t, vol, checkIn) // signed out: the log-in page, which leads back to the code
	fill(t, vol, "f-phone", worldPhoneOf(volunteer), "f-password", testPassword)
	submitAndWait(t, vol, "login-submit", "scan-result")
	if got := textOf(t, vol, "page-title"); got != "签到成功" {
		t.Fatalf("after opening the kiosk's code: %q (%s)", got, textOf(t, vol, "scan-detail"))
	}
	screenshot(t, vol, "checked-in")
	waitFor(t, coord, "the kiosk counts the volunteer", `document.getElementById('kiosk-present').textContent === '1'`)

	// The kiosk's scanner box: a USB scanner types the member code's URL and Enter.
	member, err := d.Activities.MemberCode(w.spare.ID)
	if err != nil {
		t.Fatal(err)
	}
	step(t, coord, "scan a member code", chromedp.SendKeys(chromedp.ID("kiosk-scan-input"), member.URL+kb.Enter))
	waitFor(t, coord, "the scan's result", `document.getElementById('kiosk-scan-result').classList.contains('ok')`)
	if got := textOf(t, coord, "kiosk-scan-result"); !strings.Contains(got, "候补") {
		t.Errorf("the kiosk's scan result: %q", got)
	}
	waitFor(t, coord, "the kiosk counts two", `document.getElementById('kiosk-present').textContent === '2'`)
	screenshot(t, coord, "kiosk-member-scanned")

	// An hour and a half later the volunteer leaves by the kiosk's check-out code.
	clk.Set(clk.Now().Add(95 * time.Minute))
	step(t, coord, "show the check-out code", chromedp.Click(chromedp.ID("kiosk-toggle")))
	waitFor(t, coord, "the check-out code", `document.getElementById('kiosk-code').dataset.kind === 'check_out' && `+
		`document.getElementById('kiosk-code').dataset.url.indexOf('/q/o') > 0`)
	checkOut := evalString(t, coord, "read the check-out URL", `document.getElementById('kiosk-code').dataset.url`)
	screenshot(t, coord, "kiosk-check-out")
	visit(t, vol, checkOut)
	step(t, vol, "the check-out's result", chromedp.WaitVisible(chromedp.ID("scan-result")))
	if got := textOf(t, vol, "scan-detail"); !strings.Contains(got, "共 1.58 小时") || !strings.Contains(got, "待组织审核") {
		t.Errorf("the check-out: %q", got)
	}
	screenshot(t, vol, "checked-out")

	// The balance page stays open while the coordinator approves.
	visit(t, vol, base+"/me/balance")
	if got := textOf(t, vol, "balance-available"); got != "0" {
		t.Fatalf("the balance before approval: %q", got)
	}
	evalString(t, vol, "mark the page", `window.openedOnce = 'yes'`)

	visit(t, coord, base+fmt.Sprintf("/activities/%d/queue", act.ID))
	step(t, coord, "pick the volunteer", chromedp.Click(chromedp.CSS(`#queue tr[data-status="closed"] input.pick`)))
	screenshot(t, coord, "queue")
	submitAndWait(t, coord, "approve-selected", "notice")
	if got := textOf(t, coord, "notice"); !strings.Contains(got, "已审核通过 1 条") {
		t.Errorf("after approving: %q", got)
	}
	screenshot(t, coord, "approved")

	waitFor(t, vol, "the balance shows the credits", `document.getElementById('balance-available').dataset.minutes === '90'`)
	if got := evalString(t, vol, "the page was not reloaded", `String(window.openedOnce)`); got != "yes" {
		t.Errorf("the balance page was reloaded (marker %q)", got)
	}
	if got := textOf(t, vol, "balance-available"); got != "1.5" {
		t.Errorf("the balance shows %q, want 1.5", got)
	}
	screenshot(t, vol, "balance")
}

// worldPhoneOf is the phone number newWorld registered the person with.
func worldPhoneOf(who string) string { return fmt.Sprintf("1380000%04d", indexOf(people, who)) }
