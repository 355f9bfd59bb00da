package web

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"timebank/pkg/org"
	who "timebank/pkg/principal"
	"timebank/pkg/report"
	"timebank/web/api"
)

// reportWorld is the authorization world with verified records in two months: the volunteer served
// organization A (硖石街道) 120 and 45 minutes, B (桐乡市) 300, and an organization of 海洲街道 (a
// sibling street of 硖石街道 in 海宁市) 60; the daily figures are rebuilt from them.
func reportWorld(t *testing.T, d services) (*world, org.Org) {
	t.Helper()
	ctx := context.Background()
	w := newWorld(t, d)
	op := &who.Principal{Name: "operator"}
	if _, err := d.Orgs.CreateRegion(ctx, op, org.NewRegion{Code: "330481002000", Name: "海洲街道"}); err != nil {
		t.Fatal(err)
	}
	hz, err := d.Orgs.CreateOrg(ctx, op, org.NewOrg{Name: "海洲街道志愿者服务站", RegionCode: "330481002000",
		Status: org.Filed, FiledBy: "330481002000"})
	if err != nil {
		t.Fatal(err)
	}
	vol := principalID(t, w, volunteer)
	certRecord(t, d, w.a.ID, vol, "2026-10-15", "敬老院陪护", 120)
	certRecord(t, d, w.a.ID, vol, "2026-11-03", "社区读报", 45)
	certRecord(t, d, w.b.ID, vol, "2026-10-20", "河道清理", 300)
	certRecord(t, d, hz.ID, vol, "2026-11-05", "助餐送餐", 60)
	if _, err := d.Reports.Rebuild(ctx, time.Date(2026, 10, 1, 0, 0, 0, 0, actCST), time.Time{}); err != nil {
		t.Fatal(err)
	}
	return w, hz
}

// The summaries: a region's totals, months and parts; an organization's ranking, in full for its own
// people and masked for a region's; who may read what; bad periods and codes refused in the caller's
// language; the workbook's typed cells.
func TestReportSummaryAPI(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w, _ := reportWorld(t, d)
	const period = "?from=2026-10-01&to=2026-11-30"

	var county report.Summary
	storeReq(t, app, w.tokens[auditorHN], "GET", "/api/v1/regions/330481000000/summary"+period, "").ok(t, 200, &county)
	if county.Totals.ScanMinutes != 225 || county.Totals.VolunteerDays != 3 || county.Totals.NewVolunteers != 2 ||
		county.Totals.Activities != 3 || county.Level != "county" {
		t.Errorf("海宁市: %+v", county)
	}
	parts := map[string]int64{}
	for _, p := range county.Parts {
		parts[p.Kind+" "+p.Name] = p.ScanMinutes
	}
	if parts["region 硖石街道"] != 165 || parts["region 海洲街道"] != 60 || len(parts) != 2 {
		t.Errorf("海宁市's parts: %v", parts)
	}
	if len(county.Months) != 2 || county.Months[0].Month != "2026-10" || county.Months[0].ScanMinutes != 120 ||
		county.Months[1].ScanMinutes != 105 {
		t.Errorf("海宁市 by month: %+v", county.Months)
	}

	// Days that are not whole months come from the daily figures: 15 October to 4 November holds A's
	// two records but not 海洲街道's of 5 November.
	var partial report.Summary
	storeReq(t, app, w.tokens[auditorHN], "GET", "/api/v1/regions/330481000000/summary?from=2026-10-15&to=2026-11-04", "").ok(t, 200, &partial)
	if partial.Totals.ScanMinutes != 165 || len(partial.Months) != 2 {
		t.Errorf("海宁市 from 15 October to 4 November: %+v", partial)
	}
	storeReq(t, app, w.tokens[auditorHN], "GET", "/api/v1/regions/330481000000/summary?from=2026-10-16&to=2026-11-05", "").ok(t, 200, &partial)
	if partial.Totals.ScanMinutes != 105 {
		t.Errorf("海宁市 from 16 October to 5 November: %+v", partial.Totals)
	}

	var street report.Summary
	storeReq(t, app, w.tokens[regionXS], "GET", "/api/v1/regions/330481001000/summary"+period, "").ok(t, 200, &street)
	if street.Totals.ScanMinutes != 165 || street.Code != "330481001000" {
		t.Errorf("硖石街道: %+v", street.Totals)
	}
	// A region's administrator reads neither a sibling street nor the county above.
	storeReq(t, app, w.tokens[regionXS], "GET", "/api/v1/regions/330481002000/summary", "").problem(t, 403, "forbidden")
	storeReq(t, app, w.tokens[regionXS], "GET", "/api/v1/regions/330481000000/summary", "").problem(t, 403, "forbidden")
	// An organization's coordinator reads their own organization, not another.
	storeReq(t, app, w.tokens[coordA], "GET", "/api/v1/orgs/"+id(w.b.ID)+"/summary", "").problem(t, 403, "forbidden")
	storeReq(t, app, w.tokens[clerkSA], "GET", "/api/v1/stores/"+id(w.sa.ID)+"/summary", "").problem(t, 403, "forbidden")

	var own, seen report.Summary
	storeReq(t, app, w.tokens[coordA], "GET", "/api/v1/orgs/"+id(w.a.ID)+"/summary"+period, "").ok(t, 200, &own)
	storeReq(t, app, w.tokens[regionXS], "GET", "/api/v1/orgs/"+id(w.a.ID)+"/summary"+period, "").ok(t, 200, &seen)
	if len(own.Ranking) != 1 || own.Ranking[0].Minutes != 165 || strings.Contains(own.Ranking[0].Name, "*") {
		t.Errorf("A's ranking for its coordinator: %+v", own.Ranking)
	}
	if len(seen.Ranking) != 1 || !strings.Contains(seen.Ranking[0].Name, "*") || seen.Ranking[0].Name == own.Ranking[0].Name {
		t.Errorf("A's ranking for the street's administrator is not masked: %+v", seen.Ranking)
	}
	if len(own.Parts) != 1 || own.Parts[0].Kind != "store" || own.Parts[0].Name != "硖石公益仓" {
		t.Errorf("A's parts: %+v", own.Parts)
	}
	var shop report.Summary
	storeReq(t, app, w.tokens[managerSA], "GET", "/api/v1/stores/"+id(w.sa.ID)+"/summary", "").ok(t, 200, &shop)
	if shop.Kind != "store" || len(shop.Ranking) != 1 || !strings.Contains(shop.Ranking[0].Name, "*") {
		t.Errorf("SA for its manager: %+v", shop)
	}

	for q, field := range map[string]string{
		"?from=2026-11-02&to=2026-11-01": "to",
		"?from=2026-13-01":               "from",
		"?to=yesterday":                  "to",
		"?from=2000-01-01&to=2026-01-01": "from",
	} {
		p := storeReq(t, app, w.tokens[regionXS], "GET", "/api/v1/regions/330481001000/summary"+q, "", "Accept-Language", "zh-CN").
			problem(t, 400, "invalid-request")
		if len(p.Errors) != 1 || p.Errors[0].Field != field || !containsHan(p.Errors[0].Message) {
			t.Errorf("%s: %+v", q, p.Errors)
		}
	}
	storeReq(t, app, w.tokens[platform], "GET", "/api/v1/regions/330481009000/summary", "").problem(t, 404, "region-not-found")
	storeReq(t, app, w.tokens[platform], "GET", "/api/v1/regions/33048/summary", "").problem(t, 400, "invalid-request")
	storeReq(t, app, w.tokens[platform], "GET", "/api/v1/orgs/999999/summary", "").problem(t, 404, "org-not-found")

	ans := storeReq(t, app, w.tokens[regionXS], "GET", "/api/v1/regions/330481001000/summary.xlsx"+period, "")
	if ans.status != 200 {
		t.Fatalf("xlsx: %d %s", ans.status, ans.raw)
	}
	f, err := excelize.OpenReader(bytes.NewReader(ans.raw))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if h, _ := f.GetCellValue("按月", "A1"); h != "月份" {
		t.Errorf("header A1 = %q", h)
	}
	if typ, _ := f.GetCellType("按月", "D2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("D2 (scanned hours of October) is of type %v, not a number", typ)
	}
	if v, _ := f.GetCellValue("按月", "D2"); v != "2" {
		t.Errorf("October's scanned hours = %q, want 2", v)
	}
	if panes, err := f.GetPanes("按月"); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header row not frozen: %+v %v", panes, err)
	}
	if name, _ := f.GetCellValue("下级", "B2"); name != "东山社区服务队" && name != "硖石街道志愿者协会" {
		t.Errorf("下级 B2 = %q", name)
	}
}

// The schemas of reports have exactly the JSON fields of their Go types, with the same JSON types.
func TestReportOpenAPISchemas(t *testing.T) {
	t.Parallel()
	app := newTestServer(t)
	schemas := obj(obj(fetchOpenAPI(t, app)["components"])["schemas"])
	checkSchemas(t, schemas, map[string]reflect.Type{
		"ReportSummary":  reflect.TypeFor[report.Summary](),
		"ReportFigures":  reflect.TypeFor[report.Figures](),
		"ReportMonth":    reflect.TypeFor[report.Month](),
		"ReportPart":     reflect.TypeFor[report.Part](),
		"ReportRanked":   reflect.TypeFor[report.Ranked](),
		"ExportProgress": reflect.TypeFor[api.ExportProgress](),
	})
}
