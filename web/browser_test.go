package web

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
const browserTestTimeout = 4 * time.Minute

// browserApp starts the real app (a fresh database and Redis prefix) on 127.0.0.1 on a free port
// and returns its base URL with the app's dependencies.
func browserApp(t *testing.T) (base string, d services) {
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

// chrome is the test process's one Chromium: starting a browser takes seconds of a busy machine,
// so the browser tests share it, each in browser contexts of its own (see newChrome). TestMain
// ends it.
var chrome struct {
	once   sync.Once
	ctx    context.Context // the browser's first tab, which keeps it running
	cancel func()          // ends the browser and removes its profile
	err    error
	out    syncBuffer
	// height is the height of the first window's page; a window opened later has no tab strip,
	// so a test's window is given the first one's (see newChrome).
	height int64
}

// startChrome starts the process's Chromium on first use, sized like a counter PC.
func startChrome(t *testing.T) context.Context {
	t.Helper()
	path := findChromium(t)
	chrome.once.Do(func() {
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
			chromedp.CombinedOutput(&chrome.out),
			// No UserDataDir: the allocator makes a temporary profile for the browser and removes
			// it when the browser has ended.
		}
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelTab := chromedp.NewContext(allocCtx)
		chrome.ctx = ctx
		chrome.cancel = func() {
			cancelTab()
			cancelAlloc() // waits for the browser to exit
		}
		// The first action starts the browser; its context must not carry a deadline, which would
		// end the browser with it. A test's deadline goes on the contexts derived from it.
		if chrome.err = chromedp.Do(ctx); chrome.err == nil {
			chrome.height, chrome.err = chromedp.Run(ctx, chromedp.Evaluate[int64](`innerHeight`))
		}
	})
	if chrome.err != nil {
		t.Fatalf("starting Chromium (%s): %v\n%s", path, chrome.err, chrome.out.String())
	}
	return chrome.ctx
}

// endChrome ends the process's Chromium, if one was started.
func endChrome() {
	if chrome.cancel != nil {
		chrome.cancel()
	}
}

// newChrome opens a window of its own for the test (a fresh browser context: no cookies, storage
// or cache of another test, as a browser with a fresh profile), sized like a counter PC, and
// returns its context. The window closes with the test. Uncaught script errors and
// content-security-policy violations on any page fail the test (see watchConsole).
func newChrome(t *testing.T) context.Context {
	t.Helper()
	ctx, cancelTab := chromedp.NewContext(startChrome(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancelTab) // closes the window and disposes of its browser context
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(pcWidth, chrome.height)); err != nil {
		t.Fatalf("opening a window: %v", err)
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
	t.Parallel()
	base, _ := browserApp(t)
	ctx := newChrome(t)
	// A test's window, in the browser the tests share, is sized like the browser's own first
	// window: a counter PC's.
	const size = `innerWidth + "x" + innerHeight`
	got, first := evalString(t, ctx, "the window's size", size), evalString(t, chrome.ctx, "the first window's size", size)
	if got != first || !strings.HasPrefix(got, fmt.Sprint(pcWidth)+"x") {
		t.Errorf("a test's window is %s, the browser's first %s, want %d wide", got, first, pcWidth)
	}
	phone(t, ctx)
	visit(t, ctx, base+"/")
	if got := textOf(t, ctx, "page-title"); !strings.Contains(got, "志愿服务获得的时间币") {
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
	file := filepath.Join(dir, screenshotName(t, "probe"))
	b, err := os.ReadFile(file)
	if err != nil || len(b) < 8 || string(b[1:4]) != "PNG" {
		t.Fatalf("the screenshot %s is not a PNG (%d bytes): %v", file, len(b), err)
	}
}
