package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	who "timebank/pkg/principal"
	"timebank/pkg/servicedesk"
)

// Cancelling on the pages: the resident on their own page (opened by the key of their link, kept in
// its cookie) with an optional reason, in Chinese and in English; another resident's cookie cancels
// nothing; the team's coordinator cancels from the dispatch, and a confirmed request cannot be.
func TestPagesServiceCancel(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	code := deskCode(t, d, w)
	ask := func(key string) servicedesk.Created {
		c, err := d.ServiceDesk.Create(ctx, who.Operator(), key, servicedesk.NewRequest{DeskCode: code, Category: "meal",
			WantedAt: time.Now().Add(24 * time.Hour), Address: "东山路 18 号", Phone: "13812340001", ForSelf: true})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	status := func(id int64) string {
		var s string
		if err := d.DB.Get(&s, `SELECT status FROM service_requests WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		return s
	}
	resident := func(c servicedesk.Created, lang string) *browser {
		b := newBrowser(t, app)
		b.lang = lang
		if r := b.get("/service/r/" + c.Access); r.status != 303 {
			t.Fatalf("the link: %d", r.status)
		}
		return b
	}
	mine, other, coordinated := ask("p1"), ask("p2"), ask("p3")
	path := minePathOf(mine.Request.ID)

	zh := resident(mine, "zh-CN")
	page := zh.get(path)
	if page.status != 200 || !strings.Contains(page.body, `data-testid="svc-cancel-form"`) || !strings.Contains(page.body, "取消这次服务") {
		t.Fatalf("the resident's page has no cancel form: %d", page.status)
	}
	en := resident(mine, "en")
	if p := en.get(path); !strings.Contains(p.body, "Cancel this request") || !strings.Contains(p.body, "Reason (optional)") {
		t.Fatal("the resident's page in English has no cancel form")
	}

	// Someone holding another request's key cannot cancel this one.
	stranger := resident(other, "zh-CN")
	if r := stranger.submit(path+"/cancel", url.Values{"reason": {"不要了"}}); r.status != 404 {
		t.Fatalf("another resident's cancel: %d", r.status)
	}
	if s := status(mine.Request.ID); s != servicedesk.StatusSubmitted {
		t.Fatalf("after another resident's try the request is %s", s)
	}

	r := zh.submit(path+"/cancel", url.Values{"reason": {"家人回来了"}})
	if r.status != 303 || r.location() != path+"?notice=service-cancelled" {
		t.Fatalf("the resident's cancel: %d %q", r.status, r.location())
	}
	page = zh.get(r.location())
	for _, want := range []string{"服务已取消，我们已通知志愿者。", `data-testid="svc-cancelled"`, "家人回来了", `data-status="cancelled"`, "已取消"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the cancelled page lacks %q", want)
		}
	}
	if strings.Contains(page.body, `data-testid="svc-cancel-form"`) || strings.Contains(page.body, `id="svc-visit-code"`) {
		t.Error("the cancelled page still offers cancelling or the door code")
	}
	if r := zh.submit(path+"/cancel", url.Values{}); r.status != 303 {
		t.Fatalf("cancelling again: %d", r.status)
	}
	if p := en.get(path); !strings.Contains(p.body, "This request was cancelled.") || !strings.Contains(p.body, ">Cancelled<") {
		t.Error("the cancelled page in English")
	}

	// The coordinator, from the dispatch.
	coord := signedInAs(t, app, coordA)
	dispatch := "/orgs/" + id(w.a.ID) + "/service"
	if p := coord.get(dispatch); !strings.Contains(p.body, `action="`+dispatch+"/"+id(coordinated.Request.ID)+`/cancel"`) {
		t.Fatal("the dispatch offers no cancel for a waiting request")
	}
	if r := coord.submit(dispatch+"/"+id(coordinated.Request.ID)+"/cancel", url.Values{"reason": {"重复提交"}}); r.status != 303 ||
		status(coordinated.Request.ID) != servicedesk.StatusCancelled {
		t.Fatalf("the coordinator's cancel: %d, %s", r.status, status(coordinated.Request.ID))
	}
	if p := coord.get(dispatch); strings.Contains(p.body, `action="`+dispatch+"/"+id(coordinated.Request.ID)+`/cancel"`) ||
		!strings.Contains(p.body, "重复提交") {
		t.Error("the dispatch still offers cancelling a cancelled request, or hides its reason")
	}

	// A confirmed request: the page answers the problem, nothing changes.
	if _, err := d.DB.Exec(`UPDATE service_requests SET status = 'finished', volunteer_id = $2, assigned_by = 'test',
    assigned_at = now(), accepted_at = now(), started_at = now() - interval '1 hour', finished_at = now()
WHERE id = $1`, other.Request.ID, w.users[coordA]); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ServiceDesk.Confirm(ctx, other.Request.ID, servicedesk.Confirmation{Access: other.Access}); err != nil {
		t.Fatal(err)
	}
	if r := stranger.submit(minePathOf(other.Request.ID)+"/cancel", url.Values{}); r.status != 409 || !strings.Contains(r.body, "<html") {
		t.Fatalf("cancelling a confirmed request on its page: %d", r.status)
	}
	if s := status(other.Request.ID); s != servicedesk.StatusConfirmed {
		t.Fatalf("a refused cancel left the request %s", s)
	}
}

func minePathOf(id int64) string { return "/service/mine/" + strconv.FormatInt(id, 10) }
