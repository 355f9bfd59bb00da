package web

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	who "timebank/pkg/principal"
	"timebank/pkg/servicedesk"
)

// Cancelling a service request through the API: the resident with their own key in X-Access-Key
// (another request's key cancels nothing), a coordinator of the team without one; a volunteer who
// may not act for residents is refused; a cancel is idempotent, tells the volunteer who had taken
// the request, and a confirmed or unknown request answers a problem, never a 500.
func TestAPIServiceCancel(t *testing.T) {
	t.Parallel()
	fapp, d := newTestApp(t)
	a := svcAPI{app: fapp}
	w := newWorld(t, d)
	ctx := context.Background()
	code := deskCode(t, d, w)
	anon := []string{"Authorization", ""}
	as := func(who string) []string { return []string{"Authorization", "Bearer " + w.tokens[who]} }
	withKey := func(k string) []string { return append([]string{"X-Access-Key", k}, anon...) }
	ask := func(key string) servicedesk.Created {
		c, err := d.ServiceDesk.Create(ctx, &who.Principal{UserID: w.users[coordA], Name: coordA}, key, servicedesk.NewRequest{
			DeskCode: code, Category: "meal", WantedAt: time.Now().Add(time.Hour), Address: "东山路 18 号",
			Phone: "13800138000", ForSelf: true})
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
	problem := func(name string, r svcReply, st int, slug string) {
		t.Helper()
		if r.Status != st || r.Header.Get("Content-Type") != "application/problem+json" || !strings.HasSuffix(problemType(r), "/problems/"+slug) {
			t.Fatalf("%s: %s, want %d %s", name, r, st, slug)
		}
	}
	mine, other, done := ask("c1"), ask("c2"), ask("c3")
	path := func(c servicedesk.Created) string {
		return "/api/v1/service-requests/" + strconv.FormatInt(c.Request.ID, 10)
	}
	if r := a.do(t, "POST", path(mine)+"/take", "", as(volunteer)...); r.Status != 200 {
		t.Fatalf("take: %s", r)
	}

	problem("no key, nobody signed in", a.do(t, "POST", path(mine)+"/cancel", `{}`, anon...), 400, "invalid-request")
	problem("another request's key", a.do(t, "POST", path(mine)+"/cancel", `{"reason":"x"}`, withKey(other.Access)...), 404, "service-request-not-found")
	problem("a made-up key", a.do(t, "POST", path(mine)+"/cancel", `{}`, withKey(strconv.FormatInt(mine.Request.ID, 10)+"-forged")...), 404, "service-request-not-found")
	problem("a reason too long", a.do(t, "POST", path(mine)+"/cancel", `{"reason":"`+strings.Repeat("长", 301)+`"}`, withKey(mine.Access)...), 400, "invalid-request")
	problem("a volunteer without the key", a.do(t, "POST", path(mine)+"/cancel", `{}`, as(volunteer)...), 403, "forbidden")
	problem("no such request", a.do(t, "POST", "/api/v1/service-requests/987654/cancel", `{}`, as(coordA)...), 404, "service-request-not-found")
	if s := status(mine.Request.ID); s != servicedesk.StatusAccepted {
		t.Fatalf("after refused cancels the request is %s", s)
	}

	for range 2 {
		r := a.do(t, "POST", path(mine)+"/cancel", `{"reason":"家人已送饭"}`, withKey(mine.Access)...)
		var got servicedesk.Request
		if r.Status != fiber.StatusOK {
			t.Fatalf("the resident's cancel: %s", r)
		}
		r.decode(t, &got)
		if got.Status != servicedesk.StatusCancelled || got.CancelReason != "家人已送饭" || got.CancelledAt == nil || got.VolunteerID != nil {
			t.Fatalf("cancelled: %s", r)
		}
	}
	var told int
	if err := d.DB.Get(&told, `SELECT count(*) FROM notification_outbox WHERE user_id = $1 AND kind = 'service_cancelled'`,
		w.users[volunteer]); err != nil || told != 1 {
		t.Fatalf("the volunteer was told %d times (%v), want 1", told, err)
	}
	if r := a.do(t, "GET", "/api/v1/me/service-requests", "", as(volunteer)...); r.Status != 200 || strings.Contains(string(r.Raw), `"id":`+strconv.FormatInt(mine.Request.ID, 10)+`,`) {
		t.Fatalf("the volunteer's tasks still hold the cancelled request: %s", r)
	}

	if r := a.do(t, "POST", path(other)+"/cancel", `{}`, as(coordA)...); r.Status != 200 || status(other.Request.ID) != servicedesk.StatusCancelled {
		t.Fatalf("the coordinator's cancel: %s", r)
	}
	var by string
	if err := d.DB.Get(&by, `SELECT cancelled_by FROM service_requests WHERE id = $1`, other.Request.ID); err != nil ||
		by != "user:"+strconv.FormatInt(w.users[coordA], 10) {
		t.Fatalf("cancelled by %q (%v)", by, err)
	}

	visit, err := d.ServiceDesk.VisitCode(ctx, done.Request.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct{ path, body string }{{"/take", ""}, {"/start", `{"code":"` + visit.Token + `"}`}, {"/finish", `{"note":"送餐完成"}`}} {
		if r := a.do(t, "POST", path(done)+s.path, s.body, as(coordA)...); r.Status != 200 {
			t.Fatalf("%s: %s", s.path, r)
		}
	}
	if r := a.do(t, "POST", path(done)+"/confirm", `{"access":"`+done.Access+`"}`, anon...); r.Status != 200 {
		t.Fatalf("confirm: %s", r)
	}
	problem("a confirmed request", a.do(t, "POST", path(done)+"/cancel", `{}`, withKey(done.Access)...), 409, "service-request-wrong-step")
	if s := status(done.Request.ID); s != servicedesk.StatusConfirmed {
		t.Fatalf("a refused cancel left the request %s", s)
	}
}
