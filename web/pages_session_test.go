package web

import (
	"context"
	"html"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"timebank/pkg/identity"
	"timebank/web/guard"
	"timebank/web/i18n"
)

func TestRegisterLoginProfile(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	b := newBrowser(t, app)
	r := b.get("/register")
	inputsLabelled(t, "register", r.body)
	r = b.submit("/register/code", url.Values{"phone": {"138 1234 5678"}})
	if r.status != 200 || !strings.Contains(r.body, "138****5678") || !strings.Contains(r.body, `name="code"`) {
		t.Fatalf("the code step: %d\n%s", r.status, r.body)
	}
	inputsLabelled(t, "register with its code", r.body)
	id := residentID("33048119900101123")
	r = b.submit("/register", url.Values{"phone": {"138 1234 5678"}, "code": {regCode(t, d, testPhone)}, "name": {"王小梅"},
		"password": {testPass}, "resident_id": {id}, "privacy_consent": {"1"}})
	if r.status != 303 || r.location() != "/me?notice=welcome" {
		t.Fatalf("register: %d %q\n%s", r.status, r.location(), r.body)
	}
	if r = b.get(r.location()); r.status != 200 || !strings.Contains(r.body, "注册成功") {
		t.Fatalf("after registration: %d\n%s", r.status, r.body)
	}

	// Another browser signs in with the password, and the profile shows only masked numbers.
	other := newBrowser(t, app)
	inputsLabelled(t, "login", other.get("/login").body)
	if r = other.submit("/login", url.Values{"phone": {testPhone}, "password": {testPass}}); r.status != 303 || r.location() != "/me/balance" {
		t.Fatalf("log-in: %d %q", r.status, r.location())
	}
	u, err := d.Users.ByPhone(context.Background(), testPhone)
	if err != nil {
		t.Fatal(err)
	}
	r = other.get("/me")
	inputsLabelled(t, "me", r.body)
	for _, want := range []string{"138****5678", "3304**********" + id[14:], u.VolunteerNo, "王小梅", `<html lang="zh-CN">`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("/me lacks %q", want)
		}
	}
	for _, never := range []string{testPhone, id, testPass} {
		if strings.Contains(r.body, never) {
			t.Errorf("/me shows %q in full", never)
		}
	}
}

// A form with mistakes comes back with each error next to its field (and described by it), a
// summary at the top, and what was typed, except the password.
func TestRegisterFormErrors(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	b := newBrowser(t, app)
	r := b.submit("/register/code", url.Values{"phone": {"12345"}})
	for _, want := range []string{`id="error-summary"`, `href="#f-phone"`, `id="f-phone-error"`, `aria-describedby="f-phone-hint f-phone-error"`,
		`aria-invalid="true"`, `value="12345"`, "请输入有效的 11 位大陆手机号码"} {
		if r.status != 422 || !strings.Contains(r.body, want) {
			t.Errorf("the number's form (%d) lacks %s", r.status, want)
		}
	}
	r = b.submit("/register", url.Values{"phone": {testPhone}, "code": {"12"}, "name": {"  "}, "password": {"pw-Zq9"}, "resident_id": {"33048119900101123Y"}})
	if r.status != 422 {
		t.Fatalf("status %d", r.status)
	}
	for _, want := range []string{`id="error-summary"`, `href="#f-name"`, `id="f-name-error"`,
		`id="f-password-error"`, `id="f-resident_id-error"`, `id="f-privacy_consent-error"`, `aria-describedby="f-name-error"`,
		`aria-invalid="true"`, `value="33048119900101123Y"`, `name="code"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	if strings.Contains(r.body, "pw-Zq9") {
		t.Error("the password was sent back")
	}
	inputsLabelled(t, "register with errors", r.body)

	// A wrong code is said next to the code field, for a number that is taken as for any other.
	if _, err := d.Users.Register(context.Background(), identity.Registration{Phone: testPhone, Name: "甲", Password: testPass}); err != nil {
		t.Fatal(err)
	}
	r = b.submit("/register", url.Values{"phone": {testPhone}, "code": {wrongCode(t, d, testPhone)}, "name": {"乙"}, "password": {"another-long-pass-1"}, "privacy_consent": {"1"}})
	if r.status != 422 || !regexp.MustCompile(`id="f-code-error"[^>]*>.*验证码不正确`).MatchString(r.body) || strings.Contains(r.body, "已注册") {
		t.Errorf("taken number: %d\n%s", r.status, r.body)
	}
}

// Every form post needs the page's token: without it (or with a wrong one) it is refused, with it
// it goes through. Both for a visitor (double-submit cookie) and a signed-in person (bound to the
// session).
func TestFormsNeedCSRF(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	if _, err := d.Users.Register(context.Background(), identity.Registration{Phone: testPhone, Name: "甲", Password: testPass}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	b.get("/login")
	login := url.Values{"phone": {testPhone}, "password": {testPass}}
	for name, token := range map[string][]string{"none": nil, "wrong": {"forged"}} {
		form := url.Values{"phone": login["phone"], "password": login["password"], "_csrf": token}
		if r := b.post("/login", form); r.status != 403 || !strings.Contains(r.body, "页面已过期") {
			t.Errorf("log-in with %s token: %d\n%s", name, r.status, r.body)
		}
	}
	if r := b.submit("/login", login); r.status != 303 {
		t.Fatalf("log-in with the token: %d", r.status)
	}
	if r := b.post("/lang", url.Values{"lang": {"en"}}); r.status != 403 {
		t.Errorf("signed-in post without token: %d", r.status)
	}
	if r := b.post("/logout", url.Values{"_csrf": {"forged"}}); r.status != 403 {
		t.Errorf("sign-out with a wrong token: %d", r.status)
	}
	if r := b.get("/me"); r.status != 200 {
		t.Errorf("the refused sign-out ended the session: %d", r.status)
	}
	if r := b.submit("/lang", url.Values{"lang": {"en"}, "next": {"/me"}}); r.status != 303 || r.location() != "/me" {
		t.Errorf("signed-in post with the token: %d %q", r.status, r.location())
	}
}

// A session id planted before log-in is not the one after it, and logging in again replaces the
// session and ends the old one.
func TestSessionFixation(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	if _, err := d.Users.Register(context.Background(), identity.Registration{Phone: testPhone, Name: "甲", Password: testPass}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	b.jar[guard.CookieSession] = "planted-by-someone-else"
	login := url.Values{"phone": {testPhone}, "password": {testPass}}
	if r := b.submit("/login", login); r.status != 303 {
		t.Fatalf("log-in: %d", r.status)
	}
	first := b.jar[guard.CookieSession]
	if first == "" || first == "planted-by-someone-else" {
		t.Fatalf("session cookie after log-in: %q", first)
	}
	if r := b.submit("/login", url.Values{"phone": {testPhone}, "password": {testPass}}); r.status != 303 {
		t.Fatalf("second log-in: %d", r.status)
	}
	second := b.jar[guard.CookieSession]
	if second == "" || second == first {
		t.Fatalf("logging in again kept the session id")
	}
	old := newBrowser(t, app)
	old.jar[guard.CookieSession] = first
	if r := old.get("/me"); r.status != 303 {
		t.Errorf("the replaced session still works: %d", r.status)
	}
	if r := b.get("/me"); r.status != 200 {
		t.Errorf("the new session does not work: %d", r.status)
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	b, _ := personIn(t, app, d, testPhone)
	phone := newBrowser(t, app)
	if r := phone.submit("/login", url.Values{"phone": {testPhone}, "password": {testPass}}); r.status != 303 {
		t.Fatal(r.status)
	}
	token := b.jar[guard.CookieSession]
	if r := b.submit("/logout", url.Values{}); r.status != 303 || r.location() != "/login?notice=signed-out" {
		t.Fatalf("sign-out: %d %q", r.status, r.location())
	}
	if _, ok := b.jar[guard.CookieSession]; ok {
		t.Error("the session cookie was not cleared")
	}
	replay := newBrowser(t, app)
	replay.jar[guard.CookieSession] = token
	if r := replay.get("/me"); r.status != 303 {
		t.Errorf("the ended session still works: %d", r.status)
	}
	if r := phone.get("/me"); r.status != 200 {
		t.Fatalf("signing out one browser ended another: %d", r.status)
	}

	// Sign out everywhere, from the profile page's form, ends the other browser's session too.
	third := newBrowser(t, app)
	third.submit("/login", url.Values{"phone": {testPhone}, "password": {testPass}})
	if r := third.get("/me"); !strings.Contains(r.body, `id="logout-everywhere-form"`) {
		t.Fatal("no sign-out-everywhere form on the profile page")
	}
	if r := third.submit("/logout", url.Values{"everywhere": {"1"}}); r.status != 303 {
		t.Fatalf("sign out everywhere: %d", r.status)
	}
	if r := phone.get("/me"); r.status != 303 {
		t.Errorf("signing out everywhere left a session: %d", r.status)
	}
}

func TestLanguageSwitch(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	b := newBrowser(t, app)
	if r := b.get("/login"); !strings.Contains(r.body, `<html lang="zh-CN">`) || !strings.Contains(r.body, "登录") {
		t.Fatalf("default page is not Chinese:\n%s", r.body)
	}
	r := b.submit("/lang", url.Values{"lang": {"en"}, "next": {"/login"}})
	if r.status != 303 || r.location() != "/login" || b.jar[i18n.CookieLang] != "en" {
		t.Fatalf("switch: %d %q cookie %q", r.status, r.location(), b.jar[i18n.CookieLang])
	}
	r = b.get("/login")
	if !strings.Contains(r.body, `<html lang="en">`) || !strings.Contains(r.body, "Sign in") || strings.Contains(r.body, "登录") {
		t.Errorf("after switching, the page is not English:\n%s", r.body)
	}
	if r.header.Get("Content-Language") != "en" {
		t.Errorf("Content-Language %q", r.header.Get("Content-Language"))
	}
	if r := b.submit("/lang", url.Values{"lang": {"fr"}}); r.status != 400 {
		t.Errorf("unknown language: %d", r.status)
	}

	// The switch leads back to the page it was pressed on, with its query (a log-in page keeps next).
	back := regexp.MustCompile(`(?s)id="lang-form".*?name="next" value="([^"]*)"`).FindStringSubmatch(b.get("/login?next=%2Fme%2Fbalance").body)
	if back == nil {
		t.Fatal("no next field in the language form")
	}
	if r := b.submit("/lang", url.Values{"lang": {"zh-CN"}, "next": {html.UnescapeString(back[1])}}); r.location() != "/login?next=%2Fme%2Fbalance" {
		t.Errorf("the switch leads to %q", r.location())
	}
	b.submit("/lang", url.Values{"lang": {"en"}})

	// A browser that asks for English gets it without the cookie.
	en := newBrowser(t, app)
	en.lang = "en-GB,en;q=0.9"
	if r := en.get("/"); !strings.Contains(r.body, `<html lang="en">`) {
		t.Error("Accept-Language: en was ignored")
	}

	// A signed-in person's choice is stored, and follows them to another browser.
	p, u := personIn(t, app, d, "13912345678")
	if r := p.submit("/lang", url.Values{"lang": {"en"}, "next": {"/me"}}); r.status != 303 {
		t.Fatal(r.status)
	}
	if got, _ := d.Users.ByID(context.Background(), u.ID); got.Lang != "en" {
		t.Errorf("stored language %q", got.Lang)
	}
	fresh := newBrowser(t, app)
	fresh.submit("/login", url.Values{"phone": {"13912345678"}, "password": {testPass}})
	if r := fresh.get("/me"); !strings.Contains(r.body, `<html lang="en">`) || !strings.Contains(r.body, "My profile") {
		t.Errorf("the stored language did not follow the person:\n%s", r.body)
	}
}

// A page that needs a signed-in person sends a visitor to log in, and back after; the API answers
// 401 problem+json as before, whatever the client accepts.
func TestUnauthenticatedPageRedirects(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	if _, err := d.Users.Register(context.Background(), identity.Registration{Phone: testPhone, Name: "甲", Password: testPass}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	r := b.get("/me/balance?from=scan")
	if r.status != 303 || r.location() != "/login?next="+url.QueryEscape("/me/balance?from=scan") {
		t.Fatalf("GET /me/balance signed out: %d %q", r.status, r.location())
	}
	r = b.get(r.location())
	if !strings.Contains(r.body, `name="next" value="/me/balance?from=scan"`) {
		t.Fatalf("the log-in form does not carry next:\n%s", r.body)
	}
	if r = b.submit("/login", url.Values{"phone": {testPhone}, "password": {testPass}, "next": {"/me/balance?from=scan"}}); r.location() != "/me/balance?from=scan" {
		t.Errorf("after log-in: %d %q", r.status, r.location())
	}

	for _, c := range []struct{ path, accept string }{
		{"/api/v1/me", "text/html"},
		{"/me", "application/json"},
		{"/me", ""},
	} {
		req := httptest.NewRequest("GET", c.path, nil)
		if c.accept != "" {
			req.Header.Set("Accept", c.accept)
		}
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("GET %s (Accept %q): %d %s", c.path, c.accept, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}
