package web

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"timebank/pkg/activity"
	"timebank/pkg/certificate"
	who "timebank/pkg/principal"
	"timebank/pkg/store"
)

// Everyone's home shows what needs them. A coordinator sees, per organization, the attendances to
// verify with those near their deadline highlighted, the open disputes, the certificate requests to
// answer (their deadlines are counted as the records' are: see TestWaitingRequests), and the
// activities coming, each linking where the work is done;
// a clerk sees the orders to hand out and the items running low at their store; a volunteer sees
// their time credits, their sign-ups and their unread notices, and none of the staff's counts. In
// both languages.
func TestHomeShowsWhatNeedsThem(t *testing.T) {
	app, d, clk := newActivityApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	lead := &who.Principal{Name: "王队长"}
	newActivity := func(title string, starts time.Time) activity.Activity {
		t.Helper()
		as, err := d.Activities.CreateActivities(ctx, lead, activity.NewActivity{OrgID: w.a.ID, Title: title,
			Content: "清理河岸", Category: "environment", Address: "洛塘河东岸", StartsAt: starts,
			EndsAt: starts.Add(3 * time.Hour), LeaderName: "王队长"})
		if err != nil {
			t.Fatal(err)
		}
		return as[0]
	}
	past := newActivity("河道清洁", actDay) // Monday 10 March 2025: records due by the end of 24 March
	coming := newActivity("敬老院探访", actDay.AddDate(0, 1, 0))
	vol := w.users[volunteer]
	if _, _, err := d.Activities.SignUp(ctx, coming.ID, vol); err != nil {
		t.Fatal(err)
	}
	scan := func(userID int64, out bool) activity.Attendance {
		t.Helper()
		code, err := d.Activities.KioskCode(ctx, past.ID, out)
		if err != nil {
			t.Fatal(err)
		}
		res, err := d.Activities.ScanKiosk(ctx, userID, activity.Scan{Token: code.Token})
		if err != nil {
			t.Fatal(err)
		}
		return res.Attendance
	}
	clk.Set(actDay.Add(10 * time.Minute))
	scan(vol, false)
	scan(w.spare.ID, false)
	clk.Set(actDay.Add(100 * time.Minute))
	att := scan(vol, true)
	scan(w.spare.ID, true)
	res, err := d.Activities.Verify(ctx, lead, activity.VerifyRequest{IDs: []int64{att.ID}, Action: activity.ActionApprove})
	if err != nil || res[0].Record == nil {
		t.Fatalf("approve: %+v %v", res, err)
	}
	if _, err := d.Certificates.Apply(ctx, &who.Principal{UserID: vol, Name: "志愿者"},
		certificate.NewRequest{UserID: vol, OrgID: w.a.ID, Purpose: certificate.PurposeSchool}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Activities.Dispute(ctx, vol, res[0].Record.ID, "少记了半小时"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Store.CreateItem(ctx, storeOperator, w.sa.ID, store.NewItem{Name: "五常大米", Category: "grain_oil",
		Unit: "袋", Price: 90, LowStock: 2}); err != nil {
		t.Fatal(err)
	}
	clk.Set(time.Date(2025, 3, 21, 10, 0, 0, 0, actCST)) // Friday: the records are due on Monday

	a := id(w.a.ID)
	coord := actSignIn(t, app, coordA)
	home := coord.get("/")
	actWantPage(t, "the coordinator's home", home, 200,
		`id="need-work"`, `href="/activities/manage#org-`+a+`" id="need-verify-`+a+`" data-testid="need-verify-`+a+`" data-count="1"`,
		"待核实的签到记录：1 条", `data-testid="need-verify-soon-`+a+`">即将到期 1 条`,
		`href="/activities/disputes#disputes-org-`+a+`"`, "待处理的异议：1 条",
		`href="/orgs/`+a+`/certificates/requests" id="need-certs-`+a+`"`, "待答复的证明申请：1 份",
		`id="need-activity-`+id(coming.ID)+`"`, `href="/activities/`+id(coming.ID)+`"`, "敬老院探访")
	if strings.Contains(home.body, `id="need-stores"`) || strings.Contains(home.body, `need-verify-overdue`) {
		t.Error("the coordinator's home shows a store, or calls records overdue that are not")
	}
	clk.Set(time.Date(2025, 3, 25, 10, 0, 0, 0, actCST))
	actWantPage(t, "after the deadline", coord.get("/"), 200, `data-testid="need-verify-overdue-`+a+`">已超期 1 条`)
	if r := coord.submit("/lang", url.Values{"lang": {"en"}, "next": {"/"}}); r.status != 303 {
		t.Fatalf("switching to English: %d", r.status)
	}
	actWantPage(t, "the coordinator's home in English", coord.get("/"), 200, "Waiting for you",
		"Attendances to verify: 1", "overdue: 1", "Disputes to answer: 1", "Certificate requests to answer: 1")

	sa := id(w.sa.ID)
	clerk := actSignIn(t, app, clerkSA)
	home = clerk.get("/")
	actWantPage(t, "the clerk's home", home, 200, `id="need-store-`+sa+`"`,
		`href="/stores/`+sa+`/counter" id="need-hand-`+sa+`" data-testid="need-hand-`+sa+`" data-count="0">没有待取货的订单`,
		`href="/stores/`+sa+`/stock" id="need-low-`+sa+`" data-testid="need-low-`+sa+`" data-count="1">库存不足的物品：1 种`)
	if strings.Contains(home.body, `id="need-work"`) {
		t.Error("the clerk's home shows an organization's work")
	}

	phone := actSignIn(t, app, volunteer)
	home = phone.get("/")
	actWantPage(t, "the volunteer's home", home, 200, `id="need-mine"`, `href="/me/balance" id="need-balance"`,
		"可用时间币：", `id="need-signup-`+id(coming.ID)+`"`, `href="/activities/`+id(coming.ID)+`"`,
		`href="/me/notifications" id="need-unread"`)
	for _, staff := range []string{`id="need-work"`, `id="need-stores"`} {
		if strings.Contains(home.body, staff) {
			t.Errorf("the volunteer's home shows %s", staff)
		}
	}
}
