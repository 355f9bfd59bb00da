package activity_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"timebank/pkg/activity"
	"timebank/pkg/invalidate"
)

// The minimum before a first redemption, which every order asks, is kept in memory while the
// invalidation bus is live, and a change of a credit policy, the organization's own or a region's
// above it, applies at once.
func TestMinRedeemCachedAndChangedAtOnce(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx, cancel := context.WithCancel(context.Background())
	bus := invalidate.New(e.rdb, e.prefix, nil)
	done := make(chan struct{})
	go func() { defer close(done); bus.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for !bus.Live() {
		select {
		case <-done:
			t.Fatal("the bus stopped before it subscribed")
		default:
			time.Sleep(time.Millisecond)
		}
	}
	// A change is heard twice: at once in this instance, and again when Redis brings its own
	// publication back, which drops the cache again. The test waits for the second before it counts
	// on what the cache keeps.
	var heard atomic.Int64
	bus.OnChange(func(topic string) {
		if topic == "credit-policy" {
			heard.Add(1)
		}
	})
	echoed := func(n int64) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); heard.Load() < n; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("heard the credit-policy news %d times, want %d", heard.Load(), n)
			}
		}
	}
	e.svc.CacheCreditPolicies(bus)
	org := activity.CreditScope{Kind: activity.ScopeOrg, OrgID: e.orgID}
	xiashi := activity.CreditScope{Kind: activity.ScopeRegion, Region: "330481001000"}
	set := func(sc activity.CreditScope, p activity.CreditPolicy) {
		t.Helper()
		if _, err := e.svc.SetCreditPolicy(ctx, platformAdmin, sc, p); err != nil {
			t.Fatalf("set %+v: %v", sc, err)
		}
	}
	want := func(step string, minutes int64) {
		t.Helper()
		for range 2 { // the first read loads, the second is answered from memory
			if got, err := e.svc.MinRedeemMinutes(ctx, e.orgID); err != nil || got != minutes {
				t.Fatalf("%s: minimum %d (%v), want %d", step, got, err, minutes)
			}
		}
	}
	want("no policy", 0)
	set(org, activity.CreditPolicy{MinRedeemHours: hours(2)})
	echoed(2)
	want("the organization's own", 120)

	// Kept: a change written behind the service's back (no news) is not seen...
	if _, err := e.db.Exec(`UPDATE credit_policies SET policy = '{"min_redeem_hours": 7}' WHERE org_id = $1`, e.orgID); err != nil {
		t.Fatal(err)
	}
	want("changed without news", 120)
	// ...but one made through the service is, at once, whether the organization's or a region's.
	set(org, activity.CreditPolicy{MinRedeemHours: hours(3)})
	want("the organization's changed", 180)
	set(org, activity.CreditPolicy{})
	want("the organization's removed", 0)
	set(xiashi, activity.CreditPolicy{MinRedeemHours: hours(5)})
	want("the street's set", 300)
}
