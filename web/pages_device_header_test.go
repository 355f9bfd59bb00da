package web

import (
	"context"
	"io"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"timebank/pkg/activity"
	who "timebank/pkg/principal"
	"timebank/web/guard"
)

// headerOf returns the page's header.
func headerOf(t *testing.T, body string) string {
	t.Helper()
	h := regexp.MustCompile(`(?s)<header class="top">.*?</header>`).FindString(body)
	if h == "" {
		t.Fatalf("no header in the page\n%s", body)
	}
	return h
}

// A device signed in at /device is named in the header by kind and name, with its sign-out, in the
// reader's language, and the header offers no person's sign-in; signing it out there works. A device
// calling with a bearer token is named too, with nothing to sign out.
func TestDeviceHeader(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	f := actFixturesOf(t, w)

	for _, c := range []struct {
		lang, token, page, want string
	}{
		{"zh-CN", w.tokens[kioskA], "/activities/" + id(f.act[0]) + "/kiosk", "签到设备 · 签到屏"},
		{"en", w.tokens[kioskA], "/device", "Kiosk · 签到屏"},
		{"zh-CN", w.tokens[counterSA], "/stores/" + id(w.sa.ID) + "/counter", "收银设备 · 收银台"},
		{"en", w.tokens[counterSA], "/device", "Counter · 收银台"},
	} {
		b := newBrowser(t, app)
		b.lang = c.lang
		if h := headerOf(t, b.get("/device").body); !strings.Contains(h, `id="header-login"`) {
			t.Fatalf("%s: nobody is signed in, yet the header offers no sign-in", c.lang)
		}
		deviceSignIn(t, b, c.token, "")
		r := b.get(c.page)
		if r.status != 200 {
			t.Fatalf("%s %s: %d", c.lang, c.page, r.status)
		}
		h := headerOf(t, r.body)
		if got := regexp.MustCompile(`id="header-device"[^>]*>([^<]*)<`).FindStringSubmatch(h); got == nil || got[1] != c.want {
			t.Errorf("%s %s: the header names the device %v, want %q", c.lang, c.page, got, c.want)
		}
		if strings.Contains(h, `id="header-login"`) || strings.Contains(h, `href="/login"`) || strings.Contains(h, `id="logout"`) {
			t.Errorf("%s %s: the header of a device offers a person's sign-in or sign-out\n%s", c.lang, c.page, h)
		}
		if !strings.Contains(h, `action="/device/signout"`) || !strings.Contains(h, `id="header-device-signout"`) {
			t.Errorf("%s %s: the header does not offer to sign the device out\n%s", c.lang, c.page, h)
		}
	}

	// The header's sign-out form signs the device out.
	b := newBrowser(t, app)
	deviceSignIn(t, b, w.tokens[kioskA], "")
	csrf := regexp.MustCompile(`(?s)id="header-device-form".*?name="_csrf" value="([^"]+)"`).FindStringSubmatch(b.get("/device").body)
	if csrf == nil {
		t.Fatal("no anti-forgery token in the header's sign-out form")
	}
	r := b.post("/device/signout", url.Values{"_csrf": {csrf[1]}})
	if r.status != 303 || b.jar[guard.CookieDevice] != "" {
		t.Fatalf("sign-out from the header: %d (cookie %q)", r.status, b.jar[guard.CookieDevice])
	}
	if h := headerOf(t, b.get("/device").body); strings.Contains(h, `id="header-device"`) || !strings.Contains(h, `id="header-login"`) {
		t.Errorf("after the device signed out, the header still names it or lacks the sign-in\n%s", h)
	}

	// With a bearer token there is no session to end.
	req := httptest.NewRequest("GET", "/device", nil)
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Authorization", "Bearer "+w.tokens[kioskA])
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	h := headerOf(t, string(raw))
	if resp.StatusCode != 200 || !strings.Contains(h, "签到设备 · 签到屏") || strings.Contains(h, `id="header-device-signout"`) ||
		strings.Contains(h, `id="header-login"`) {
		t.Errorf("the header for a device's bearer token: %d\n%s", resp.StatusCode, h)
	}
}

// A kiosk of an organization lists the activities of the organizations under it too, naming their
// organization, and opens their kiosk pages; another organization's activity stays off its list.
func TestDeviceKioskListsSubOrgs(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	f := actFixturesOf(t, w)
	now := time.Now().Truncate(time.Minute)
	as, err := d.Activities.CreateActivities(context.Background(), &who.Principal{Name: "测试"},
		activity.NewActivity{OrgID: w.subA.ID, Title: "东山社区助老", Category: "community", Address: "东山社区活动室",
			StartsAt: now.Add(time.Hour), EndsAt: now.Add(3 * time.Hour), LeaderName: "王队长"})
	if err != nil {
		t.Fatal(err)
	}
	child := as[0].ID

	b := newBrowser(t, app)
	deviceSignIn(t, b, w.tokens[kioskA], "")
	r := b.get("/device")
	if r.status != 200 {
		t.Fatalf("device page: %d", r.status)
	}
	for _, want := range []string{
		`href="/activities/` + id(f.act[0]) + `/kiosk"`, // its own organization's
		`href="/activities/` + id(child) + `/kiosk"`,    // its sub-organization's
		`data-testid="device-org-` + id(child) + `">东山社区服务队<`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the kiosk's list lacks %s\n%s", want, r.body)
		}
	}
	if strings.Contains(r.body, `data-testid="device-org-`+id(f.act[0])+`"`) {
		t.Error("the kiosk's list names the organization of its own organization's activity")
	}
	if strings.Contains(r.body, `href="/activities/`+id(f.act[1])+`/kiosk"`) {
		t.Error("the kiosk's list shows another organization's activity")
	}
	if r := b.get("/activities/" + id(child) + "/kiosk"); r.status != 200 {
		t.Errorf("the kiosk opens its sub-organization's kiosk page: %d", r.status)
	}
}
