package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/identity"
	"timebank/pkg/notify"
	"timebank/web/api"
)

// noticeOf is a notice of the kind to the person, with parameters as the producers write them.
func noticeOf(userID int64, kind, event string) notify.Notice {
	starts := time.Date(2026, 12, 3, 1, 30, 0, 0, time.UTC)
	params := map[string]map[string]any{
		notify.HoursVerified:     {"record": 4242, "activity": "社区助老", "date": "2026-12-03", "minutes": 120, "credits": 120},
		notify.OrderReady:        {"order": 4343, "store": "硖石公益仓", "expires_at": starts, "total": 45},
		notify.ActivityCancelled: {"activity": "敬老院探访", "starts_at": starts, "reason": "台风"},
	}[kind]
	return notify.Notice{UserID: userID, Kind: kind, Event: event, Params: params}
}

// tell writes the notices as a producer would and delivers them to the inbox, as the worker does
// (a real Redis publication for each).
func tell(t *testing.T, d services, ns ...notify.Notice) {
	t.Helper()
	ctx := context.Background()
	if err := d.Notify.Write(ctx, d.DB, ns...); err != nil {
		t.Fatal(err)
	}
	if n, err := d.Notify.Deliver(ctx, 100); err != nil || n != len(ns) {
		t.Fatalf("delivered %d of %d: %v", n, len(ns), err)
	}
}

// signedIn registers a person and returns them with a bearer session token.
func signedIn(t *testing.T, d services, phone string) (identity.User, string) {
	t.Helper()
	ctx := context.Background()
	u, err := d.Users.Register(ctx, identity.Registration{Phone: phone, Name: "测试" + phone[7:], Password: testPass})
	if err != nil {
		t.Fatal(err)
	}
	token, err := d.Sessions.Create(ctx, u.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	return u, token
}

func inboxOf(t *testing.T, app *fiber.App, token, query string, header ...string) api.NoticesPage {
	t.Helper()
	var page api.NoticesPage
	actDo(t, app, token, "GET", "/api/v1/me/notifications"+query, nil, header...).into(t, 200, &page)
	return page
}

func markRead(t *testing.T, app *fiber.App, token string, body any) api.ReadResult {
	t.Helper()
	var res api.ReadResult
	actDo(t, app, token, "POST", "/api/v1/me/notifications/read", body).into(t, 200, &res)
	return res
}

// A person's inbox lists their own notices only, newest first, written in their language with a
// link and no ids; marking read works once, ignores another person's notices without a word of
// them, and bad input is refused with a 400 that changes nothing.
func TestNotificationsAPI(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	a, tokA := signedIn(t, d, "13900000001")
	b, tokB := signedIn(t, d, "13900000002")
	tell(t, d, noticeOf(a.ID, notify.HoursVerified, "record:1:rev:1"), noticeOf(b.ID, notify.OrderReady, "order:9:ready"))
	tell(t, d, noticeOf(a.ID, notify.OrderReady, "order:1:ready"))
	tell(t, d, noticeOf(a.ID, notify.ActivityCancelled, "activity:1:cancelled"))

	page := inboxOf(t, app, tokA, "", "Accept-Language", "zh-CN,zh;q=0.9")
	if len(page.Notices) != 3 || page.Unread != 3 || page.Next != 0 {
		t.Fatalf("A's inbox: %+v", page)
	}
	wantKinds := []string{notify.ActivityCancelled, notify.OrderReady, notify.HoursVerified}
	wantLinks := []string{"/me/activities", "/me/orders/4343", "/me/records/4242"}
	for i, n := range page.Notices {
		if n.Kind != wantKinds[i] || n.Link != wantLinks[i] || n.Read || n.CreatedAt.IsZero() {
			t.Errorf("notice %d: %+v, want %s linking to %s", i, n, wantKinds[i], wantLinks[i])
		}
		if !containsHan(n.Text) || strings.Contains(n.Text, "4242") || strings.Contains(n.Text, "4343") {
			t.Errorf("notice %d in Chinese, without ids: %q", i, n.Text)
		}
	}
	if got := page.Notices[2].Text; !strings.Contains(got, "服务时长 2 小时") {
		t.Errorf("hours verified: %q", got)
	}
	en := inboxOf(t, app, tokA, "?limit=2", "Accept-Language", "en")
	if len(en.Notices) != 2 || en.Next == 0 || en.Unread != 3 || !strings.Contains(en.Notices[1].Text, "Your order at 硖石公益仓 is ready") {
		t.Fatalf("A's first page in English: %+v", en)
	}
	older := inboxOf(t, app, tokA, fmt.Sprintf("?limit=2&before=%d", en.Next))
	if len(older.Notices) != 1 || older.Next != 0 || older.Notices[0].Kind != notify.HoursVerified {
		t.Fatalf("A's second page: %+v", older)
	}
	pageB := inboxOf(t, app, tokB, "")
	if len(pageB.Notices) != 1 || pageB.Unread != 1 || pageB.Notices[0].Kind != notify.OrderReady {
		t.Fatalf("B's inbox: %+v", pageB)
	}
	bID := pageB.Notices[0].ID

	// Reading: A's own notice and B's in one request marks A's only, and says nothing of B's.
	if res := markRead(t, app, tokA, map[string]any{"ids": []int64{page.Notices[0].ID, bID}}); res.Marked != 1 || res.Unread != 2 {
		t.Fatalf("mark read: %+v, want 1 marked and 2 unread", res)
	}
	if res := markRead(t, app, tokA, map[string]any{"ids": []int64{page.Notices[0].ID}}); res.Marked != 0 || res.Unread != 2 {
		t.Fatalf("mark read again: %+v, want nothing marked", res)
	}
	if res := markRead(t, app, tokA, map[string]any{"ids": []int64{bID, 999999}}); res.Marked != 0 || res.Unread != 2 {
		t.Fatalf("marking another's notice and one that does not exist: %+v", res)
	}
	if got := inboxOf(t, app, tokB, ""); got.Unread != 1 || got.Notices[0].Read {
		t.Fatalf("B's notice after A marked it: %+v", got)
	}
	if got := inboxOf(t, app, tokA, ""); !got.Notices[0].Read || got.Notices[1].Read {
		t.Fatalf("A's read flags: %+v", got.Notices)
	}

	// Bad input: a 400 naming the field, in the caller's language, and nothing marked.
	many := make([]int64, 101)
	for i := range many {
		many[i] = int64(i + 1)
	}
	for _, c := range []struct {
		body  any
		field string
	}{
		{map[string]any{}, "ids"},
		{map[string]any{"ids": []int64{}}, "ids"},
		{map[string]any{"all": false}, "ids"},
		{map[string]any{"ids": []int64{page.Notices[1].ID}, "all": true}, "ids"},
		{map[string]any{"ids": []int64{page.Notices[1].ID, 0}}, "ids[1]"},
		{map[string]any{"ids": []int64{-3}}, "ids[0]"},
		{map[string]any{"ids": many}, "ids"},
		{`{"ids": "all"}`, "ids"},
		{`{"all": true, "also": 1}`, "also"},
		{`{"all": true}{}`, ""},
	} {
		r := actDo(t, app, tokA, "POST", "/api/v1/me/notifications/read", c.body, "Accept-Language", "zh-CN")
		p := r.isProblem(t, 400, "invalid-request", true)
		if c.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != c.field || !containsHan(p.Errors[0].Message)) {
			t.Errorf("%v: errors %+v, want the field %s explained in Chinese", c.body, p.Errors, c.field)
		}
	}
	actDo(t, app, tokA, "POST", "/api/v1/me/notifications/read", `{"all": true}`, "Content-Type", "text/plain").
		isProblem(t, 415, "invalid-request", true)
	for _, q := range []string{"?before=abc", "?before=0", "?before=-1", "?limit=0", "?limit=101", "?limit=x"} {
		actDo(t, app, tokA, "GET", "/api/v1/me/notifications"+q, nil, "Accept-Language", "en").isProblem(t, 400, "invalid-request", false)
	}
	if got := inboxOf(t, app, tokA, ""); got.Unread != 2 {
		t.Fatalf("after refused requests A has %d unread, want 2 still", got.Unread)
	}

	// All of them, once.
	if res := markRead(t, app, tokA, map[string]any{"all": true}); res.Marked != 2 || res.Unread != 0 {
		t.Fatalf("mark all read: %+v", res)
	}
	if res := markRead(t, app, tokA, map[string]any{"all": true}); res.Marked != 0 || res.Unread != 0 {
		t.Fatalf("mark all read again: %+v", res)
	}
	if got := inboxOf(t, app, tokB, ""); got.Unread != 1 {
		t.Fatalf("B's unread after A read all: %d", got.Unread)
	}

	// Signed-in people only: no token, and the operator's token, are refused.
	actDo(t, app, "", "GET", "/api/v1/me/notifications", nil).isProblem(t, 401, "unauthorized", true)
	actDo(t, app, "", "POST", "/api/v1/me/notifications/read", map[string]any{"all": true}).isProblem(t, 401, "unauthorized", true)
	actDo(t, app, d.Config.OperatorToken, "GET", "/api/v1/me/notifications", nil).isProblem(t, 403, "forbidden", true)
}
