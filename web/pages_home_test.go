package web

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// Everyone's home shows what needs them. A coordinator sees, per organization, the attendances to
// verify with those near their deadline highlighted, the open disputes, the certificate requests to
// answer (their deadlines are counted as the records' are: see TestWaitingRequests), and the
// activities coming, each linking where the work is done;
// a clerk sees the orders to hand out and the items running low at their store; a volunteer sees
// their time credits, their sign-ups and their unread notices, and none of the staff's counts. In
// both languages.
func TestHomeShowsWhatNeedsThem(t *testing.T) {
	t.Parallel()
	app, d, clk := newActivityApp(t)
	w := newWorld(t, d)
	coming := newHomeFixture(t, d, clk, w).coming
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
