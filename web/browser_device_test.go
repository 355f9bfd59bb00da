package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"timebank/pkg/access"
	"timebank/pkg/identity"
	who "timebank/pkg/principal"
)

// A counter PC in a real browser: the admin's link /device#<token> fills the token in and leaves
// the address bar clean, one click signs the device in and opens its store's counter, the page's
// scripts cannot read the cookie, and the device page signs it out again. Screenshots of each
// screen are saved.
func TestBrowserDeviceCounter(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d := browserApp(t)
	w := newWorld(t, d)
	_, token, err := d.Users.CreateDevice(context.Background(), identity.Change{Actor: who.Operator()}, access.Counter, 0, w.sa.ID, "一号台")
	if err != nil {
		t.Fatal(err)
	}
	pc := newChrome(t)
	visit(t, pc, base+"/device#"+token)
	waitFor(t, pc, "the link fills the token in", `document.getElementById('f-token').value === '`+token+`'`)
	waitFor(t, pc, "the token leaves the address bar", `location.hash === '' && location.pathname === '/device'`)
	screenshot(t, pc, "sign-in")
	submitAndWait(t, pc, "device-submit", "counter-root")
	if got := attrAt(t, pc, "#nav-device", "href"); got != "/device" {
		t.Errorf("the counter's menu links %q for the device", got)
	}
	waitFor(t, pc, "the cookie is out of the scripts' reach", `document.cookie.indexOf('tb_device') < 0`)
	screenshot(t, pc, "counter")

	step(t, pc, "open the device page", inMenu("nav-device"), chromedp.WaitVisible(chromedp.ID("device-counter")))
	if got := textOf(t, pc, "device-info"); !strings.Contains(got, "一号台") || !strings.Contains(got, w.sa.Name) {
		t.Errorf("the device page says %q", got)
	}
	screenshot(t, pc, "device")
	submitAndWait(t, pc, "device-signout", "device-signed-out")
	visit(t, pc, base+"/stores/"+id(w.sa.ID)+"/counter")
	waitFor(t, pc, "a signed-out counter is sent to log in", `location.pathname === '/login'`)
}

// The longest menus fit a 360 px phone: the menu wraps instead of widening the page.
func TestBrowserMenuOnPhone(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d := browserApp(t)
	newWorld(t, d)
	ctx := newChrome(t)
	phone(t, ctx)
	signInWith(t, ctx, base, worldPhone(adminA), testPassword)
	visit(t, ctx, base+"/")
	waitFor(t, ctx, "every entry of an organization admin's menu is there", `document.querySelectorAll('#nav a').length === 12`)
	waitFor(t, ctx, "the page is no wider than the phone", `document.documentElement.scrollWidth <= window.innerWidth`)
	waitFor(t, ctx, "every menu entry is inside the screen",
		`Array.from(document.querySelectorAll('#nav a')).every(a => a.getBoundingClientRect().right <= window.innerWidth)`)
	screenshot(t, ctx, "home")
}
