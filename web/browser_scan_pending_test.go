package web

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"timebank/pkg/activity"
	"timebank/pkg/chinatime"
	who "timebank/pkg/principal"
	"timebank/pkg/qr"
)

// The first scan from WeChat: a phone that is not signed in opens the kiosk's code, and signing in
// takes longer than the code lives. The scan is held when it is made and, once the volunteer has
// signed in, made as of that moment: the check-in, and later the check-out, carry the times of the
// scans, not of the sign-ins. The held scan is used once. The recording service's clock is moved
// by hand, so that minutes pass without the test waiting for them.
func TestBrowserScanBeforeSignIn(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d, clk := activityBrowserApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	clk.Set(time.Now().Add(10 * time.Minute).Truncate(time.Minute))
	act := newWalkInActivity(t, d, clk, w.a.ID, "河道清洁")

	vol := newChrome(t)
	phone(t, vol)
	scannedIn := clk.Now()
	in, err := d.Activities.KioskCode(ctx, act.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	visit(t, vol, in.URL)
	if got := textOf(t, vol, "scan-pending"); !strings.Contains(got, clock(scannedIn)) || !strings.Contains(got, "河道清洁") {
		t.Errorf("the sign-in page's note of the held scan: %q", got)
	}
	screenshot(t, vol, "1-held")

	// Four minutes later the kiosk's code has long expired: opened now, it would be refused.
	clk.Set(scannedIn.Add(4 * time.Minute))
	if _, err := d.Activities.HoldScan(qr.FromScan(in.Token)); !errors.Is(err, qr.ErrExpired) {
		t.Fatalf("the kiosk's code four minutes on: %v", err)
	}
	fill(t, vol, "f-phone", worldPhoneOf(volunteer), "f-password", testPassword)
	submitAndWait(t, vol, "login-submit", "scan-result")
	if got := textOf(t, vol, "page-title"); got != "签到成功" {
		t.Fatalf("after signing in: %q (%s)", got, textOf(t, vol, "scan-detail"))
	}
	if got := textOf(t, vol, "scan-detail"); got != clock(scannedIn)+" 签到" {
		t.Errorf("the check-in's time: %q, want the scan's %s", got, clock(scannedIn))
	}
	screenshot(t, vol, "2-checked-in")
	checkInAt := attendanceTimes(t, d, act.ID, w.users[volunteer])
	if !checkInAt[0].Equal(scannedIn) || !checkInAt[1].IsZero() {
		t.Errorf("the attendance: %v, want check-in at %v", checkInAt, scannedIn)
	}

	// The held scan is gone: the page that makes it finds nothing to make.
	visit(t, vol, base+pendingPathForTest)
	if got := textOf(t, vol, "page-title"); got != "没有待完成的扫码" {
		t.Errorf("a second use of the held scan: %q", got)
	}

	// Ninety minutes on, signed out, the volunteer scans the check-out code and signs in later.
	step(t, vol, "sign out", inMenu("logout"), chromedp.WaitVisible(chromedp.ID("header-login")))
	clk.Set(scannedIn.Add(90 * time.Minute))
	scannedOut := clk.Now()
	out, err := d.Activities.KioskCode(ctx, act.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	visit(t, vol, out.URL)
	if got := textOf(t, vol, "scan-pending"); !strings.Contains(got, "签退") {
		t.Errorf("the held check-out's note: %q", got)
	}
	clk.Set(scannedOut.Add(3 * time.Minute))
	fill(t, vol, "f-phone", worldPhoneOf(volunteer), "f-password", testPassword)
	submitAndWait(t, vol, "login-submit", "scan-result")
	if got := textOf(t, vol, "page-title"); got != "签退成功" {
		t.Fatalf("after signing in to check out: %q (%s)", got, textOf(t, vol, "scan-detail"))
	}
	if got := textOf(t, vol, "scan-detail"); !strings.HasPrefix(got, clock(scannedIn)+" 签到，"+clock(scannedOut)+" 签退") {
		t.Errorf("the check-out: %q", got)
	}
	screenshot(t, vol, "3-checked-out")
	times := attendanceTimes(t, d, act.ID, w.users[volunteer])
	if !times[1].Equal(scannedOut) {
		t.Errorf("checked out at %v, want the scan's %v", times[1], scannedOut)
	}
}

// A person new to the service scans, in English, on a counter-sized screen as well as a phone:
// the sign-in page leads to the short registration (phone and its code, name, password, and consent
// to the privacy notice; no ID number), which keeps the held scan and makes it.
func TestBrowserScanThenRegister(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	for _, width := range []int64{phoneWidth, pcWidth} {
		t.Run(map[int64]string{phoneWidth: "phone", pcWidth: "pc"}[width], func(t *testing.T) {
			base, d, clk := activityBrowserApp(t)
			w := newWorld(t, d)
			clk.Set(time.Now().Add(10 * time.Minute).Truncate(time.Minute))
			act := newWalkInActivity(t, d, clk, w.a.ID, "Riverside clean-up")
			in, err := d.Activities.KioskCode(context.Background(), act.ID, false)
			if err != nil {
				t.Fatal(err)
			}
			vol := newChrome(t)
			if width == phoneWidth {
				phone(t, vol)
			}
			visit(t, vol, base+"/login")
			step(t, vol, "switch to English", inMenu("lang-en"),
				chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #page-title`)))
			scanned := clk.Now()
			visit(t, vol, in.URL)
			clk.Set(scanned.Add(6 * time.Minute))
			submitAndWait(t, vol, "to-register", "register-code-form")
			if got := textOf(t, vol, "scan-pending"); !strings.Contains(got, "check-in scan at "+clock(scanned)) {
				t.Errorf("the registration page's note: %q", got)
			}
			fill(t, vol, "f-phone", "139 0571 2026")
			submitAndWait(t, vol, "register-send-code", "register-code-sent")
			if got := textOf(t, vol, "scan-pending"); !strings.Contains(got, "check-in scan at "+clock(scanned)) {
				t.Errorf("the code step's note: %q", got)
			}
			if n := countOf(t, vol, "#f-resident_id"); n != 0 {
				t.Error("the short registration asks for the ID number")
			}
			fill(t, vol, "f-code", regCode(t, d, "13905712026"), "f-name", "Lin Hua", "f-password", "west-lake-morning-26")
			submitAndWait(t, vol, "register-submit", "error-summary")
			if got := textOf(t, vol, "error-summary"); !strings.Contains(got, "privacy notice") {
				t.Errorf("registering without consent: %q", got)
			}
			screenshot(t, vol, "1-consent-missing")
			fill(t, vol, "f-password", "west-lake-morning-26")
			step(t, vol, "agree to the privacy notice", chromedp.Click(chromedp.ID("f-privacy_consent")))
			submitAndWait(t, vol, "register-submit", "scan-result")
			if got := textOf(t, vol, "page-title"); got != "You are checked in" {
				t.Fatalf("after registering: %q (%s)", got, textOf(t, vol, "scan-detail"))
			}
			if got := textOf(t, vol, "scan-detail"); !strings.Contains(got, clock(scanned)) {
				t.Errorf("the check-in's time: %q, want the scan's %s", got, clock(scanned))
			}
			screenshot(t, vol, "2-checked-in")
		})
	}
}

// pendingPathForTest is where the pages make a held scan.
const pendingPathForTest = "/scan"

// newWalkInActivity creates an activity that began five minutes ago (on the test's clock), open to
// anyone who comes without signing up.
func newWalkInActivity(t *testing.T, d services, clk *actClock, orgID int64, title string) activity.Activity {
	t.Helper()
	as, err := d.Activities.CreateActivities(context.Background(), &who.Principal{Name: "王队长"}, activity.NewActivity{
		OrgID: orgID, Title: title, Content: "清理河岸垃圾", Category: "environment", Address: "硖石街道洛塘河东岸",
		StartsAt: clk.Now().Add(-5 * time.Minute), EndsAt: clk.Now().Add(3 * time.Hour), LeaderName: "王队长"})
	if err != nil {
		t.Fatal(err)
	}
	return as[0]
}

// attendanceTimes returns the volunteer's check-in and check-out times at the activity (zero for
// none), from the database.
func attendanceTimes(t *testing.T, d services, activityID, userID int64) [2]time.Time {
	t.Helper()
	var in, out *time.Time
	if err := d.DB.QueryRow(`SELECT check_in_at, check_out_at FROM attendances WHERE activity_id = $1 AND user_id = $2`,
		activityID, userID).Scan(&in, &out); err != nil {
		t.Fatal(err)
	}
	var got [2]time.Time
	if in != nil {
		got[0] = *in
	}
	if out != nil {
		got[1] = *out
	}
	return got
}

// clock is a time of day as the pages write it, in China Standard Time.
func clock(t time.Time) string { return t.In(chinatime.Zone()).Format("15:04") }

// countOf counts the elements the CSS selector finds on the tab's page.
func countOf(t *testing.T, ctx context.Context, css string) int {
	t.Helper()
	return int(evalNumber(t, ctx, "count "+css, `document.querySelectorAll('`+css+`').length`))
}

// evalNumber evaluates a JavaScript expression that gives a number on the tab's page.
func evalNumber(t *testing.T, ctx context.Context, what, expression string) float64 {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[float64](expression))
	if err != nil {
		t.Fatalf("browser: %s: %v", what, err)
	}
	return v
}
