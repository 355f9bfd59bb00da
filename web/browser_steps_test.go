package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The steps of browser tests: what a person does on a page, each failing the test with its name and
// a screenshot of the page as it was.

// stepTimeout bounds one step (a navigation, a wait for an element), so that a page that never
// shows what a test waits for fails with that step's name instead of the test's deadline.
const stepTimeout = 30 * time.Second

// Sizes of the screens the service is for: a volunteer's phone and a counter PC (the size a new
// browser starts with).
const (
	phoneWidth, phoneHeight = 360, 780
	pcWidth, pcHeight       = 1280, 860
)

// phone makes the tab a 360 px wide phone screen (touch, mobile layout).
func phone(t *testing.T, ctx context.Context) {
	t.Helper()
	step(t, ctx, "emulate a phone", chromedp.EmulateViewport(phoneWidth, phoneHeight,
		chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait, chromedp.EmulateScale(2)))
}

// step runs actions within stepTimeout; on failure it saves a screenshot of the page as it was and
// fails the test naming the step.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		where, _ := chromedp.Run(ctx, chromedp.Location())
		screenshot(t, ctx, "failed-"+what)
		t.Fatalf("browser: %s (at %s): %v", what, where, err)
	}
}

// visit opens a page of the app and waits until its title heading is shown.
func visit(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	step(t, ctx, "open "+url, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID("page-title")))
}

// fill types into the inputs with the given ids, in order (map order would shuffle them).
func fill(t *testing.T, ctx context.Context, idValue ...string) {
	t.Helper()
	if len(idValue)%2 != 0 {
		t.Fatal("fill: ids and values come in pairs")
	}
	var acts []chromedp.Action[chromedp.Void]
	for i := 0; i < len(idValue); i += 2 {
		sel := chromedp.ID(idValue[i])
		acts = append(acts, chromedp.WaitVisible(sel), chromedp.Clear(sel), chromedp.SendKeys(sel, idValue[i+1]))
	}
	step(t, ctx, "fill "+idValue[0], acts...)
}

// submitAndWait clicks a button that leads to another page and waits until an element of that
// page (by id) is shown.
func submitAndWait(t *testing.T, ctx context.Context, button, next string) {
	t.Helper()
	step(t, ctx, "click "+button, chromedp.Click(chromedp.ID(button)), chromedp.WaitVisible(chromedp.ID(next)))
}

// textOf returns the visible text of the element with the id, once it is shown.
func textOf(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	step(t, ctx, "wait for #"+id, chromedp.WaitVisible(chromedp.ID(id)))
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	txt, err := chromedp.Run(sctx, chromedp.Text(chromedp.ID(id)))
	if err != nil {
		t.Fatalf("browser: reading #%s: %v", id, err)
	}
	return strings.TrimSpace(txt)
}

// textAt returns the visible text of the first element the CSS selector finds, once it is shown.
func textAt(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	step(t, ctx, "wait for "+css, chromedp.WaitVisible(chromedp.CSS(css)))
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	txt, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("browser: reading %s: %v", css, err)
	}
	return strings.TrimSpace(txt)
}

// waitFor polls a JavaScript expression until it is true (a value the page changes by itself, such
// as the live balance), failing with what after stepTimeout.
func waitFor(t *testing.T, ctx context.Context, what, expression string) {
	t.Helper()
	step(t, ctx, what, func(c context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](expression, chromedp.WithPollingTimeout(stepTimeout),
			chromedp.WithPollingInterval(100*time.Millisecond))(c, tg)
		return chromedp.Void{}, err
	})
}

// signInWith logs in through the log-in page and waits for the balance, which it asks to be led to
// (staff would otherwise land on their work: TestStaffLanding).
func signInWith(t *testing.T, ctx context.Context, base, phone, password string) {
	t.Helper()
	visit(t, ctx, base+"/login?next=/me/balance")
	fill(t, ctx, "f-phone", phone, "f-password", password)
	submitAndWait(t, ctx, "login-submit", "balance")
}

// inMenu clicks a control of the header's menu (the language, sign-out, the navigation): on a
// phone, where the menu is closed, it is opened first, as a thumb does.
func inMenu(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(script(`var b = document.getElementById('menu-button'), e = document.getElementById('`+id+`');`+
		`if (b && b.offsetParent !== null && e && e.offsetParent === null) { b.click(); }`), chromedp.Click(chromedp.ID(id)))
}
