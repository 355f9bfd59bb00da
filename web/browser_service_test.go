package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	who "timebank/pkg/principal"
	"timebank/pkg/servicedesk"
)

// 幸福管家 from end to end on phones: a resident asks for 助餐 on the community's printed code (an
// SMS code proves the phone), a volunteer of the team takes it, scans the request's code at the door
// and finishes; the resident confirms and rates; the volunteer's balance rises live by the service's
// time. The services' clock is moved by hand, so that the service lasts without the test waiting.
func TestBrowserServiceRequest(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d, clk := activityBrowserApp(t)
	texts := &texts{sent: map[string][]string{}}
	d.SMS = texts
	d.ServiceDesk = servicedesk.NewService(d.DB, d.Ledger, d.Activities, d.Sealed, d.Codes,
		servicedesk.Options{BaseURL: base, Now: clk.Now})
	w := newWorld(t, d)
	ctx := context.Background()
	clk.Set(time.Now().Truncate(time.Minute))
	desk, err := d.ServiceDesk.CreateDesk(ctx, who.Operator(), servicedesk.NewDesk{OrgID: w.a.ID, RegionCode: w.regionIn, Name: "硖石幸福管家"})
	if err != nil {
		t.Fatal(err)
	}
	code, err := d.ServiceDesk.Code(desk)
	if err != nil {
		t.Fatal(err)
	}

	// The resident, on a phone, asks.
	res := newChrome(t)
	phone(t, res)
	visit(t, res, code.URL)
	if got := textOf(t, res, "page-title"); got != "请求上门服务" {
		t.Fatalf("the desk's code opens %q", got)
	}
	screenshot(t, res, "1-ask")
	step(t, res, "choose 助餐", chromedp.Click(chromedp.CSS(`input[value="meal"]`)))
	fill(t, res, "f-address", "东山路 18 号 3 单元 502 室", "f-phone", "13812345678")
	submitAndWait(t, res, "svc-send-code", "svc-code-sent")
	sms := texts.code("13812345678")
	if sms == "" {
		t.Fatal("no SMS code sent")
	}
	fill(t, res, "f-sms_code", sms)
	screenshot(t, res, "2-filled")
	submitAndWait(t, res, "svc-ask-submit", "svc-visit-code")
	if got := textOf(t, res, "svc-what"); !strings.Contains(got, "助餐") {
		t.Errorf("the resident's page: %q", got)
	}
	screenshot(t, res, "3-asked")
	mine, err := chromedp.Run(res, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	var reqID int64
	if err := d.DB.Get(&reqID, `SELECT id FROM service_requests`); err != nil {
		t.Fatal(err)
	}

	// A volunteer of the team takes it, with their balance open.
	vol := newChrome(t)
	phone(t, vol)
	signInWith(t, vol, base, worldPhoneOf(volunteer), testPassword)
	visit(t, vol, base+"/service/tasks")
	step(t, vol, "take", chromedp.Click(chromedp.CSS(`[data-testid="svc-take"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="svc-task"][data-status="accepted"]`)))
	screenshot(t, vol, "4-taken")

	// At the door, the volunteer scans the code the resident shows; 50 minutes later it is done.
	door, err2 := d.ServiceDesk.VisitCode(context.Background(), reqID)
	if err2 != nil {
		t.Fatal(err2)
	}
	openPage(t, vol, door.URL)
	submitAndWait(t, vol, "svc-start", "svc-tasks")
	clk.Set(clk.Now().Add(50 * time.Minute))
	fill(t, vol, "svc-note-"+id(reqID), "已送餐，老人精神不错")
	step(t, vol, "finish", chromedp.Click(chromedp.CSS(`[data-testid="svc-finish"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="svc-task"][data-status="finished"]`)))
	screenshot(t, vol, "5-finished")
	visit(t, vol, base+"/me/balance")
	waitFor(t, vol, "the balance before", `document.getElementById('balance-available').dataset.minutes === '0'`)

	// The resident confirms and rates; the volunteer's balance rises by 45 minutes (50 rounded down
	// to quarter hours by the default policy) without reloading.
	openPage(t, res, mine)
	submitAndWait(t, res, "svc-confirm", "svc-rate-form")
	screenshot(t, res, "6-confirmed")
	waitFor(t, vol, "the balance rises live", `document.getElementById('balance-available').dataset.minutes === '45'`)
	screenshot(t, vol, "7-balance")
	step(t, res, "five stars", chromedp.Click(chromedp.CSS(`[data-testid="svc-star-5"]`)))
	fill(t, res, "f-comment", "小伙子很耐心")
	submitAndWait(t, res, "svc-rate", "svc-rated")
	screenshot(t, res, "8-rated")

	// The team's coordinator, on a laptop, sees the rating with its count and publishes the comment.
	coord := newChrome(t)
	signInWith(t, coord, base, worldPhoneOf(coordA), testPassword)
	visit(t, coord, base+"/orgs/"+id(w.a.ID)+"/service")
	if got := textOf(t, coord, "svc-standing"); !strings.Contains(got, "5.0 / 5") || !strings.Contains(got, "评价数： 1") {
		t.Errorf("the team's ratings: %q", got)
	}
	step(t, coord, "the request in the dispatch", chromedp.WaitVisible(chromedp.CSS(`[data-testid="svc-request"][data-status="confirmed"]`)))
	screenshot(t, coord, "9-dispatch")
	step(t, coord, "publish the comment", chromedp.Click(chromedp.CSS(`#svc-requests form[action$="/publish"] button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#svc-requests form[action$="/publish"]`)))
	// The organization's page shows its standing with residents beside everything else it does.
	visit(t, coord, base+"/orgs/"+id(w.a.ID))
	if got := textOf(t, coord, "svc-standing"); !strings.Contains(got, "5.0 / 5") || !strings.Contains(got, "小伙子很耐心") {
		t.Errorf("the organization page's ratings: %q", got)
	}
	screenshot(t, coord, "10-org-standing")
	var n int
	if err := d.DB.Get(&n, `SELECT count(*) FROM service_records WHERE user_id = $1`, w.users[volunteer]); err != nil || n != 1 {
		t.Fatalf("%d records of the volunteer, %v", n, err)
	}

	// The resident's pages in English, on a phone of their own (so the flow above keeps its time): the
	// form the desk's code opens, a request waiting with the code to show at the door (asked by the
	// coordinator for a resident), and the rated request.
	en := newChrome(t)
	phone(t, en)
	useLang(t, en, base, "en")
	visit(t, en, code.URL)
	screenshot(t, en, "1-ask-en")
	coordP, err := d.Users.Principal(ctx, w.users[coordA])
	if err != nil {
		t.Fatal(err)
	}
	waiting, err := d.ServiceDesk.Create(ctx, coordP.Actor(), "english-door", servicedesk.NewRequest{DeskCode: code.Token,
		Category: "meal", WantedAt: clk.Now().Add(time.Hour), Address: "东山路 20 号", Phone: "13812345679"})
	if err != nil {
		t.Fatal(err)
	}
	openPage(t, en, base+"/service/r/"+waiting.Access)
	if got := textOf(t, en, "svc-what"); !strings.Contains(got, "Meals") {
		t.Errorf("the resident's page in English: %q", got)
	}
	step(t, en, "the code for the door", chromedp.WaitVisible(chromedp.ID("svc-visit-code")))
	screenshot(t, en, "3-asked-en")
	openPage(t, en, mine)
	screenshot(t, en, "8-rated-en")
}

// openPage opens a URL whose page is not sure to have a title heading the test waits for.
func openPage(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	step(t, ctx, "open "+url, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body")))
}
