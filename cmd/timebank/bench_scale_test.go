package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"timebank/pkg/report"
)

// A small province, loaded as `bench scale` loads one but with every trigger on (foreign keys, the
// ledger's zero-sum check), passes the checks after loading and verify once Redis is reconciled;
// reconcile projects only the accounts that ever changed; and the region figures, read from the
// regions' months, equal a recount of the rows at every level of the tree.
func TestScaleLoadVerifiesAndRollsUp(t *testing.T) {
	ctx := context.Background()
	d := demoDeps(t)
	plan, err := planScale(0.0002, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	counts, err := loadScale(ctx, d.DB, plan, false, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	if counts["users"] != int64(plan.Volunteers) || counts["organizations"] != int64(plan.Orgs) ||
		counts["stores"] != int64(plan.Stores) || counts["service_records"] == 0 || counts["ledger_postings"] == 0 {
		t.Fatalf("loaded %v for the plan %+v", counts, plan)
	}
	var redeemed int64
	if err := d.DB.Get(&redeemed, `SELECT count(*) FROM ledger_transactions WHERE kind = 'redeem'`); err != nil || redeemed == 0 {
		t.Fatalf("no redemptions in the history: %d, %v", redeemed, err)
	}
	if problems, err := afterLoad(ctx, d.DB); err != nil || len(problems) > 0 {
		t.Fatalf("after loading: %v %v", problems, err)
	}
	if _, err := d.Reports.Rebuild(ctx, time.Time{}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	rep, err := d.Ledger.Reconcile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var changed int
	if err := d.DB.Get(&changed, `SELECT count(DISTINCT account_id) FROM ledger_balances WHERE version > 0`); err != nil {
		t.Fatal(err)
	}
	if len(rep.Repairs) != changed || rep.Accounts <= changed {
		t.Errorf("reconcile projected %d of %d accounts; %d ever changed", len(rep.Repairs), rep.Accounts, changed)
	}
	var out strings.Builder
	if err := verify(ctx, d, &out); err != nil {
		t.Fatalf("verify: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "report: every region's monthly figures") {
		t.Errorf("verify did not check the regions' months:\n%s", out.String())
	}

	var street, community string
	if err := d.DB.Get(&street, `SELECT min(code) FROM regions WHERE level = 4`); err != nil {
		t.Fatal(err)
	}
	if err := d.DB.Get(&community, `SELECT min(region_code) FROM organizations WHERE length(rtrim(region_code, '0')) > 9`); err != nil {
		t.Fatal(err)
	}
	p := everything(t, d)
	for _, code := range []string{scaleProvince, "330100000000", street, community} {
		s, err := d.Reports.RegionSummary(ctx, code, p)
		if err != nil {
			t.Fatal(err)
		}
		prefix := code[:levelDigits(code)]
		if want := recount(t, d, prefix); s.Totals != want {
			t.Errorf("%s: totals\n got %+v\nwant %+v", code, s.Totals, want)
		}
		var parts report.Figures
		for _, part := range s.Parts {
			parts = addFigures(parts, part.Figures)
		}
		if parts != s.Totals {
			t.Errorf("%s: its parts add up to %+v, not %+v", code, parts, s.Totals)
		}
	}
	if s, _ := d.Reports.RegionSummary(ctx, scaleProvince, p); s.Totals.ScanMinutes == 0 || s.Totals.CreditsRedeemed == 0 {
		t.Errorf("the province's figures lack the loaded history: %+v", s.Totals)
	}
}

// levelDigits is how many leading digits name the region of a 12-digit code in the loaded tree.
func levelDigits(code string) int {
	for _, n := range []int{2, 4, 6, 9} {
		if strings.Trim(code[n:], "0") == "" {
			return n
		}
	}
	return 12
}
