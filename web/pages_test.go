package web

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/ledger"
	"timebank/pkg/access"
	"timebank/pkg/identity"
	who "timebank/pkg/principal"
	"timebank/web/api"
	"timebank/web/guard"
	"timebank/web/i18n"
)

// browser drives the app as a browser does: it asks for HTML, keeps cookies, and does not follow
// redirects (tests look at each one).
type browser struct {
	t    *testing.T
	app  *fiber.App
	jar  map[string]string
	lang string // Accept-Language
}

func newBrowser(t *testing.T, app *fiber.App) *browser {
	return &browser{t: t, app: app, jar: map[string]string{}}
}

// response is a page as the browser got it.
type response struct {
	status int
	header http.Header
	body   string
}

func (r response) location() string { return r.header.Get("Location") }

func (b *browser) do(method, path string, form url.Values) response {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range b.jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := b.app.Test(req, -1)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	for _, c := range resp.Cookies() {
		if c.Value == "" || c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(time.Now())) {
			delete(b.jar, c.Name)
		} else {
			b.jar[c.Name] = c.Value
		}
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}

func (b *browser) get(path string) response { b.t.Helper(); return b.do("GET", path, nil) }

// post sends a form as it is, with no anti-forgery token unless the form has one.
func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	return b.do("POST", path, form)
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)">`)

// csrf reads the anti-forgery token a page gives this browser.
func (b *browser) csrf() string {
	b.t.Helper()
	m := csrfMeta.FindStringSubmatch(b.get("/").body)
	if m == nil || m[1] == "" {
		b.t.Fatal("no csrf-token meta on the home page")
	}
	return m[1]
}

// submit posts a form with the page's anti-forgery token, as a page's form does.
func (b *browser) submit(path string, form url.Values) response {
	b.t.Helper()
	form.Set("_csrf", b.csrf())
	return b.post(path, form)
}

const (
	testPhone = "13812345678"
	testPass  = "lantern-west-lake-7"
)

// residentID completes 17 digits with their GB 11643 check character.
func residentID(first17 string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	return first17 + string("10X98765432"[sum%11])
}

// personIn registers a person through the store and signs a new browser in through the log-in page.
func personIn(t *testing.T, app *fiber.App, d services, phone string) (*browser, identity.User) {
	t.Helper()
	u, err := d.Users.Register(context.Background(), identity.Registration{Phone: phone, Name: "测试" + phone[7:], Password: testPass})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	if r := b.submit("/login", url.Values{"phone": {phone}, "password": {testPass}}); r.status != 303 {
		t.Fatalf("log-in: %d %s", r.status, r.body)
	}
	return b, u
}

// inputsLabelled checks that every visible input of a page has an id and a label for it.
func inputsLabelled(t *testing.T, name, body string) {
	t.Helper()
	inputs := regexp.MustCompile(`<input\b[^>]*>`).FindAllString(body, -1)
	if len(inputs) == 0 {
		t.Fatalf("%s: no inputs", name)
	}
	id := regexp.MustCompile(`\bid="([^"]+)"`)
	for _, in := range inputs {
		if strings.Contains(in, `type="hidden"`) {
			continue
		}
		m := id.FindStringSubmatch(in)
		if m == nil || !strings.Contains(body, `<label for="`+m[1]+`"`) {
			t.Errorf("%s: input without a label: %s", name, in)
		}
	}
}

func TestRegisterLoginProfile(t *testing.T) {
	app, d := newTestApp(t)
	b := newBrowser(t, app)
	r := b.get("/register")
	inputsLabelled(t, "register", r.body)
	id := residentID("33048119900101123")
	r = b.submit("/register", url.Values{"phone": {"138 1234 5678"}, "name": {"王小梅"}, "password": {testPass}, "resident_id": {id}})
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
	app, d := newTestApp(t)
	b := newBrowser(t, app)
	r := b.submit("/register", url.Values{"phone": {"12345"}, "name": {"  "}, "password": {"pw-Zq9"}, "resident_id": {"33048119900101123Y"}})
	if r.status != 422 {
		t.Fatalf("status %d", r.status)
	}
	for _, want := range []string{`id="error-summary"`, `href="#f-phone"`, `id="f-phone-error"`, `id="f-name-error"`,
		`id="f-password-error"`, `id="f-resident_id-error"`, `aria-describedby="f-phone-hint f-phone-error"`,
		`aria-invalid="true"`, `value="12345"`, `value="33048119900101123Y"`, "请输入有效的 11 位大陆手机号码"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	if strings.Contains(r.body, "pw-Zq9") {
		t.Error("the password was sent back")
	}
	inputsLabelled(t, "register with errors", r.body)

	// A number that is taken is said next to the phone field.
	if _, err := d.Users.Register(context.Background(), identity.Registration{Phone: testPhone, Name: "甲", Password: testPass}); err != nil {
		t.Fatal(err)
	}
	r = b.submit("/register", url.Values{"phone": {testPhone}, "name": {"乙"}, "password": {"another-long-pass-1"}})
	if r.status != 409 || !regexp.MustCompile(`id="f-phone-error"[^>]*>.*已注册`).MatchString(r.body) {
		t.Errorf("taken number: %d\n%s", r.status, r.body)
	}
}

// Every form post needs the page's token: without it (or with a wrong one) it is refused, with it
// it goes through. Both for a visitor (double-submit cookie) and a signed-in person (bound to the
// session).
func TestFormsNeedCSRF(t *testing.T) {
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

// loginNext finds the next field of the log-in form.
var loginNext = regexp.MustCompile(`(?s)id="login-form".*?name="next" value="([^"]*)"`)

// Only paths on this site are followed after log-in.
func TestNextIsLocalOnly(t *testing.T) {
	for next, want := range map[string]string{
		"/me/balance":               "/me/balance",
		"/q/abc?x=1#top":            "/q/abc?x=1#top",
		"//evil.example":            "/home",
		"//evil.example/me":         "/home",
		"https://evil.example":      "/home",
		"http:/evil.example":        "/home",
		"/\\evil.example":           "/home",
		"\\/evil.example":           "/home",
		"/\t/evil.example":          "/home",
		"/\n/evil.example":          "/home",
		"javascript:alert(1)":       "/home",
		"evil.example":              "/home",
		"":                          "/home",
		"/%2F%2Fevil.example/still": "/%2F%2Fevil.example/still",
	} {
		if got := localPath(next, "/home"); got != want {
			t.Errorf("localPath(%q) = %q, want %q", next, got, want)
		}
	}

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

func TestFormatHours(t *testing.T) {
	for minutes, want := range map[int64]string{0: "0", 1: "0.02", 30: "0.5", 60: "1", 90: "1.5", 125: "2.08", 599: "9.98",
		-90: "-1.5", 6000: "100", 59: "0.98", 3: "0.05", 20: "0.33", 40: "0.67"} {
		if got := formatHours(minutes); got != want {
			t.Errorf("formatHours(%d) = %q, want %q", minutes, got, want)
		}
	}
}

var earnSeq atomic.Int64

// earn credits minutes to a volunteer account from an issuing account, as verified service does.
func earn(t *testing.T, d services, code string, minutes int64, memo string) {
	t.Helper()
	if err := postEarning(d, code, minutes, memo); err != nil {
		t.Fatal(err)
	}
}

// postEarning is earn for goroutines other than the test's.
func postEarning(d services, code string, minutes int64, memo string) error {
	ctx := context.Background()
	issuer := "org:9999:issued"
	if _, err := d.Ledger.CreateAccount(ctx, ledger.NewAccount{Code: issuer, Kind: ledger.KindIssuer, AllowNegative: true}); err != nil &&
		!errors.Is(err, ledger.ErrAccountExists) {
		return err
	}
	_, err := d.Ledger.Post(ctx, ledger.TransactionRequest{Kind: ledger.TxEarn, Memo: memo, CreatedBy: "test",
		IdempotencyKey: fmt.Sprintf("earn-%s-%d", code, earnSeq.Add(1)),
		Postings:       []ledger.PostingRequest{{Account: issuer, Amount: -minutes}, {Account: code, Amount: minutes}}})
	return err
}

func TestBalancePage(t *testing.T) {
	app, d := newTestApp(t)
	b, u := personIn(t, app, d, testPhone)
	if r := b.get("/me/balance"); r.status != 200 || !strings.Contains(r.body, `id="statement-empty"`) {
		t.Fatalf("empty balance page: %d", r.status)
	}
	earn(t, d, u.AccountCode, 90, "<b>社区助老</b>")
	r := b.get("/me/balance")
	for _, want := range []string{`data-minutes="90"`, `>1.5</span>`, "志愿服务获得", "&#43;1.5", // html/template writes + as &#43; "&lt;b&gt;社区助老&lt;/b&gt;",
		`data-events="/api/v1/me/balance/events"`, `aria-live="polite"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the balance page lacks %s", want)
		}
	}
	if strings.Contains(r.body, "<b>社区助老") {
		t.Error("the memo was not escaped")
	}
	b.jar[i18n.CookieLang] = "en"
	if r = b.get("/me/balance"); !strings.Contains(r.body, "Earned by service") || !strings.Contains(r.body, "1.5") {
		t.Error("the English statement")
	}
}

// The profile lists roles with the names of their scopes, in the person's language.
func TestProfileShowsRoles(t *testing.T) {
	app, d := newTestApp(t)
	b, u := personIn(t, app, d, testPhone)
	if r := b.get("/me"); !strings.Contains(r.body, "还没有加入任何组织的角色") {
		t.Error("a volunteer without roles")
	}
	ctx := context.Background()
	if _, err := d.DB.ExecContext(ctx, `INSERT INTO regions (code, name, level) VALUES ('339900000000', '测试省', 1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.DB.ExecContext(ctx, `INSERT INTO role_grants (user_id, role, scope_kind, region_code, granted_by)
		VALUES ($1, 'region_admin', 'region', '339900000000', 'test')`, u.ID); err != nil {
		t.Fatal(err)
	}
	if r := b.get("/me"); !strings.Contains(r.body, "<strong>区域管理员</strong> · 区域 · 测试省") {
		t.Errorf("the role is not listed:\n%s", r.body)
	}
	b.jar[i18n.CookieLang] = "en"
	if r := b.get("/me"); !strings.Contains(r.body, "<strong>Region admin</strong> · Region · 测试省") {
		t.Error("the role in English")
	}
}

// The menu shows what the principal may do somewhere: everyone the public entries, people their
// own pages, and an entry that needs an action only to those whose roles allow it.
func TestMenuByRole(t *testing.T) {
	entries := []navEntry{
		{id: "home", path: "/", anyone: true},
		{id: "me", path: "/me"},
		{id: "orgs", path: "/orgs", action: access.ReadOrg},
		{id: "audit", path: "/audit", action: access.ReadAudit},
	}
	ids := func(p *access.Principal) string {
		var out []string
		for _, e := range visibleNav(p, entries) {
			out = append(out, e.id)
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		name string
		p    *access.Principal
		want string
	}{
		{"visitor", nil, "home"},
		{"volunteer", &access.Principal{Principal: who.Principal{UserID: 1}, Grants: []access.Grant{{Role: access.Volunteer, Kind: access.Org, OrgID: 1}}}, "home,me"},
		{"coordinator", &access.Principal{Principal: who.Principal{UserID: 2}, Grants: []access.Grant{{Role: access.Coordinator, Kind: access.Org, OrgID: 1}}}, "home,me,orgs"},
		{"store manager", &access.Principal{Principal: who.Principal{UserID: 3}, Grants: []access.Grant{{Role: access.StoreManager, Kind: access.Store, StoreID: 1}}}, "home,me,audit"},
		{"platform admin", &access.Principal{Principal: who.Principal{UserID: 4}, Grants: []access.Grant{{Role: access.PlatformAdmin, Kind: access.Platform}}}, "home,me,orgs,audit"},
	} {
		if got := ids(c.p); got != c.want {
			t.Errorf("%s sees %q, want %q", c.name, got, c.want)
		}
	}
	// The real menu: a visitor sees no personal entries, a person does.
	app, d := newTestApp(t)
	if r := newBrowser(t, app).get("/"); strings.Contains(r.body, `id="nav-me"`) || !strings.Contains(r.body, `id="home-register"`) {
		t.Error("the visitor's home page")
	}
	b, _ := personIn(t, app, d, testPhone)
	if r := b.get("/"); !strings.Contains(r.body, `id="nav-me"`) || !strings.Contains(r.body, `id="home-balance"`) {
		t.Error("the person's home page")
	}
}

// serve runs the app on a real listener: the event stream cannot be read through app.Test, which
// waits for the whole body.
func serve(t *testing.T, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String()
}

// stream is an open balance event stream, read by its own goroutine.
type stream struct {
	events chan api.BalanceEvent // closed when the stream ends
	close  func()
}

// openStream opens the event stream with the session of a signed-in browser.
func openStream(t *testing.T, base, session string) *stream {
	t.Helper()
	st, err := dialStream(base, session)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// dialStream is openStream for goroutines other than the test's.
func dialStream(base, session string) (*stream, error) {
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/me/balance/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	req.AddCookie(&http.Cookie{Name: guard.CookieSession, Value: session})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		cancel()
		resp.Body.Close()
		return nil, fmt.Errorf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	st := &stream{events: make(chan api.BalanceEvent, 64), close: func() { cancel(); resp.Body.Close() }}
	go func() {
		defer close(st.events)
		sc := bufio.NewScanner(resp.Body)
		var name, data string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if name == "balance" {
					var b api.BalanceEvent
					if json.Unmarshal([]byte(data), &b) != nil {
						b.Code = "malformed: " + data
					}
					st.events <- b
				}
				name, data = "", ""
			case strings.HasPrefix(line, "event: "):
				name = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				data = line[len("data: "):]
			}
		}
	}()
	return st, nil
}

// next waits for the stream's next event.
func (st *stream) next(t *testing.T) api.BalanceEvent {
	t.Helper()
	select {
	case b, ok := <-st.events:
		if !ok {
			t.Fatal("the stream ended")
		}
		return b
	case <-time.After(20 * time.Second):
		t.Fatal("no event within 20 s")
	}
	return api.BalanceEvent{}
}

// The stream sends the current balance, then each change posted through the ledger; when the client
// goes away the stream ends and nothing is left subscribed.
func TestBalanceEventsStream(t *testing.T) {
	app, d := newTestApp(t)
	b, u := personIn(t, app, d, testPhone)
	earn(t, d, u.AccountCode, 30, "before")
	base := serve(t, app)
	st := openStream(t, base, b.jar[guard.CookieSession])
	first := st.next(t)
	if first.Code != u.AccountCode || first.Available != 30 || first.Posted != 30 {
		t.Fatalf("first event: %+v", first)
	}
	earn(t, d, u.AccountCode, 90, "after")
	second := st.next(t)
	if second.Available != 120 || second.Version <= first.Version {
		t.Fatalf("after a posting of 90: %+v (first %+v)", second, first)
	}

	// The page's fallback reads the same balance.
	req := httptest.NewRequest("GET", "/api/v1/me/balance", nil)
	req.AddCookie(&http.Cookie{Name: guard.CookieSession, Value: b.jar[guard.CookieSession]})
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	var polled ledger.Balance
	if err := json.NewDecoder(resp.Body).Decode(&polled); err != nil || polled.Available != 120 {
		t.Errorf("GET /api/v1/me/balance: %+v %v", polled, err)
	}
	resp.Body.Close()

	st.close()
	channel := d.Ledger.BalanceChannel(u.AccountCode)
	deadline := time.Now().Add(30 * time.Second)
	for {
		// The server finds a client gone when a write fails: each posting makes one.
		earn(t, d, u.AccountCode, 1, "poke")
		n, err := d.Redis.PubSubNumSub(context.Background(), channel).Result()
		if err != nil {
			t.Fatal(err)
		}
		if n[channel] == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stream of a client that went away is still subscribed")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Many streams of several people at once, over one shared subscription, while postings race: each
// stream sees only its own account, versions only grow, and each ends at its final balance.
func TestBalanceEventsManyStreams(t *testing.T) {
	app, d := newTestApp(t)
	base := serve(t, app)
	const people, streamsEach, postings = 3, 4, 12
	type person struct {
		code    string
		session string
		streams []*stream
	}
	var ps []*person
	for i := 0; i < people; i++ {
		b, u := personIn(t, app, d, fmt.Sprintf("1391234560%d", i))
		ps = append(ps, &person{code: u.AccountCode, session: b.jar[guard.CookieSession]})
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, p := range ps {
		for j := 0; j < streamsEach; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, err := dialStream(base, p.session)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				p.streams = append(p.streams, st)
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	for _, p := range ps {
		for _, st := range p.streams {
			if first := st.next(t); first.Code != p.code || first.Available != 0 {
				t.Fatalf("first event of %s: %+v", p.code, first)
			}
		}
	}
	for _, p := range ps {
		for k := 1; k <= postings; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := postEarning(d, p.code, int64(k), "race"); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	const total = postings * (postings + 1) / 2
	for _, p := range ps {
		for _, st := range p.streams {
			last := int64(0)
			for b := st.next(t); ; b = st.next(t) {
				if b.Code != p.code {
					t.Fatalf("a stream of %s got %+v", p.code, b)
				}
				if b.Version <= last {
					t.Fatalf("versions went %d then %d", last, b.Version)
				}
				last = b.Version
				if b.Available == total {
					break
				}
			}
			st.close()
		}
	}
}

// Shutting the server down ends open streams, so that shutdown does not wait for them forever.
func TestBalanceEventsEndOnShutdown(t *testing.T) {
	app, d := newTestApp(t)
	b, _ := personIn(t, app, d, testPhone)
	st := openStream(t, serve(t, app), b.jar[guard.CookieSession])
	defer st.close()
	st.next(t)
	if err := app.ShutdownWithTimeout(20 * time.Second); err != nil {
		t.Fatalf("shutdown with an open stream: %v", err)
	}
	select {
	case _, ok := <-st.events:
		if ok {
			t.Fatal("an event after shutdown")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the stream stayed open after shutdown")
	}
}

// Signing out (everywhere, after a phone was lost) ends an open stream before it sends anything more.
func TestBalanceEventsEndWithSession(t *testing.T) {
	app, d := newTestApp(t)
	b, u := personIn(t, app, d, testPhone)
	st := openStream(t, serve(t, app), b.jar[guard.CookieSession])
	defer st.close()
	st.next(t)
	if err := d.Sessions.DeleteAll(context.Background(), u.ID); err != nil {
		t.Fatal(err)
	}
	earn(t, d, u.AccountCode, 45, "after sign-out")
	select {
	case ev, ok := <-st.events:
		if ok {
			t.Fatalf("an event after signing out: %+v", ev)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the stream stayed open after signing out")
	}
}

// Only a signed-in person gets a stream, and only when asking for one.
func TestBalanceEventsRefused(t *testing.T) {
	app, d := newTestApp(t)
	b, _ := personIn(t, app, d, testPhone)
	for _, c := range []struct {
		session, accept string
		want            int
	}{
		{"", "text/event-stream", 401},
		{"forged", "text/event-stream", 401},
		{b.jar[guard.CookieSession], "application/json", 406},
	} {
		req := httptest.NewRequest("GET", "/api/v1/me/balance/events", nil)
		req.Header.Set("Accept", c.accept)
		if c.session != "" {
			req.AddCookie(&http.Cookie{Name: guard.CookieSession, Value: c.session})
		}
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%+v: %d %s", c, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}

// jsonFields returns the JSON names and Go types of a struct's fields as encoding/json sees them:
// embedded structs are flattened, and a field of the outer struct hides one of the same name inside.
func jsonFields(typ reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	var embedded []reflect.Type
	for i := range typ.NumField() {
		f := typ.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case tag == "-":
		case f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct:
			embedded = append(embedded, f.Type)
		case f.IsExported():
			if tag == "" {
				tag = f.Name
			}
			out[tag] = f.Type
		}
	}
	for _, e := range embedded {
		for k, v := range jsonFields(e) {
			if _, shadowed := out[k]; !shadowed {
				out[k] = v
			}
		}
	}
	return out
}

// The schemas of the people API (openapi/people.json) have exactly the fields of the Go types the
// handlers read and write, with matching JSON types, and amounts say they are minutes.
func TestPeopleSchemasMatchTypes(t *testing.T) {
	var part struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Type        string `json:"type"`
					Format      string `json:"format"`
					Ref         string `json:"$ref"`
					Description string `json:"description"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	b, err := api.OpenAPIFS.ReadFile("openapi/people.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &part); err != nil {
		t.Fatal(err)
	}
	for name, typ := range map[string]reflect.Type{
		"Registration":    reflect.TypeFor[identity.Registration](),
		"Me":              reflect.TypeFor[api.Me](),
		"LoginRequest":    reflect.TypeFor[api.LoginRequest](),
		"LoginResponse":   reflect.TypeFor[api.LoginResponse](),
		"LogoutRequest":   reflect.TypeFor[api.LogoutRequest](),
		"PasswordRequest": reflect.TypeFor[api.PasswordRequest](),
		"LangRequest":     reflect.TypeFor[api.LangRequest](),
		"BalanceEvent":    reflect.TypeFor[api.BalanceEvent](),
	} {
		schema, ok := part.Components.Schemas[name]
		if !ok {
			t.Errorf("schema %s missing", name)
			continue
		}
		fields := jsonFields(typ)
		for field, ft := range fields {
			p, ok := schema.Properties[field]
			if !ok {
				t.Errorf("schema %s lacks %s", name, field)
				continue
			}
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			got := p.Type
			if p.Format == "int64" || p.Format == "date-time" {
				got += "/" + p.Format
			}
			if p.Ref != "" {
				got = "$ref"
			}
			var want string
			switch {
			case ft == reflect.TypeFor[time.Time]():
				want = "string/date-time"
			case ft.Kind() == reflect.Int64:
				want = "integer/int64"
			case ft.Kind() == reflect.String:
				want = "string"
			case ft.Kind() == reflect.Bool:
				want = "boolean"
			case ft.Kind() == reflect.Slice:
				want = "array"
			case ft.Kind() == reflect.Struct:
				want = "$ref"
			}
			if got != want {
				t.Errorf("schema %s.%s is %q, the Go field (%s) wants %q", name, field, got, ft, want)
			}
			if name == "BalanceEvent" && field != "code" && field != "version" && !strings.Contains(p.Description, "minutes") {
				t.Errorf("schema %s.%s does not say it is in minutes", name, field)
			}
		}
		for prop := range schema.Properties {
			if _, ok := fields[prop]; !ok {
				t.Errorf("schema %s has %s, which %s does not", name, prop, typ)
			}
		}
	}
}
