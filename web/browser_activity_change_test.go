package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"timebank/pkg/activity"
	who "timebank/pkg/principal"
)

// pcWideWidth is a common laptop screen, wider than the counter PC the browser starts as.
const pcWideWidth, pcWideHeight = 1366, 768

// useLang makes the tab's next pages come in the language, as the language switch would (its
// cookie), whatever the header shows the switch in.
func useLang(t *testing.T, ctx context.Context, base, lang string) {
	t.Helper()
	httpOnly := true
	step(t, ctx, "use "+lang, chromedp.Func(func(c context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(c, tg, network.SetCookie, network.SetCookieParams{Name: "lang", Value: lang, URL: base + "/",
			HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteLax})
		return err
	}))
}

// useWidth makes the tab a 360 px phone or a desktop screen of the width.
func useWidth(t *testing.T, ctx context.Context, width int) {
	t.Helper()
	if width == phoneWidth {
		phone(t, ctx)
		return
	}
	step(t, ctx, fmt.Sprintf("a %d px screen", width), chromedp.EmulateViewport(int64(width), pcWideHeight))
}

// fitsWidth checks that the page needs no sideways scrolling.
func fitsWidth(t *testing.T, ctx context.Context, what string, width int) {
	t.Helper()
	if got := evalString(t, ctx, what+" width", `String(document.documentElement.scrollWidth)`); got != fmt.Sprint(width) {
		t.Errorf("%s is %s px wide on a %d px screen", what, got, width)
	}
}

// A coordinator changes and cancels an activity in the browser. From the activities page they open
// the edit form, empty the title and the place (the errors show beside the fields, the rest as
// typed), then save a new title; the edit form, the cancel confirmation and the activity's page are
// shot at 360 px and 1366 px in Chinese and English. The cancel form refuses an unticked box, then
// cancels; the volunteer, on a phone, reads that it was cancelled and why.
func TestBrowserActivityChange(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d, _ := activityBrowserApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	start := time.Now().Add(3 * time.Hour).Truncate(time.Minute)
	lat, lng, capacity, radius := 30.5275, 120.6892, 20, 300
	as, err := d.Activities.CreateActivities(ctx, &who.Principal{Name: "王队长"}, activity.NewActivity{
		OrgID: w.a.ID, Title: "敬老院陪伴", Content: "陪老人聊天、读报；打扫活动室。", Category: "elderly",
		Address: "硖石街道东山社区敬老院", Latitude: &lat, Longitude: &lng, RadiusM: &radius, StartsAt: start,
		EndsAt: start.Add(3 * time.Hour), Capacity: &capacity, LeaderName: "王队长", PeopleServed: "社区独居老人"})
	if err != nil {
		t.Fatal(err)
	}
	a := as[0]
	if _, _, err := d.Activities.SignUp(ctx, a.ID, w.users[volunteer]); err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprint(a.ID)

	coord := newChrome(t)
	signInWith(t, coord, base, worldPhoneOf(coordA), testPassword)
	useWidth(t, coord, pcWideWidth)
	visit(t, coord, base+"/activities/manage")
	submitAndWait(t, coord, "edit-link-"+id, "edit-activity-form")
	if got := evalString(t, coord, "the title as it is", `document.getElementById('f-title').value`); got != "敬老院陪伴" {
		t.Errorf("the form's title: %q", got)
	}
	fill(t, coord, "f-title", " ", "f-address", " ", "f-people_served", "社区独居老人和残疾人")
	submitAndWait(t, coord, "edit-activity-submit", "error-summary")
	if got := textOf(t, coord, "f-title-error"); !strings.Contains(got, "必填") {
		t.Errorf("the title's error: %q", got)
	}
	if got := evalString(t, coord, "what was typed", `document.getElementById('f-people_served').value`); got != "社区独居老人和残疾人" {
		t.Errorf("the form forgot what was typed: %q", got)
	}
	screenshot(t, coord, "edit-errors-zh-CN-1366")
	if got, _ := d.Activities.Activity(ctx, a.ID); got.Revision != 1 {
		t.Fatalf("a refused form changed the activity: %+v", got)
	}
	fill(t, coord, "f-title", "敬老院陪伴（改地点）", "f-address", "硖石街道西山社区敬老院")
	submitAndWait(t, coord, "edit-activity-submit", "notice")
	if got := textOf(t, coord, "page-title"); !strings.Contains(got, "敬老院陪伴（改地点）") {
		t.Errorf("after the change: %q", got)
	}

	for _, lang := range []string{"zh-CN", "en"} {
		useLang(t, coord, base, lang)
		for _, width := range []int{phoneWidth, pcWideWidth} {
			useWidth(t, coord, width)
			for _, p := range []struct{ name, path, shown string }{
				{"edit", "/activities/" + id + "/edit", "edit-activity-submit"},
				{"cancel", "/activities/" + id + "/cancellation", "call-off-submit"},
				{"detail", "/activities/" + id, "detail-map"},
			} {
				visit(t, coord, base+p.path)
				step(t, coord, p.name+" shows its action", chromedp.WaitVisible(chromedp.ID(p.shown)),
					chromedp.WaitVisible(chromedp.CSS(`html[lang="`+lang+`"]`)))
				fitsWidth(t, coord, p.name, width)
				screenshot(t, coord, fmt.Sprintf("%s-%s-%d", p.name, lang, width))
			}
		}
	}
	if got := textOf(t, coord, "detail-when"); !strings.Contains(got, start.In(actCST).Weekday().String()) {
		t.Errorf("the time on the English page has no weekday: %q", got)
	}

	useLang(t, coord, base, "zh-CN")
	useWidth(t, coord, pcWideWidth)
	visit(t, coord, base+"/activities/"+id+"/cancellation")
	step(t, coord, "give the reason", chromedp.SendKeys(chromedp.ID("f-reason"), "暴雨预警，活动改到下周"))
	submitAndWait(t, coord, "call-off-submit", "f-confirm-error")
	if got := evalString(t, coord, "the reason kept", `document.getElementById('f-reason').value`); got != "暴雨预警，活动改到下周" {
		t.Errorf("the reason after a refusal: %q", got)
	}
	screenshot(t, coord, "cancel-unconfirmed-zh-CN-1366")
	step(t, coord, "tick the box", chromedp.Click(chromedp.ID("f-confirm")))
	submitAndWait(t, coord, "call-off-submit", "notice")
	if got := textOf(t, coord, "notice"); !strings.Contains(got, "活动已取消") {
		t.Errorf("after cancelling: %q", got)
	}
	if got, _ := d.Activities.Activity(ctx, a.ID); got.Status != activity.StatusActivityCancelled {
		t.Fatalf("not cancelled: %+v", got)
	}

	vol := newTab(t, coord)
	phone(t, vol)
	signInWith(t, vol, base, worldPhoneOf(volunteer), testPassword)
	visit(t, vol, base+"/me/activities")
	submitAndWait(t, vol, "detail-link-"+id, "detail-cancelled")
	if got := textOf(t, vol, "detail-cancel-reason"); got != "暴雨预警，活动改到下周" {
		t.Errorf("the reason the volunteer reads: %q", got)
	}
	fitsWidth(t, vol, "the cancelled activity", phoneWidth)
	screenshot(t, vol, "detail-cancelled-zh-CN-360")
}
