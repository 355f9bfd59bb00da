package web

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

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
	file := filepath.Join(dir, screenshotName(t, name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	t.Logf("screenshot: %s", file)
}

// screenshotName is the file name of the test's screenshot called name.
func screenshotName(t *testing.T, name string) string {
	return unsafeName.ReplaceAllString(t.Name()+"-"+name, "_") + ".png"
}
