package web

import (
	"net/url"
	"strings"
	"testing"
)

// The figures on the pages: a region's staff land on their region's figures; a county's page links
// each street with the period (drill-down), a street's page lists its organizations; an
// organization's page ranks its volunteers, names in full for its coordinator and masked for the
// street's administrator; a store's page for its manager; a bad period is a 400 page; English pages
// say it in English.
func TestReportPages(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w, _ := reportWorld(t, d)
	const period = "?from=2026-10-01&to=2026-11-30"

	xs := browserAs(t, app, regionXS)
	r := xs.get("/regions")
	if r.status != 200 || !strings.Contains(r.body, `data-testid="report-totals"`) || !strings.Contains(r.body, "<svg") {
		t.Fatalf("the street administrator's landing shows no figures: %d\n%s", r.status, r.body)
	}
	r = xs.get("/regions/330481001000" + period)
	for _, want := range []string{`id="total-hours">2.75<`, `href="/orgs/` + id(w.a.ID) + `/summary` + period, "2026-10", "2026-11",
		`<title id="chart-hours-title">每月核实服务时长（小时）</title>`, `href="/api/v1/regions/330481001000/summary.xlsx` + period} {
		if !strings.Contains(r.body, strings.ReplaceAll(want, "&", "&amp;")) {
			t.Errorf("the street's page lacks %q", want)
		}
	}
	au := browserAs(t, app, auditorHN)
	r = au.get("/regions/330481000000" + period)
	for _, want := range []string{`href="/regions/330481001000` + period, `href="/regions/330481002000` + period, `id="total-hours">3.75<`} {
		if !strings.Contains(r.body, strings.ReplaceAll(want, "&", "&amp;")) {
			t.Errorf("the county's page lacks %q", want)
		}
	}
	if r = xs.get("/regions/330481001000?from=2026-11-02&to=2026-11-01"); r.status != 400 {
		t.Errorf("a period ending before it starts: %d", r.status)
	}
	if r = xs.get("/regions/330481002000"); r.status != 403 {
		t.Errorf("a sibling street: %d", r.status)
	}

	coord := browserAs(t, app, coordA)
	r = coord.get("/orgs/" + id(w.a.ID) + "/summary" + period)
	if r.status != 200 || !strings.Contains(r.body, `data-testid="report-ranking"`) || strings.Contains(textOfRanking(r.body), "*") {
		t.Errorf("A's page for its coordinator: %d %q", r.status, textOfRanking(r.body))
	}
	if r = coord.get("/orgs/" + id(w.b.ID) + "/summary"); r.status != 403 {
		t.Errorf("another organization's figures for A's coordinator: %d", r.status)
	}
	r = xs.get("/orgs/" + id(w.a.ID) + "/summary" + period)
	if !strings.Contains(textOfRanking(r.body), "*") {
		t.Errorf("A's ranking for the street's administrator is not masked: %q", textOfRanking(r.body))
	}
	mgr := browserAs(t, app, managerSA)
	r = mgr.get("/stores/" + id(w.sa.ID) + "/summary")
	if r.status != 200 || !strings.Contains(r.body, `id="store-summary"`) {
		t.Errorf("SA's page for its manager: %d", r.status)
	}
	if r = browserAs(t, app, clerkSA).get("/stores/" + id(w.sa.ID) + "/summary"); r.status != 403 {
		t.Errorf("SA's figures for its clerk: %d", r.status)
	}

	if r := xs.submit("/lang", url.Values{"lang": {"en"}, "next": {"/regions/330481001000"}}); r.status != 303 {
		t.Fatalf("switching to English: %d", r.status)
	}
	r = xs.get("/regions/330481001000" + period)
	for _, want := range []string{"Verified service hours by month", "Volunteer-days", "Download Excel", ">Oct<"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the English page lacks %q", want)
		}
	}
	for _, zh := range []string{"统计数据", "服务人次", "每月核实", "10月"} {
		if strings.Contains(r.body, zh) {
			t.Errorf("the English page says %q", zh)
		}
	}
}

// textOfRanking is the ranking list of a page's HTML.
func textOfRanking(body string) string {
	i := strings.Index(body, `data-testid="report-ranking"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</ol>")
	return body[i : i+j]
}
