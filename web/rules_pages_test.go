package web

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"timebank/pkg/activity"
)

// The organization's policy page: linked from the organization's page for its administrators,
// every input labelled, each form refused field by field with nothing changed, and saved.
func TestOrgPolicyPage(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	admin, coord := signedInAs(t, app, adminA), signedInAs(t, app, coordA)
	page := "/orgs/" + id(w.a.ID) + "/policy"
	if !strings.Contains(admin.get("/orgs/"+id(w.a.ID)).body, `href="`+page+`"`) {
		t.Error("the organization's page does not link its policy for its administrator")
	}
	if strings.Contains(coord.get("/orgs/"+id(w.a.ID)).body, `href="`+page+`"`) {
		t.Error("the coordinator is shown a link to a page they may not open")
	}
	r := admin.get(page)
	if r.status != 200 || !strings.Contains(r.body, `value="100, 300, 600, 1000, 1500"`) || !strings.Contains(r.body, "不填则沿用上级：1500小时") {
		t.Fatalf("policy page: %d", r.status)
	}
	inputsLabelled(t, "policy", r.body)
	for _, english := range []string{"Account cap", "Star thresholds", "Save"} {
		if strings.Contains(r.body, english) {
			t.Errorf("English %q on the Chinese page", english)
		}
	}

	credits := func(v url.Values) response { return admin.submit(page+"/credits", v) }
	if r := credits(url.Values{"min_redeem_hours": {"两小时"}, "max_transfer_hours": {"0"}}); r.status != 422 ||
		!strings.Contains(r.body, "必须是正整数") || !strings.Contains(r.body, `value="两小时"`) {
		t.Fatalf("refused credits form: %d", r.status)
	}
	if r := credits(url.Values{"max_transfer_hours": {"0"}}); r.status != 422 || !strings.Contains(r.body, `data-testid="error-max_transfer_hours"`) {
		t.Fatalf("transfer cap 0: %d", r.status)
	}
	v, err := d.Activities.CreditPolicy(ctx, activity.CreditScope{Kind: activity.ScopeOrg, OrgID: w.a.ID})
	if err != nil || v.Own != (activity.CreditPolicy{}) {
		t.Fatalf("refused forms changed the policy: %+v %v", v.Own, err)
	}
	if r := credits(url.Values{"min_redeem_hours": {"2"}, "account_cap_hours": {""}}); r.status != 303 {
		t.Fatalf("save credits: %d %s", r.status, r.body)
	}
	if v, _ = d.Activities.CreditPolicy(ctx, activity.CreditScope{Kind: activity.ScopeOrg, OrgID: w.a.ID}); v.Own.MinRedeemHours == nil ||
		*v.Own.MinRedeemHours != 2 || v.Own.AccountCapHours != nil {
		t.Fatalf("saved credits: %+v", v.Own)
	}

	hoursForm := url.Values{"rounding_unit_minutes": {"15"}, "grace_minutes": {"15"}, "minimum_minutes": {"30"},
		"daily_cap_minutes": {"480"}, "credit_numerator": {"1"}, "credit_denominator": {"1"},
		"star_thresholds_hours": {"100, 50"}, "forgotten_checkout_grace_minutes": {"120"}, "max_activity_hours": {"12"}}
	if r := admin.submit(page+"/hours", hoursForm); r.status != 422 || !strings.Contains(r.body, "星级门槛须逐级递增") {
		t.Fatalf("thresholds not rising: %d", r.status)
	}
	if p, _ := d.Activities.Policy(ctx, w.a.ID); !slices.Equal(p.StarThresholdsHours, []int64{100, 300, 600, 1000, 1500}) {
		t.Fatalf("a refused form changed the thresholds: %v", p.StarThresholdsHours)
	}
	hoursForm.Set("star_thresholds_hours", "50，120、200")
	hoursForm.Set("manual_earns_credits", "on")
	if r := admin.submit(page+"/hours", hoursForm); r.status != 303 || r.location() != page+"?notice=policy-saved" {
		t.Fatalf("save hours: %d %s", r.status, r.location())
	}
	if th, _ := d.Activities.StarThresholds(ctx, w.a.ID); !slices.Equal(th, []int64{50, 120, 200}) {
		t.Errorf("saved thresholds: %v", th)
	}
	if p, _ := d.Activities.Policy(ctx, w.a.ID); !p.ManualEarnsCredits {
		t.Error("manual hours earning credits was not saved")
	}
	if r := admin.get(page + "?notice=policy-saved"); !strings.Contains(r.body, "规则已保存") || !strings.Contains(r.body, `value="2"`) {
		t.Error("the saved page does not say so or show the saved minimum")
	}
}
