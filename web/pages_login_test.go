package web

import (
	"context"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"timebank/pkg/identity"
	"timebank/web/guard"
	"timebank/web/i18n"
)

// loginNext finds the next field of the log-in form.
var loginNext = regexp.MustCompile(`(?s)id="login-form".*?name="next" value="([^"]*)"`)

// Only paths on this site are followed after log-in.
func TestNextIsLocalOnly(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	if _, err := d.Users.Register(context.Background(), identity.Registration{Phone: testPhone, Name: "甲", Password: testPass}); err != nil {
		t.Fatal(err)
	}
	for _, next := range []string{"//evil.example", "https://evil.example/x", "/\\evil.example"} {
		b := newBrowser(t, app)
		r := b.get("/login?next=" + url.QueryEscape(next))
		if m := loginNext.FindStringSubmatch(r.body); m == nil || m[1] != "" {
			t.Errorf("the log-in form carries next=%q on: %v", next, m)
		}
		r = b.submit("/login", url.Values{"phone": {testPhone}, "password": {testPass}, "next": {next}})
		if r.status != 303 || r.location() != "/me/balance" {
			t.Errorf("next=%q: %d %q", next, r.status, r.location())
		}
	}
}

// A wrong password and an unknown number get the same answer, and a number with too many failures
// is locked with a message that says for how long.
func TestLoginFailuresDoNotTell(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	if _, err := d.Users.Register(context.Background(), identity.Registration{Phone: testPhone, Name: "甲", Password: testPass}); err != nil {
		t.Fatal(err)
	}
	summary := regexp.MustCompile(`(?s)<div class="error-summary".*?</div>`)
	b := newBrowser(t, app)
	wrong := b.submit("/login", url.Values{"phone": {testPhone}, "password": {"not-the-password"}})
	unknown := b.submit("/login", url.Values{"phone": {"13900000000"}, "password": {"not-the-password"}})
	if wrong.status != 422 || unknown.status != wrong.status {
		t.Fatalf("statuses %d and %d", wrong.status, unknown.status)
	}
	ws, us := summary.FindString(wrong.body), summary.FindString(unknown.body)
	if ws == "" || ws != us || !strings.Contains(ws, "手机号或密码不正确") {
		t.Errorf("the answers differ or say too little:\n%s\n%s", ws, us)
	}
	if strings.Contains(wrong.body, "not-the-password") {
		t.Error("the password was sent back")
	}
	for i := 0; i < guard.LoginFailuresPerPhone; i++ {
		b.submit("/login", url.Values{"phone": {testPhone}, "password": {"not-the-password"}})
	}
	r := b.submit("/login", url.Values{"phone": {testPhone}, "password": {testPass}})
	if r.status != 429 || !strings.Contains(r.body, "15 分钟后再试") {
		t.Errorf("locked number: %d\n%s", r.status, summary.FindString(r.body))
	}
}

func TestErrorPages(t *testing.T) {
	t.Parallel()
	app, _ := newTestApp(t)
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	r := b.get("/no-such-page")
	if r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(r.body, msgs["zh-CN"]["problem.not-found"]) || !strings.Contains(r.body, `data-testid="request-id"`) {
		t.Errorf("404 page: %d %s\n%s", r.status, r.header.Get("Content-Type"), r.body)
	}
	b.jar[i18n.CookieLang] = "en"
	if r = b.get("/no-such-page"); !strings.Contains(r.body, msgs["en"]["problem.not-found"]) || !strings.Contains(r.body, `<html lang="en">`) {
		t.Errorf("English 404 page:\n%s", r.body)
	}
	if r = b.do("DELETE", "/me", nil); r.status != 405 && r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("DELETE /me: %d %s", r.status, r.header.Get("Content-Type"))
	}
	for _, c := range []struct{ path, accept string }{{"/no-such-page", "application/json"}, {"/api/v1/no-such", "text/html"}} {
		req := httptest.NewRequest("GET", c.path, nil)
		req.Header.Set("Accept", c.accept)
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("GET %s (Accept %s): %d %s", c.path, c.accept, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}

func TestPasswordChangePage(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	b, _ := personIn(t, app, d, testPhone)
	const next = "a-brand-new-secret-9"
	for _, c := range []struct {
		name  string
		form  url.Values
		field string
	}{
		{"mismatch", url.Values{"current_password": {testPass}, "new_password": {next}, "confirm_password": {next + "x"}}, "confirm_password"},
		{"wrong current", url.Values{"current_password": {"not-it-at-all"}, "new_password": {next}, "confirm_password": {next}}, "current_password"},
		{"too short", url.Values{"current_password": {testPass}, "new_password": {"short"}, "confirm_password": {"short"}}, "new_password"},
	} {
		r := b.submit("/me/password", c.form)
		if r.status != 422 || !strings.Contains(r.body, `id="f-`+c.field+`-error"`) {
			t.Errorf("%s: %d, no error on %s", c.name, r.status, c.field)
		}
		for k, v := range c.form {
			if k != "_csrf" && strings.Contains(r.body, `value="`+v[0]+`"`) {
				t.Errorf("%s: a password was sent back", c.name)
			}
		}
	}
	r := b.submit("/me/password", url.Values{"current_password": {testPass}, "new_password": {next}, "confirm_password": {next}})
	if r.status != 303 || r.location() != "/login?notice=password-changed" {
		t.Fatalf("change: %d %q", r.status, r.location())
	}
	if r = b.get("/me"); r.status != 303 {
		t.Errorf("the session outlived the password change: %d", r.status)
	}
	fresh := newBrowser(t, app)
	if r = fresh.submit("/login", url.Values{"phone": {testPhone}, "password": {testPass}}); r.status != 422 {
		t.Errorf("the old password still works: %d", r.status)
	}
	if r = fresh.submit("/login", url.Values{"phone": {testPhone}, "password": {next}}); r.status != 303 {
		t.Errorf("the new password does not work: %d", r.status)
	}
}

func TestStaticFiles(t *testing.T) {
	t.Parallel()
	app, _ := newTestApp(t)
	b := newBrowser(t, app)
	link := regexp.MustCompile(`href="(/static/app\.css\?v=([0-9a-f]+))"`).FindStringSubmatch(b.get("/").body)
	if link == nil {
		t.Fatal("the layout does not link a versioned app.css")
	}
	r := b.get(link[1])
	if r.status != 200 || !strings.Contains(r.header.Get("Cache-Control"), "immutable") ||
		!strings.HasPrefix(r.header.Get("Content-Type"), "text/css") || !strings.Contains(r.body, ":focus-visible") {
		t.Errorf("%s: %d %v", link[1], r.status, r.header)
	}
	if r = b.get("/static/app.css?v=old"); r.status != 200 || r.header.Get("Cache-Control") != "no-cache" {
		t.Errorf("an old version: %d %q", r.status, r.header.Get("Cache-Control"))
	}
	if r = b.get("/static/app.js"); r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/javascript") || !strings.Contains(r.body, "EventSource") {
		t.Errorf("app.js: %d %s", r.status, r.header.Get("Content-Type"))
	}
	if r = b.get("/static/nope.css"); r.status != 404 {
		t.Errorf("a missing file: %d", r.status)
	}
	req := httptest.NewRequest("GET", link[1], nil)
	req.Header.Set("If-None-Match", `"`+link[2]+`"`)
	if resp, err := app.Test(req, -1); err != nil || resp.StatusCode != 304 {
		t.Errorf("revalidation: %v %v", resp.StatusCode, err)
	}
}
