package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"timebank/pkg/activity"
	who "timebank/pkg/principal"
)

// Correcting a record in two browsers. The volunteer, on a phone, disputes a verified record; the
// coordinator, at a PC, finds it among the open disputes, opens the record, reads what an amendment
// does and amends it; the record page also fits a 360 px phone. The volunteer's records then show
// the new time and the record its second version with the coordinator's reason.
func TestBrowserActivityCorrection(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d, clk := activityBrowserApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	start := time.Now().Add(10 * time.Minute).Truncate(time.Minute)
	clk.Set(start.Add(-time.Minute))
	as, err := d.Activities.CreateActivities(ctx, &who.Principal{Name: "王队长"}, activity.NewActivity{
		OrgID: w.a.ID, Title: "敬老院陪伴", Content: "陪老人聊天、读报", Category: "elderly", Address: "硖石街道东山社区敬老院",
		StartsAt: start, EndsAt: start.Add(3 * time.Hour), LeaderName: "王队长"})
	if err != nil {
		t.Fatal(err)
	}
	att := fixScanned(t, d, clk, as[0].ID, w.users[volunteer], start, start.Add(time.Hour))
	res, err := d.Activities.Verify(ctx, who.Operator(), activity.VerifyRequest{IDs: []int64{att.ID},
		Action: activity.ActionApprove})
	if err != nil {
		t.Fatal(err)
	}
	rec := res[0].Record.ID

	coord := newChrome(t)
	vol := newTab(t, coord)
	phone(t, vol)
	signInWith(t, vol, base, worldPhoneOf(volunteer), testPassword)
	visit(t, vol, fmt.Sprintf("%s/me/records/%d", base, rec))
	// An empty textarea cannot be cleared (fill clears first): type into it.
	step(t, vol, "give the reason", chromedp.SendKeys(chromedp.ID("f-reason"), "我待到了十一点，少记了一小时"))
	submitAndWait(t, vol, "dispute-submit", "dispute-pending")
	screenshot(t, vol, "disputed")

	r, err := d.Activities.Record(ctx, rec)
	if err != nil || len(r.Disputes) != 1 {
		t.Fatalf("the dispute: %v %+v", err, r.Disputes)
	}
	signInWith(t, coord, base, worldPhoneOf(coordA), testPassword)
	visit(t, coord, base+"/activities/manage")
	submitAndWait(t, coord, "manage-disputes", fmt.Sprintf("open-dispute-%d", r.Disputes[0].ID))
	if got := textOf(t, coord, fmt.Sprintf("open-dispute-%d", r.Disputes[0].ID)); !strings.Contains(got, "少记了一小时") {
		t.Errorf("the open dispute: %q", got)
	}
	screenshot(t, coord, "open-disputes")
	submitAndWait(t, coord, fmt.Sprintf("dispute-link-%d", r.Disputes[0].ID), "amend-form")
	if got := textOf(t, coord, "amend-effect"); !strings.Contains(got, "冲正第 1 版的入账，收回") || !strings.Contains(got, "更正后为第 2 版") {
		t.Errorf("what the amendment does: %q", got)
	}
	screenshot(t, coord, "record-disputed")
	step(t, coord, "amend", chromedp.SendKeys(chromedp.ID("f-minutes"), "120"),
		chromedp.SendKeys(chromedp.ID("f-reason"), "签到表核实：9点到11点"))
	submitAndWait(t, coord, "amend-submit", "notice")
	if got := textOf(t, coord, "notice"); !strings.Contains(got, "记录已更正") {
		t.Errorf("after amending: %q", got)
	}
	if got := textAt(t, coord, "#revision-2"); !strings.Contains(got, "60 → 120") || !strings.Contains(got, "上一版的入账已冲正收回") {
		t.Errorf("the second version: %q", got)
	}
	screenshot(t, coord, "record-amended")
	phone(t, coord)
	visit(t, coord, fmt.Sprintf("%s/records/%d", base, rec))
	if got := evalString(t, coord, "the page's width", `String(document.documentElement.scrollWidth)`); got != fmt.Sprint(phoneWidth) {
		t.Errorf("the record page on a phone is %s px wide", got)
	}
	screenshot(t, coord, "record-amended-phone")

	visit(t, vol, base+"/me/records")
	waitFor(t, vol, "the records show the new time", `document.querySelector('[data-minutes="120"]') !== null`)
	screenshot(t, vol, "records-after")
	visit(t, vol, fmt.Sprintf("%s/me/records/%d", base, rec))
	if got := textOf(t, vol, "record-hours"); !strings.HasPrefix(got, "2") {
		t.Errorf("the record's hours: %q", got)
	}
	step(t, vol, "the history", chromedp.WaitVisible(chromedp.CSS(`[data-testid="record-disputes"]`)))
	if got := textAt(t, vol, `section[aria-labelledby="record-history"] tbody tr:last-child`); !strings.Contains(got, "签到表核实") {
		t.Errorf("the volunteer's history: %q", got)
	}
	screenshot(t, vol, "record-after")
}
