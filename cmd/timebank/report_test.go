package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"timebank/pkg/activity"
	"timebank/pkg/app"
	"timebank/pkg/chinatime"
	"timebank/pkg/org"
	"timebank/pkg/report"
)

// reportWorld is the demo (硖石街道: records, credits, orders, walk-in sales, donations and aid) and
// a second street, 海洲街道, with an organization whose volunteer was given hours by hand three days
// ago: Haining's figures come from two streets.
func reportWorld(t *testing.T) (*app.Services, *demoWorld, *demoActivityRun) {
	t.Helper()
	ctx := context.Background()
	d := demoDeps(t)
	if err := demo(ctx, d, io.Discard); err != nil {
		t.Fatal(err)
	}
	world, err := demoOrganizations(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := demoUsers(ctx, d, world); err != nil {
		t.Fatal(err)
	}
	run, err := newDemoActivityRun(ctx, d, world)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Orgs.CreateRegion(ctx, operatorPrincipal, org.NewRegion{Code: "330481002000", Name: "海洲街道"}); err != nil {
		t.Fatal(err)
	}
	return d, world, run
}

// addManualHours records minutes by hand for the demo volunteer at a new activity of orgID that
// started daysAgo days ago, and has them approved by a second person.
func addManualHours(t *testing.T, run *demoActivityRun, world *demoWorld, orgID int64, daysAgo int, minutes int64) {
	t.Helper()
	ctx := context.Background()
	start := chinatime.Midnight(time.Now()).AddDate(0, 0, -daysAgo).Add(9 * time.Hour)
	run.clock.at = start.Add(-7 * 24 * time.Hour)
	acts, err := run.acts.CreateActivities(ctx, run.coordinator, activity.NewActivity{OrgID: orgID, Title: "敬老院陪护",
		Category: "elderly", Address: "海洲街道敬老院", StartsAt: start, EndsAt: start.Add(3 * time.Hour), LeaderName: "周文"})
	if err != nil {
		t.Fatal(err)
	}
	run.clock.at = time.Time{}
	att, err := run.acts.AddManual(ctx, run.admin, acts[0].ID, activity.ManualHours{
		VolunteerNo: world.users["volunteer"].VolunteerNo, Minutes: minutes, Reason: "纸质签到表补录"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run.acts.Verify(ctx, run.coordinator, activity.VerifyRequest{IDs: []int64{att.ID}, Action: "approve"}); err != nil {
		t.Fatal(err)
	}
}

// recount counts the figures of the organizations and stores whose region code starts with prefix
// from the raw rows, with queries of its own (not the service's), up to today in China.
func recount(t *testing.T, d *app.Services, prefix string) report.Figures {
	t.Helper()
	var f report.Figures
	q := `
WITH o AS (SELECT id, account_code FROM organizations WHERE region_code LIKE $1),
     s AS (SELECT stores.id, stores.account_code FROM stores JOIN o ON o.id = stores.org_id),
     tomorrow AS (SELECT ((now() AT TIME ZONE 'Asia/Shanghai')::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai' AS t)
SELECT
 (SELECT count(DISTINCT (user_id, org_id, service_date)) FROM service_records WHERE org_id IN (SELECT id FROM o)) AS volunteers_active,
 (SELECT count(DISTINCT (user_id, org_id)) FROM service_records WHERE org_id IN (SELECT id FROM o)) AS volunteers_new,
 (SELECT coalesce(sum(minutes), 0) FROM service_records WHERE kind = 'scan' AND org_id IN (SELECT id FROM o)) AS scan_minutes,
 (SELECT coalesce(sum(minutes), 0) FROM service_records WHERE kind = 'manual' AND org_id IN (SELECT id FROM o)) AS manual_minutes,
 (SELECT count(*) FROM activities, tomorrow WHERE status = 'open' AND is_service AND kind = 'activity'
   AND starts_at < tomorrow.t AND org_id IN (SELECT id FROM o)) AS activities,
 (SELECT coalesce(-sum(p.amount), 0) FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
   JOIN o ON o.account_code = a.code) AS credits_issued,
 (SELECT coalesce(sum(p.amount), 0) FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
   JOIN s ON s.account_code = a.code) AS credits_redeemed,
 (SELECT count(*) FROM store_orders WHERE status = 'fulfilled' AND channel = 'online' AND store_id IN (SELECT id FROM s)) AS orders,
 (SELECT count(*) FROM store_orders WHERE status = 'fulfilled' AND channel = 'counter' AND store_id IN (SELECT id FROM s)) AS sales,
 (SELECT coalesce(sum(l.qty), 0) FROM store_donation_lines l JOIN store_donations x ON x.id = l.donation_id
   WHERE x.store_id IN (SELECT id FROM s)) AS goods_in,
 (SELECT coalesce(-sum(on_hand_delta), 0) FROM store_movements WHERE kind IN ('handed_out', 'allocated')
   AND store_id IN (SELECT id FROM s)) AS goods_out,
 (SELECT count(DISTINCT (household_id, (created_at AT TIME ZONE 'Asia/Shanghai')::date)) FROM store_aid
   WHERE store_id IN (SELECT id FROM s)) AS households,
 (SELECT count(*) FROM certificates WHERE org_id IN (SELECT id FROM o)) AS certificates`
	if err := d.DB.Get(&f, q, prefix+"%"); err != nil {
		t.Fatal(err)
	}
	return f
}

// everything is a period that holds every row the tests make.
func everything(t *testing.T, d *app.Services) report.Period {
	t.Helper()
	p, err := d.Reports.ParsePeriod(time.Now().AddDate(-9, 0, 0).Format(time.DateOnly), "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A region's totals, each sub-region's and each organization's equal a recount of the raw rows, and
// the worker's figures equal the rebuild's, also after a record is added on a past day.
func TestReportRegionTotalsEqualRecount(t *testing.T) {
	ctx := context.Background()
	d, world, run := reportWorld(t)
	haizhou, err := d.Orgs.CreateOrg(ctx, operatorPrincipal, org.NewOrg{Name: "海洲街道志愿者服务站",
		RegionCode: "330481002000", Status: org.Filed, FiledBy: "330481002000", ContactName: "周文"})
	if err != nil {
		t.Fatal(err)
	}
	addManualHours(t, run, world, haizhou.ID, 3, 90)

	// The worker, from nothing: its marks are empty, so every day a record or an activity falls on.
	if _, err := d.Reports.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	fromWorker := reportDigest(t, d)
	if _, err := d.Reports.Rebuild(ctx, time.Time{}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := reportDigest(t, d); got != fromWorker {
		t.Errorf("the worker's figures differ from the rebuild's:\nworker  %s\nrebuild %s", fromWorker, got)
	}

	p := everything(t, d)
	county, err := d.Reports.RegionSummary(ctx, "330481", p)
	if err != nil {
		t.Fatal(err)
	}
	want := recount(t, d, "330481")
	if county.Totals != want {
		t.Errorf("Haining's totals\n got %+v\nwant %+v", county.Totals, want)
	}
	if want.ScanMinutes == 0 || want.ManualMinutes == 0 || want.CreditsIssued == 0 || want.CreditsRedeemed == 0 ||
		want.Orders+want.Sales == 0 || want.GoodsIn == 0 || want.GoodsOut == 0 || want.Activities == 0 {
		t.Errorf("the seeded world lacks a kind of row: %+v", want)
	}
	var months report.Figures
	for _, m := range county.Months {
		months = addFigures(months, m.Figures)
	}
	if months != county.Totals {
		t.Errorf("the months add up to %+v, not the totals %+v", months, county.Totals)
	}
	parts := map[string]report.Figures{}
	for _, part := range county.Parts {
		parts[part.Kind+":"+part.Code+":"+part.Name] = part.Figures
	}
	for key, prefix := range map[string]string{"region:330481001000:硖石街道": "330481001", "region:330481002000:海洲街道": "330481002",
		"org::海宁市义工联合会": "330481000000"} {
		got, ok := parts[key]
		if !ok {
			t.Errorf("Haining's parts lack %s: %v", key, county.Parts)
			continue
		}
		if w := recount(t, d, prefix); got != w {
			t.Errorf("%s\n got %+v\nwant %+v", key, got, w)
		}
	}
	if parts["region:330481002000:海洲街道"].ManualMinutes != 90 {
		t.Errorf("海洲街道's hours by hand = %d, want 90", parts["region:330481002000:海洲街道"].ManualMinutes)
	}

	// A record added later on a past day: the worker picks up its day, as a rebuild would.
	addManualHours(t, run, world, haizhou.ID, 5, 45)
	if _, err := d.Reports.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	fromWorker = reportDigest(t, d)
	if _, err := d.Reports.Rebuild(ctx, time.Time{}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := reportDigest(t, d); got != fromWorker {
		t.Errorf("after a late record the worker's figures differ from the rebuild's")
	}
	if s, err := d.Reports.RegionSummary(ctx, "330481002000", p); err != nil || s.Totals.ManualMinutes != 135 {
		t.Errorf("海洲街道 after a second record: %+v, %v", s.Totals, err)
	}
}

// verify recounts the figures: clean after a rebuild, and a changed figure of a past day is found.
func TestVerifyRecountsReports(t *testing.T) {
	ctx := context.Background()
	d, world, run := reportWorld(t)
	addManualHours(t, run, world, world.assoc.ID, 4, 30)
	if _, err := d.Reports.Rebuild(ctx, time.Time{}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := verify(ctx, d, &out); err != nil {
		t.Fatalf("verify after a rebuild: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "checked: "+report.Checks[0].Name) {
		t.Errorf("verify did not report the figures' check:\n%s", out.String())
	}
	day := chinatime.Midnight(time.Now()).AddDate(0, 0, -4).Format(time.DateOnly)
	res, err := d.DB.Exec(`UPDATE report_daily SET manual_minutes = manual_minutes + 1 WHERE day = $1 AND org_id = $2`,
		day, world.assoc.ID)
	if n, _ := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("tampering with the figures of %s: %d rows, %v", day, n, err)
	}
	out.Reset()
	if err := verify(ctx, d, &out); err == nil || !strings.Contains(out.String(), "day "+day) {
		t.Errorf("verify missed a changed figure of %s: %v\n%s", day, err, out.String())
	}
	// The command puts it right.
	out.Reset()
	if err := run2(ctx, d, []string{"rebuild", "--from", day, "--to", day}, &out); err != nil {
		t.Fatalf("report rebuild: %v", err)
	}
	if err := verify(ctx, d, io.Discard); err != nil {
		t.Errorf("verify after report rebuild: %v", err)
	}
	for _, bad := range [][]string{{}, {"rebuild", "--from", "2026-13-01"}, {"rebuild", "--from", "2026-05-02", "--to", "2026-05-01"}} {
		if err := run2(ctx, d, bad, io.Discard); err == nil {
			t.Errorf("report %v: no error", bad)
		}
	}
}

// run2 runs the report command as `timebank report …` does.
func run2(ctx context.Context, d *app.Services, args []string, w io.Writer) error {
	return reportCmd(ctx, d, args, w)
}

// reportDigest is a digest of report_daily's rows and of report_monthly's and report_region_monthly's (but months of zeros,
// which the worker leaves where all of a month's days came off).
func reportDigest(t *testing.T, d *app.Services) string {
	t.Helper()
	var digest string
	if err := d.DB.Get(&digest, `SELECT count(*) || ':' || coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '')
FROM report_daily r`); err != nil {
		t.Fatal(err)
	}
	var months string
	if err := d.DB.Get(&months, `SELECT count(*) || ':' || coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '')
FROM report_monthly r WHERE (volunteers_active, volunteers_new, scan_minutes, manual_minutes, activities, credits_issued,
    credits_redeemed, orders, sales, goods_in, goods_out, households, certificates) <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)`); err != nil {
		t.Fatal(err)
	}
	var regions string
	if err := d.DB.Get(&regions, `SELECT count(*) || ':' || coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '')
FROM report_region_monthly r WHERE (volunteers_active, volunteers_new, scan_minutes, manual_minutes, activities, credits_issued,
    credits_redeemed, orders, sales, goods_in, goods_out, households, certificates) <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)`); err != nil {
		t.Fatal(err)
	}
	return digest + " months " + months + " regions " + regions
}

// addFigures returns the sum of two sets of figures.
func addFigures(a, b report.Figures) report.Figures {
	a.VolunteerDays += b.VolunteerDays
	a.NewVolunteers += b.NewVolunteers
	a.ScanMinutes += b.ScanMinutes
	a.ManualMinutes += b.ManualMinutes
	a.Activities += b.Activities
	a.CreditsIssued += b.CreditsIssued
	a.CreditsRedeemed += b.CreditsRedeemed
	a.Orders += b.Orders
	a.Sales += b.Sales
	a.GoodsIn += b.GoodsIn
	a.GoodsOut += b.GoodsOut
	a.Households += b.Households
	a.Certificates += b.Certificates
	return a
}
