package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"timebank/pkg/access"
	"timebank/pkg/identity"
	who "timebank/pkg/principal"
	"timebank/web/guard"
	"timebank/web/pages"
)

// deviceSignIn enters the token on the device page of the browser, as a person at the device does,
// and checks that the device is signed in and sent on.
func deviceSignIn(t *testing.T, b *browser, token, next string) response {
	t.Helper()
	r := b.submit("/device", url.Values{"token": {token}, "next": {next}})
	if r.status != 303 || b.jar[guard.CookieDevice] == "" {
		t.Fatalf("device sign-in: %d %q %s", r.status, r.location(), r.body)
	}
	return r
}

// deviceCookieHeader returns the Set-Cookie header of the device cookie.
func deviceCookieHeader(r response) string {
	for _, h := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(h, guard.CookieDevice+"=") {
			return h
		}
	}
	return ""
}

// sendJSON sends a JSON request with the browser's cookies, as a page's script does.
func (b *browser) sendJSON(method, path, body, csrf string) (int, string) {
	b.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if csrf != "" {
		req.Header.Set(guard.HeaderCSRF, csrf)
	}
	for k, v := range b.jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := b.app.Test(req, -1)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// A counter computer signs in once with its token and goes to its counter; the cookie holds a
// session id, never the token; the device's forms and scripts pass the anti-forgery check; it cannot
// open a person's pages, another store's counter or a kiosk; revoking the device stops the cookie
// on the next request.
func TestDeviceSignInCounter(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	dev, token, err := d.Users.CreateDevice(ctx, identity.Change{Actor: who.Operator()}, access.Counter, 0, w.sa.ID, "一号台")
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	form := b.get("/device")
	if form.status != 200 || !strings.Contains(form.body, `id="device-form"`) {
		t.Fatalf("device page: %d", form.status)
	}
	inputsLabelled(t, "device", form.body)
	if r := b.post("/device", url.Values{"token": {token}}); r.status != 403 || b.jar[guard.CookieDevice] != "" {
		t.Fatalf("sign-in without the anti-forgery token: %d", r.status)
	}
	r := deviceSignIn(t, b, token, "")
	counter := "/stores/" + id(w.sa.ID) + "/counter"
	if r.location() != counter {
		t.Errorf("a counter goes to %q, want %q", r.location(), counter)
	}
	ck := deviceCookieHeader(r)
	for _, want := range []string{"HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(strings.ToLower(ck), strings.ToLower(want)) {
			t.Errorf("device cookie %q lacks %s", ck, want)
		}
	}
	if strings.Contains(ck, token) || strings.Contains(ck, "tbd_") {
		t.Errorf("the cookie holds the device token: %q", ck)
	}
	if r := b.get(counter); r.status != 200 || !strings.Contains(r.body, `id="counter-root"`) {
		t.Fatalf("counter page: %d", r.status)
	}
	if r := b.get("/device"); r.status != 200 || !strings.Contains(r.body, `id="device-counter"`) || !strings.Contains(r.body, "一号台") {
		t.Errorf("the device page of a signed-in counter: %d", r.status)
	}

	// What the device may not open.
	act := actFixturesOf(t, w).act[0]
	for _, path := range []string{"/stores/" + id(w.sb.ID) + "/counter", "/me/balance", "/me", "/stores", "/me/orders",
		"/activities/" + id(act) + "/kiosk", "/stores/" + id(w.sa.ID) + "/items"} {
		if r := b.get(path); r.status != 403 {
			t.Errorf("a counter device opened %s: %d", path, r.status)
		}
	}
	if st, _ := b.sendJSON("GET", "/api/v1/me", "", ""); st != 403 {
		t.Errorf("a counter device read /api/v1/me: %d", st)
	}

	// Writes with the cookie need the token the page gives; with it they reach the handler.
	scan := counter + "/scan"
	if r := b.post(scan, url.Values{"code": {"nonsense"}}); r.status != 403 {
		t.Errorf("a counter form post without the anti-forgery token: %d", r.status)
	}
	if r := b.submit(scan, url.Values{"code": {"nonsense"}}); r.status == 403 || r.status >= 500 {
		t.Errorf("a counter form post with the anti-forgery token: %d %s", r.status, r.body)
	}
	stores := "/api/v1/stores/" + id(w.sa.ID)
	if st, body := b.sendJSON("GET", stores, "", ""); st != 200 {
		t.Errorf("the counter's store through the API with the cookie: %d %s", st, body)
	}

	// Revoked: the very next request is anonymous, and the session is gone from Redis.
	if err := d.Users.RevokeDevice(ctx, identity.Change{Actor: who.Operator()}, dev.ID); err != nil {
		t.Fatal(err)
	}
	if r := b.get(counter); r.status != 303 || !strings.HasPrefix(r.location(), "/login") {
		t.Errorf("a revoked device's cookie still opens the counter: %d %q", r.status, r.location())
	}
	key, _ := deviceSessionKeyFor(t, d, b.jar[guard.CookieDevice])
	if n, err := d.Redis.Exists(ctx, key).Result(); err != nil || n != 0 {
		t.Errorf("the revoked device's session is still in Redis (%d, %v)", n, err)
	}
	// Its token cannot sign in again either.
	if r := b.submit("/device", url.Values{"token": {token}}); r.status != 422 {
		t.Errorf("a revoked token signed in: %d", r.status)
	}
}

// deviceSessionKeyFor is the Redis key of a device session id, as the server computes it.
func deviceSessionKeyFor(t *testing.T, d services, sid string) (string, bool) {
	t.Helper()
	return guard.New(d.Config, nil, nil, nil, nil, nil, nil, nil).DeviceSessionKey(sid)
}

// A kiosk signs in and lands on its organization's activities, or on the page it came from; the
// kiosk page and its script's API calls work with the cookie, another organization's kiosk does not.
func TestDeviceSignInKiosk(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	f := actFixturesOf(t, w)
	kiosk := "/activities/" + id(f.act[0]) + "/kiosk"

	b := newBrowser(t, app)
	if r := deviceSignIn(t, b, w.tokens[kioskA], ""); r.location() != "/device" {
		t.Errorf("a kiosk goes to %q, want /device", r.location())
	}
	list := b.get("/device")
	if list.status != 200 || !strings.Contains(list.body, `href="`+kiosk+`"`) {
		t.Fatalf("the kiosk's list does not link its organization's activity: %d\n%s", list.status, list.body)
	}
	if r := b.get(kiosk); r.status != 200 {
		t.Fatalf("kiosk page: %d", r.status)
	}
	if r := b.get(kiosk + "/status"); r.status != 200 {
		t.Errorf("kiosk status: %d", r.status)
	}
	if r := b.get("/activities/" + id(f.act[1]) + "/kiosk"); r.status != 403 {
		t.Errorf("a kiosk of A opened B's kiosk: %d", r.status)
	}
	if r := b.get("/activities/manage"); r.status != 403 {
		t.Errorf("a kiosk opened the coordinator's page: %d", r.status)
	}
	scans := "/api/v1/activities/" + id(f.act[0]) + "/scans"
	if st, body := b.sendJSON("POST", scans, malformed, ""); st != 403 || !strings.Contains(body, "csrf") {
		t.Errorf("a kiosk's API write without the anti-forgery token: %d %s", st, body)
	}
	if st, body := b.sendJSON("POST", scans, malformed, b.csrf()); st != 400 {
		t.Errorf("a kiosk's API write with the anti-forgery token: %d %s (want 400 for the malformed body)", st, body)
	}

	// Sent to sign in from the kiosk page, it comes back there: the log-in page links the device
	// sign-in with the same next.
	other := newBrowser(t, app)
	login := other.get(kiosk)
	if login.status != 303 {
		t.Fatalf("the kiosk page signed out: %d", login.status)
	}
	href := attrOf(t, other.get(login.location()).body, "to-device", "href")
	if u, err := url.Parse(href); err != nil || u.Path != "/device" || u.Query().Get("next") != kiosk {
		t.Errorf("the log-in page links the device sign-in as %q", href)
	}
	if r := deviceSignIn(t, other, w.tokens[kioskA], kiosk); r.location() != kiosk {
		t.Errorf("after sign-in with next: %q", r.location())
	}
	if r := other.submit("/device", url.Values{"token": {w.tokens[kioskA]}, "next": {"//evil.example/"}}); r.location() != "/device" {
		t.Errorf("next to another site: %q", r.location())
	}
}

// A wrong token is refused with a clear message in the reader's language and no cookie; past the
// limit, every try from the address is refused for a while, a right one too.
func TestDeviceSignInWrongToken(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	for _, c := range []struct{ lang, want string }{
		{"zh-CN", "设备令牌不存在或已吊销"},
		{"en", "No such device token, or it was revoked"},
	} {
		b := newBrowser(t, app)
		b.lang = c.lang
		r := b.submit("/device", url.Values{"token": {"tbd_not-a-device-token"}})
		if r.status != 422 || !strings.Contains(r.body, c.want) || !strings.Contains(r.body, `id="error-summary"`) {
			t.Errorf("%s: wrong token: %d\n%s", c.lang, r.status, r.body)
		}
		if deviceCookieHeader(r) != "" || b.jar[guard.CookieDevice] != "" {
			t.Errorf("%s: a wrong token got a cookie", c.lang)
		}
		if strings.Contains(r.body, "tbd_not-a-device-token") {
			t.Errorf("%s: the page shows the token again", c.lang)
		}
	}
	// The form is the only way in: an app sends the token as a bearer header.
	b := newBrowser(t, app)
	if st, body := b.sendJSON("POST", "/device", `{"token":"`+w.tokens[counterSA]+`"}`, ""); st != 415 || !strings.Contains(body, "content_type") {
		t.Errorf("JSON sign-in: %d %s", st, body)
	}
	if r := b.submit("/device", url.Values{"token": {""}}); r.status != 422 {
		t.Errorf("no token: %d", r.status)
	}

	// 3 wrong tries were made above: 7 more reach the limit.
	for i := range pages.DeviceFailuresPerAddr - 3 {
		if r := b.submit("/device", url.Values{"token": {"tbd_wrong"}}); r.status != 422 {
			t.Fatalf("wrong try %d: %d", i, r.status)
		}
	}
	r := b.submit("/device", url.Values{"token": {"tbd_wrong"}})
	if r.status != 429 || !strings.Contains(r.body, "尝试次数过多") {
		t.Errorf("past the limit: %d\n%s", r.status, r.body)
	}
	if r := b.submit("/device", url.Values{"token": {w.tokens[counterSA]}}); r.status != 429 || b.jar[guard.CookieDevice] != "" {
		t.Errorf("a right token past the limit: %d (cookie %q)", r.status, b.jar[guard.CookieDevice])
	}
}

// Signing the device out ends its session: the same cookie, sent again, opens nothing. Signing a
// device in where a person is signed in signs the person out.
func TestDeviceSignOut(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	counter := "/stores/" + id(w.sa.ID) + "/counter"

	b := signedInAs(t, app, clerkSA)
	person := b.jar[guard.CookieSession]
	if r := b.get("/device"); !strings.Contains(r.body, `id="device-person-note"`) {
		t.Error("the device page does not warn that the person will be signed out")
	}
	deviceSignIn(t, b, w.tokens[counterSA], "")
	if b.jar[guard.CookieSession] != "" {
		t.Error("the person's cookie is kept after a device signed in")
	}
	if _, err := d.Sessions.Get(context.Background(), person); err == nil {
		t.Error("the person's session still exists after a device signed in in the browser")
	}
	if r := b.get("/"); strings.Contains(r.body, `data-testid="user-name"`) || !strings.Contains(r.body, `id="nav-device"`) {
		t.Error("the home page after a device signed in still shows the person or lacks the device's entry")
	}

	sid := b.jar[guard.CookieDevice]
	if r := b.post("/device/signout", url.Values{}); r.status != 403 {
		t.Errorf("sign-out without the anti-forgery token: %d", r.status)
	}
	r := b.submit("/device/signout", url.Values{})
	if r.status != 303 || r.location() != "/device?done=signed-out" || b.jar[guard.CookieDevice] != "" {
		t.Fatalf("sign-out: %d %q (cookie %q)", r.status, r.location(), b.jar[guard.CookieDevice])
	}
	if r := b.get(r.location()); !strings.Contains(r.body, `id="device-signed-out"`) || !strings.Contains(r.body, `id="device-form"`) {
		t.Error("the device page after sign-out")
	}
	b.jar[guard.CookieDevice] = sid
	if r := b.get(counter); r.status != 303 {
		t.Errorf("a signed-out session still opens the counter: %d", r.status)
	}
	// Forged or malformed cookies are ignored, never an error.
	for _, bad := range []string{"x", strings.Repeat("A", 43), w.tokens[counterSA], sid + "A"} {
		b.jar[guard.CookieDevice] = bad
		if r := b.get("/"); r.status != 200 || strings.Contains(r.body, `id="nav-device"`) {
			t.Errorf("cookie %q: %d", bad, r.status)
		}
	}
}
