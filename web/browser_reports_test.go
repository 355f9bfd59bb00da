package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A county's auditor reads the county's figures in a real browser, drills down to a street by its
// link, and sees the page fit a 360 px phone (nothing wider than the screen but the tables, which
// scroll) and a 1366 px screen, in Chinese and English. Screenshots of each.
func TestBrowserRegionDashboard(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	app, d := newTestApp(t)
	base := serve(t, app)
	reportWorld(t, d)
	ctx := newChrome(t)
	const period = "?from=2026-10-01&to=2026-11-30"
	fits := func(what string) {
		t.Helper()
		waitFor(t, ctx, what+" fits the screen", `document.documentElement.scrollWidth <= window.innerWidth + 1`)
		waitFor(t, ctx, what+": the chart fits", `document.getElementById('chart-hours').getBoundingClientRect().right <= window.innerWidth`)
	}
	signInWith(t, ctx, base, tablePhone(t, auditorHN), testPassword)
	visit(t, ctx, base+"/regions/330481000000"+period)
	if got := textOf(t, ctx, "total-hours"); got != "3.75" {
		t.Errorf("海宁市's hours: %q", got)
	}
	phone(t, ctx)
	fits("the county on a phone")
	screenshot(t, ctx, "county-zh-CN-360")
	step(t, ctx, "a 1366 px screen", chromedp.EmulateViewport(1366, 900))
	screenshot(t, ctx, "county-zh-CN-1366")

	step(t, ctx, "drill down to 硖石街道", chromedp.Click(chromedp.CSS(`#report-parts a[href^="/regions/330481001000"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#report-parts a[href^="/orgs/"]`)))
	if got := textOf(t, ctx, "page-title"); got != "硖石街道" {
		t.Errorf("after the drill-down: %q", got)
	}
	if got := textOf(t, ctx, "total-hours"); got != "2.75" {
		t.Errorf("硖石街道's hours for the same period: %q", got)
	}
	screenshot(t, ctx, "street-zh-CN-1366")
	phone(t, ctx)
	fits("the street on a phone")
	screenshot(t, ctx, "street-zh-CN-360")

	switchLang(t, ctx, "en")
	if got := textAt(t, ctx, `#report figcaption`); !strings.Contains(got, "Verified service hours by month") {
		t.Errorf("the English chart: %q", got)
	}
	fits("the English street on a phone")
	screenshot(t, ctx, "street-en-360")
	step(t, ctx, "a 1366 px screen", chromedp.EmulateViewport(1366, 900))
	screenshot(t, ctx, "street-en-1366")
	visit(t, ctx, base+"/regions/330481000000"+period)
	screenshot(t, ctx, "county-en-1366")
	phone(t, ctx)
	fits("the English county on a phone")
	screenshot(t, ctx, "county-en-360")
}
