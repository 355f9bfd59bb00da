package activity_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"timebank/fields"
	"timebank/pkg/activity"
)

func hours(h int64) *int64 { return &h }

// Each field comes from the nearest level that sets it: the organization, then its regions from the
// nearest up, then the platform, then the service's built-in limits.
func TestCreditPolicyLevels(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	set := func(sc activity.CreditScope, p activity.CreditPolicy) {
		t.Helper()
		if _, err := e.svc.SetCreditPolicy(ctx, platformAdmin, sc, p); err != nil {
			t.Fatalf("set %+v: %v", sc, err)
		}
	}
	platform := activity.CreditScope{Kind: activity.ScopePlatform}
	haining := activity.CreditScope{Kind: activity.ScopeRegion, Region: "330481000000"}
	xiashi := activity.CreditScope{Kind: activity.ScopeRegion, Region: "330481001000"}
	org := activity.CreditScope{Kind: activity.ScopeOrg, OrgID: e.orgID}
	set(platform, activity.CreditPolicy{MaxTransferHours: hours(5), MaxYearHours: hours(50)})
	set(haining, activity.CreditPolicy{MaxTransferHours: hours(3), MinRedeemHours: hours(2)})
	set(xiashi, activity.CreditPolicy{MinRedeemHours: hours(4)})
	set(org, activity.CreditPolicy{AccountCapHours: hours(0)})

	v, err := e.svc.CreditPolicy(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	eff, inh := v.Effective, v.Inherited
	if *eff.MaxTransferHours != 3 || *eff.MaxYearHours != 50 || *eff.MinRedeemHours != 4 || *eff.AccountCapHours != 0 {
		t.Errorf("in force at the organization: %+v", eff)
	}
	if *inh.AccountCapHours != 1500 || *inh.MinRedeemHours != 4 || v.Own.MaxTransferHours != nil {
		t.Errorf("inherited by the organization: %+v, own %+v", inh, v.Own)
	}
	lim, err := e.svc.OrgLimits(ctx, e.orgID)
	if err != nil || lim.AccountCapMinutes != -1 || lim.MaxTransferMinutes != 180 || lim.MinRedeemMinutes != 240 {
		t.Errorf("limits at the organization: %+v %v", lim, err)
	}
	if m, err := e.svc.MinRedeemMinutes(ctx, e.orgID); err != nil || m != 240 {
		t.Errorf("minimum before a first redemption: %d %v", m, err)
	}
	if v, err := e.svc.CreditPolicy(ctx, haining); err != nil || *v.Inherited.MaxTransferHours != 5 || *v.Effective.MaxTransferHours != 3 {
		t.Errorf("Haining: %+v %v", v, err)
	}

	// Refused: nothing changes.
	for _, c := range []struct {
		sc    activity.CreditScope
		p     activity.CreditPolicy
		field string
		want  string
	}{
		{org, activity.CreditPolicy{MaxTransferHours: hours(0)}, "max_transfer_hours", "range"},
		{org, activity.CreditPolicy{AccountCapHours: hours(-1)}, "account_cap_hours", "range"},
		{org, activity.CreditPolicy{MinRedeemHours: hours(10_001)}, "min_redeem_hours", "range"},
		{activity.CreditScope{Kind: activity.ScopeRegion, Region: "330481009000"}, activity.CreditPolicy{}, "region_code", "not_found"},
		{activity.CreditScope{Kind: activity.ScopeOrg, OrgID: 999999}, activity.CreditPolicy{}, "org_id", "not_found"},
	} {
		_, err := e.svc.SetCreditPolicy(ctx, platformAdmin, c.sc, c.p)
		var fe *fields.Error
		if !errors.As(err, &fe) || !errors.Is(err, activity.ErrInvalid) || fe.Reason(c.field) != c.want {
			t.Errorf("%+v: %v, want %s %s", c.p, err, c.field, c.want)
		}
	}
	if after, err := e.svc.CreditPolicy(ctx, org); err != nil || *after.Effective.MaxTransferHours != 3 || *after.Own.AccountCapHours != 0 {
		t.Errorf("after the refusals: %+v %v", after, err)
	}
	if n := e.count(t, `SELECT count(*) FROM credit_policies`); n != 4 {
		t.Errorf("%d credit policies, want 4", n)
	}
}

// An organization's caps decide transfers of the volunteers who served it (per transfer, per year)
// and what a recipient who served it may hold; credits it issues above its cap go to the pool.
func TestTransferCapsFromPolicy(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{PoolAccount: "pool:xiashi"})
	ctx := context.Background()
	_, err := e.svc.SetCreditPolicy(ctx, platformAdmin, activity.CreditScope{Kind: activity.ScopeOrg, OrgID: e.orgID},
		activity.CreditPolicy{MaxTransferHours: hours(1), MaxYearHours: hours(2), AccountCapHours: hours(3)})
	if err != nil {
		t.Fatal(err)
	}
	mother, son := e.volunteer(t, "周玉兰"), e.volunteer(t, "周强")
	e.earn(t, mother.ID, 240) // 4 h, capped at 3 h: 60 minutes go to the pool
	e.earn(t, son.ID, 150)
	if m, p := e.balance(t, mother.AccountCode), e.balance(t, "pool:xiashi"); m != 180 || p != 60 {
		t.Fatalf("earning above the organization's cap: mother %d, pool %d", m, p)
	}
	e.clock.Set(day10.Add(24 * time.Hour))
	family := func(amount int64) activity.TransferRequest {
		return activity.TransferRequest{To: activity.ToFamily, VolunteerNo: son.VolunteerNo, Name: son.Name,
			Relationship: "child", Amount: amount}
	}
	_, _, err = e.svc.Transfer(ctx, mother.ID, "cap-1", family(61))
	var fe *fields.Error
	if !errors.As(err, &fe) || fe.Reason("amount") != "over_transfer_limit" {
		t.Fatalf("61 minutes with a cap of 1 h: %v", err)
	}
	// The son holds 150 of his 180: 30 arrive, 30 go to the pool.
	tr, _, err := e.svc.Transfer(ctx, mother.ID, "cap-2", family(60))
	if err != nil || tr.Overflow != 30 {
		t.Fatalf("transfer to a son at his cap: %+v %v", tr, err)
	}
	if _, _, err := e.svc.Transfer(ctx, mother.ID, "cap-3", activity.TransferRequest{To: activity.ToPool, Amount: 60}); err != nil {
		t.Fatalf("second hour of the year: %v", err)
	}
	if _, _, err := e.svc.Transfer(ctx, mother.ID, "cap-4", activity.TransferRequest{To: activity.ToPool, Amount: 1}); !errors.Is(err, activity.ErrYearlyLimit) {
		t.Fatalf("past the yearly cap of 2 h: %v", err)
	}
	if m, s := e.balance(t, mother.AccountCode), e.balance(t, son.AccountCode); m != 60 || s != 180 {
		t.Errorf("balances: mother %d, son %d", m, s)
	}
	e.verifyLedger(t)
}

// An organization's star thresholds decide a volunteer's stars at its stores and pages; all their
// verified service counts, and the platform's thresholds apply elsewhere.
func TestOrgStarThresholds(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	v := e.volunteer(t, "沈家豪")
	e.earn(t, v.ID, 150) // 2.5 h
	level := func(orgID int64) int {
		t.Helper()
		n, err := e.svc.StarLevel(ctx, v.ID, orgID)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if level(e.orgID) != 0 || level(0) != 0 {
		t.Fatalf("with the default thresholds (100 h for a star): %d, %d", level(e.orgID), level(0))
	}
	setStars := func(th ...int64) {
		t.Helper()
		p := activity.DefaultPolicy()
		p.StarThresholdsHours = th
		if _, err := e.svc.SetPolicy(ctx, coordinator, e.orgID, p); err != nil {
			t.Fatal(err)
		}
	}
	setStars(1, 2, 3)
	if level(e.orgID) != 2 || level(0) != 0 {
		t.Errorf("thresholds 1/2/3 h: %d stars at the organization, %d on the platform", level(e.orgID), level(0))
	}
	setStars(3, 4)
	if level(e.orgID) != 0 {
		t.Errorf("thresholds 3/4 h: %d stars", level(e.orgID))
	}
	setStars(2)
	recs, err := e.svc.MyRecords(ctx, v.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if recs.Stars.Level != 0 || len(recs.Elsewhere) != 1 || recs.Elsewhere[0].Level != 1 || recs.Elsewhere[0].OrgID != e.orgID {
		t.Errorf("the volunteer's page: stars %+v, elsewhere %+v", recs.Stars, recs.Elsewhere)
	}
}
