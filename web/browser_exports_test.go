package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A coordinator, at a 1366 px screen, picks a period on the organization page and clicks an
// export: the box shows the rows as they arrive and then the finished download with its count of
// rows, equal to the records of the period; a reversed period shows the problem's words. The same
// in English with the Excel file, and the page on a 360 px phone.
func TestBrowserOrgExport(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d := browserApp(t)
	w := newWorld(t, d)
	seedRecords(t, d.DB, w.a.ID, "7", 12, 30)
	var want int
	if err := d.DB.Get(&want, `SELECT count(*) FROM service_records WHERE org_id = $1 AND service_date BETWEEN '2026-01-05' AND '2026-01-24'`, w.a.ID); err != nil {
		t.Fatal(err)
	}
	ctx := newChrome(t)
	signInWith(t, ctx, base, tablePhone(t, coordA), testPassword)
	useWidth(t, ctx, pcWideWidth)
	visit(t, ctx, fmt.Sprintf("%s/orgs/%d#org-exports", base, w.a.ID))
	setDates := func(from, to string) {
		step(t, ctx, "choose the period "+from+" – "+to,
			chromedp.SetValue(chromedp.ID("org-exports-from"), from), chromedp.SetValue(chromedp.ID("org-exports-to"), to))
	}

	setDates("2026-03-01", "2026-02-01")
	step(t, ctx, "export a reversed period", chromedp.Click(chromedp.ID("export-records-csv")))
	waitFor(t, ctx, "the refusal shows", `document.querySelector('#org-exports-status.error') !== null`)
	if got := textOf(t, ctx, "org-exports-status"); !strings.Contains(got, "结束日期早于开始日期") {
		t.Errorf("the refusal: %q", got)
	}

	setDates("2026-01-05", "2026-01-24")
	step(t, ctx, "export the records as CSV", chromedp.Click(chromedp.ID("export-records-csv")))
	waitFor(t, ctx, "the download finishes", `document.querySelector('#org-exports-status.done') !== null`)
	if got := evalString(t, ctx, "rows", `document.getElementById('org-exports').dataset.rows`); got != fmt.Sprint(want) || want != 240 {
		t.Errorf("the page counted %s rows, want %d", got, want)
	}
	if got := textOf(t, ctx, "org-exports-status"); !strings.Contains(got, "下载完成") || !strings.Contains(got, "240") {
		t.Errorf("the finished download: %q", got)
	}
	step(t, ctx, "scroll to the exports", chromedp.ScrollIntoView(chromedp.ID("org-exports")))
	screenshot(t, ctx, "records-zh-CN-1366")

	switchLang(t, ctx, "en")
	setDates("2026-01-05", "2026-01-24")
	step(t, ctx, "export the national fields as Excel", chromedp.Click(chromedp.ID("export-records-national-xlsx")))
	waitFor(t, ctx, "the download finishes", `document.querySelector('#org-exports-status.done') !== null`)
	if got := textOf(t, ctx, "org-exports-status"); !strings.HasPrefix(got, "Done: 240 rows (") {
		t.Errorf("the finished Excel download in English, with the rows the server wrote: %q", got)
	}
	if got := evalString(t, ctx, "rows", `document.getElementById('org-exports').dataset.rows`); got != "240" {
		t.Errorf("the page counted %s rows of the workbook, want 240", got)
	}
	step(t, ctx, "scroll to the exports", chromedp.ScrollIntoView(chromedp.ID("org-exports")))
	screenshot(t, ctx, "national-en-1366")

	switchLang(t, ctx, "zh-CN")
	useWidth(t, ctx, phoneWidth)
	visit(t, ctx, fmt.Sprintf("%s/orgs/%d#org-exports", base, w.a.ID))
	fitsWidth(t, ctx, "the organization page", phoneWidth)
	step(t, ctx, "scroll to the exports", chromedp.ScrollIntoView(chromedp.ID("org-exports")))
	screenshot(t, ctx, "zh-CN-360")
}

// A store manager opens the store's exports page from its menu and downloads the stock journal:
// the page shows the finished download with its rows, equal to the journal. Screenshots at 1366 px
// in Chinese and English.
func TestBrowserStoreExport(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d := browserApp(t)
	w := newWorld(t, d)
	storeFixture(t, w, w.sa.ID)
	var want int
	if err := d.DB.Get(&want, `SELECT count(*) FROM store_movements WHERE store_id = $1`, w.sa.ID); err != nil {
		t.Fatal(err)
	}
	ctx := newChrome(t)
	signInWith(t, ctx, base, tablePhone(t, managerSA), testPassword)
	useWidth(t, ctx, pcWideWidth)
	visit(t, ctx, fmt.Sprintf("%s/stores/%d/report", base, w.sa.ID))
	step(t, ctx, "open the exports from the store's menu", chromedp.Click(chromedp.ID("store-exports")),
		chromedp.WaitVisible(chromedp.ID("store-export-box")))
	step(t, ctx, "export the stock journal", chromedp.Click(chromedp.ID("export-journal-csv")))
	waitFor(t, ctx, "the download finishes", `document.querySelector('#store-export-box-status.done') !== null`)
	if got := evalString(t, ctx, "rows", `document.getElementById('store-export-box').dataset.rows`); got != fmt.Sprint(want) || want < 2 {
		t.Errorf("the page counted %s rows, want %d", got, want)
	}
	screenshot(t, ctx, "journal-zh-CN-1366")
	switchLang(t, ctx, "en")
	step(t, ctx, "export the day reports as Excel", chromedp.Click(chromedp.ID("export-reports-xlsx")))
	waitFor(t, ctx, "the download finishes", `document.querySelector('#store-export-box-status.done') !== null`)
	screenshot(t, ctx, "reports-en-1366")
}
