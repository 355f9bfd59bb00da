package web

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"timebank/pkg/notify"
)

// badgeCount reads the unread count in a page's header: the number shown, and whether it is
// hidden (no unread notices).
var badgeCount = regexp.MustCompile(`<span class="count" id="header-unread" data-testid="header-unread"( hidden)?>([^<]*)</span>`)

func badge(t *testing.T, r response) (count string, hidden bool) {
	t.Helper()
	m := badgeCount.FindStringSubmatch(r.body)
	if r.status != 200 || m == nil {
		t.Fatalf("no badge in the header (status %d)", r.status)
	}
	return m[2], m[1] != ""
}

// Every page of a signed-in person shows the unread count in the header; the inbox lists their own
// notices, newest first, unread ones marked, each linking to its page, in their language; "mark
// all read" clears the count (with the page's anti-forgery token only); a visitor is sent to sign in.
func TestNotificationsPages(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	b, u := personIn(t, app, d, "13900000021")
	other, ou := personIn(t, app, d, "13900000022")
	tell(t, d, noticeOf(u.ID, notify.HoursVerified, "record:1:rev:1"), noticeOf(ou.ID, notify.ActivityCancelled, "activity:7:cancelled"))
	tell(t, d, noticeOf(u.ID, notify.OrderReady, "order:1:ready"))

	for _, path := range []string{"/", "/me", "/me/balance", "/stores", "/me/notifications"} {
		if n, hidden := badge(t, b.get(path)); n != "2" || hidden {
			t.Errorf("%s: badge %q (hidden %v), want 2", path, n, hidden)
		}
	}
	if !strings.Contains(b.get("/").body, `aria-label="通知，2 条未读"`) {
		t.Error("the badge's label does not say how many are unread")
	}

	page := b.get("/me/notifications")
	ready := strings.Index(page.body, "您在硖石公益仓的订单已备好")
	verified := strings.Index(page.body, "「社区助老」12月3日的服务已核实")
	if ready < 0 || verified < 0 || ready > verified {
		t.Fatalf("the inbox, newest first: order at %d, hours at %d", ready, verified)
	}
	for _, want := range []string{`href="/me/orders/4343"`, `href="/me/records/4242"`, `class="inbox-item unread"`,
		`id="inbox-read-all"`, "2 条未读"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the inbox lacks %s", want)
		}
	}
	if strings.Contains(page.body, "敬老院探访") {
		t.Error("the inbox shows another person's notice")
	}
	if n, _ := badge(t, other.get("/")); n != "1" {
		t.Errorf("the other person's badge: %q", n)
	}
	b.lang = "en"
	b.jar["lang"] = "en"
	if en := b.get("/me/notifications"); !strings.Contains(en.body, "Your order at 硖石公益仓 is ready") ||
		!strings.Contains(en.body, "2 unread") || strings.Contains(en.body, "服务已核实") {
		t.Error("the inbox in English is not in English")
	}
	delete(b.jar, "lang")
	b.lang = ""

	// Without the page's token nothing is marked.
	if r := b.post("/me/notifications/read", url.Values{}); r.status != 403 {
		t.Fatalf("mark all read without the token: %d", r.status)
	}
	if n, _ := badge(t, b.get("/")); n != "2" {
		t.Fatalf("badge after a forged post: %q", n)
	}
	if r := b.submit("/me/notifications/read", url.Values{}); r.status != 303 || r.location() != "/me/notifications" {
		t.Fatalf("mark all read: %d %s", r.status, r.location())
	}
	after := b.get("/me/notifications")
	if n, hidden := badge(t, after); n != "0" || !hidden {
		t.Errorf("badge after reading all: %q (hidden %v)", n, hidden)
	}
	if strings.Contains(after.body, `inbox-item unread`) || strings.Contains(after.body, `id="inbox-read-all"`) ||
		!strings.Contains(after.body, "没有未读通知") || !strings.Contains(after.body, "您在硖石公益仓的订单已备好") {
		t.Error("after reading all, the inbox still shows unread notices or lost the read ones")
	}
	if n, _ := badge(t, other.get("/")); n != "1" {
		t.Errorf("the other person's badge after the first read all: %q", n)
	}

	// A visitor has no badge and no inbox; an empty inbox says so.
	visitor := newBrowser(t, app)
	if home := visitor.get("/"); strings.Contains(home.body, "header-notices") {
		t.Error("a visitor's header has the notices badge")
	}
	if r := visitor.get("/me/notifications"); r.status != 303 || !strings.HasPrefix(r.location(), "/login") {
		t.Errorf("a visitor's inbox: %d %s", r.status, r.location())
	}
	fresh, _ := personIn(t, app, d, "13900000023")
	if r := fresh.get("/me/notifications"); !strings.Contains(r.body, `id="inbox-empty"`) {
		t.Error("an empty inbox does not say it is empty")
	}
	if r := fresh.get("/me/notifications?before=abc"); r.status != 400 {
		t.Errorf("a bad page of the inbox: %d", r.status)
	}
}

// notificationsAuthzEntries are the rows of the notifications' routes in the authorization table:
// a person's own inbox, for every person and nobody else.
func notificationsAuthzEntries() map[string]entry {
	return map[string]entry{
		"GET /api/v1/me/notifications":        {who: people, in: fixed("GET", "/api/v1/me/notifications", "")},
		"POST /api/v1/me/notifications/read":  {who: people, in: fixed("POST", "/api/v1/me/notifications/read", malformed)},
		"GET /api/v1/me/notifications/events": {who: people, in: fixed("GET", "/api/v1/me/notifications/events", ""), stream: true},
		"GET /me/notifications":               {who: people, in: fixed("GET", "/me/notifications", "")},
		"POST /me/notifications/read":         {who: people, in: fixed("POST", "/me/notifications/read", malformed)},
	}
}
