package web

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Browser tests drive the real app, served on a real port, with Debian's Chromium headless through
// the DevTools protocol (chromedp): what a volunteer's phone or a counter PC does, scripts and all.
// Each test saves screenshots, so that a person can look at what the user saw.

// chromiumPath is where Debian's chromium package puts its launcher; scripts/chromium.sh installs
// it (make test runs the script).
const chromiumPath = "/usr/bin/chromium"

// browserTestTimeout bounds one browser test, start-up included: generous, because the machine
// running the tests may be busy, but a hung browser must not hold the whole suite.
const browserTestTimeout = 2 * time.Minute

// stepTimeout bounds one step (a navigation, a wait for an element), so that a page that never
// shows what a test waits for fails with that step's name instead of the test's deadline.
const stepTimeout = 30 * time.Second

// Sizes of the screens the service is for: a volunteer's phone and a counter PC.
const (
	phoneWidth, phoneHeight = 360, 780
	pcWidth, pcHeight       = 1280, 860
)

// browserApp starts the real app (a fresh database and Redis prefix) on 127.0.0.1 on a free port
// and returns its base URL with the app's dependencies.
func browserApp(t *testing.T) (base string, d Deps) {
	t.Helper()
	app, d := newTestApp(t)
	return serve(t, app), d
}

// findChromium returns Chromium's path, or fails the test saying how to install it: a browser
// test that silently skipped would let a broken page through.
func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TIMEBANK_CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat(chromiumPath); err == nil {
		return chromiumPath
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Fatalf("Chromium is not installed (looked for %s and chromium on PATH). Install it with "+
		"`bash scripts/chromium.sh` (make test runs it; it installs Debian's chromium and fonts-noto-cjk), "+
		"or point TIMEBANK_CHROMIUM at a Chromium or Chrome binary.", chromiumPath)
	return ""
}

// newChrome starts a fresh headless Chromium (its own temporary profile, so no cookies from another
// test) for the test, sized like a counter PC, and returns the context of its first tab. The
// browser ends with the test. Uncaught script errors and content-security-policy violations on
// any page fail the test (see watchConsole).
func newChrome(t *testing.T) context.Context {
	t.Helper()
	path := findChromium(t)
	var out syncBuffer
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in containers, where the sandbox cannot start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), // /dev/shm is tiny in containers
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("password-store", "basic"),
		// A browser in Zhejiang asks for Chinese; the English pages are reached with the switch.
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"),
		chromedp.WindowSize(pcWidth, pcHeight),
		chromedp.CombinedOutput(&out),
		// No UserDataDir: the allocator makes a fresh temporary profile for this browser and removes
		// it when the browser has ended.
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit
	})
	// The first action starts the browser; its context must not carry a deadline, which would end
	// the browser with it. The test's deadline goes on the contexts derived below.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium (%s): %v\n%s", path, err, out.String())
	}
	watchConsole(t, ctx)
	ctx, cancel := context.WithTimeout(ctx, browserTestTimeout)
	t.Cleanup(cancel)
	return ctx
}

// newTab opens another tab with cookies of its own (a separate browser context, like a private
// window), for a second person in the same test.
func newTab(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	watchConsole(t, tab)
	return tab
}

// watchConsole records what the tab's pages write to the console, and at the end of the test
// fails it for an uncaught exception or a refused script or style (a content-security-policy
// violation: something the page needs that the policy blocks). Other messages are logged.
func watchConsole(t *testing.T, ctx context.Context) {
	t.Helper()
	var mu sync.Mutex
	var problems, notes []string
	msgs := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range msgs {
			if err != nil {
				return
			}
			line := fmt.Sprintf("%s %s (%s:%d)", m.Type, m.Text, m.URL, m.Line+1)
			mu.Lock()
			if m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
				problems = append(problems, line)
			} else {
				notes = append(notes, line)
			}
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, n := range notes {
			t.Logf("browser console: %s", n)
		}
		for _, p := range problems {
			t.Errorf("browser console: %s", p)
		}
	})
}

// phone makes the tab a 360 px wide phone screen (touch, mobile layout).
func phone(t *testing.T, ctx context.Context) {
	t.Helper()
	step(t, ctx, "emulate a phone", chromedp.EmulateViewport(phoneWidth, phoneHeight,
		chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait, chromedp.EmulateScale(2)))
}

// counterPC makes the tab a counter PC's screen again.
func counterPC(t *testing.T, ctx context.Context) {
	t.Helper()
	step(t, ctx, "emulate a PC", chromedp.EmulateViewport(pcWidth, pcHeight))
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

// signInWith logs in through the log-in page and waits for the page it leads to (the balance).
func signInWith(t *testing.T, ctx context.Context, base, phone, password string) {
	t.Helper()
	visit(t, ctx, base+"/login")
	fill(t, ctx, "f-phone", phone, "f-password", password)
	submitAndWait(t, ctx, "login-submit", "balance")
}

// screenshotDir is where screenshots go: $TIMEBANK_TEST_OUTPUT (the Makefile sets test-output/),
// else a temporary folder, whose path the test log names.
var screenshotDir = sync.OnceValues(func() (string, error) {
	dir := os.Getenv("TIMEBANK_TEST_OUTPUT")
	if dir == "" {
		return os.MkdirTemp("", "timebank-screenshots-")
	}
	dir = filepath.Join(dir, "screenshots")
	return dir, os.MkdirAll(dir, 0o755)
})

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// screenshot saves the whole page as <test>-<name>.png in the screenshot folder. A screenshot that
// cannot be taken is logged, not failed: it is for people, the assertions are elsewhere.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir, err := screenshotDir()
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	file := filepath.Join(dir, unsafeName.ReplaceAllString(t.Name()+"-"+name, "_")+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	t.Logf("screenshot: %s", file)
}

// syncBuffer collects the browser's output from its goroutine, for the message when it does not
// start.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b.Len() < 64<<10 {
		s.b.Write(p)
	}
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The infrastructure itself: the browser starts, reaches the app, gets Chinese by default, runs
// the page's script under the content security policy, and a screenshot is written.
func TestBrowserInfrastructure(t *testing.T) {
	base, _ := browserApp(t)
	ctx := newChrome(t)
	phone(t, ctx)
	visit(t, ctx, base+"/")
	if got := textOf(t, ctx, "page-title"); !strings.Contains(got, "志愿服务时间") {
		t.Errorf("the home page's title in a Chinese browser: %q", got)
	}
	screenshot(t, ctx, "home-phone")
	// app.js ran: the log-in page's "show password" button is hidden until the script shows it.
	visit(t, ctx, base+"/login")
	step(t, ctx, "the script shows the reveal button", chromedp.WaitVisible(chromedp.CSS(`button[data-reveal="f-password"]`)))
	dir, err := screenshotDir()
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "probe")
	file := filepath.Join(dir, unsafeName.ReplaceAllString(t.Name()+"-probe", "_")+".png")
	b, err := os.ReadFile(file)
	if err != nil || len(b) < 8 || string(b[1:4]) != "PNG" {
		t.Fatalf("the screenshot %s is not a PNG (%d bytes): %v", file, len(b), err)
	}
}
