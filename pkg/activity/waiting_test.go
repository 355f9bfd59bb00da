package activity_test

import (
	"context"
	"testing"
	"time"

	"timebank/pkg/activity"
)

// What waits for an organization's coordinators: closed attendances to verify, counted as due soon
// two working days before the 10-working-day deadline of their activity and overdue after it, and
// open disputes; an organization with nothing waiting is there with zero counts, in the order asked.
func TestWaitingFor(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	first := e.newActivity(t) // Monday 10 March 2025: due by the end of Monday 24 March
	second := e.newActivity(t, func(n *activity.NewActivity) {
		n.StartsAt, n.EndsAt = day10.AddDate(0, 0, 7), day10.AddDate(0, 0, 7).Add(3*time.Hour) // due 31 March
	})
	v, w, x := e.volunteer(t, "陆一"), e.volunteer(t, "陆二"), e.volunteer(t, "陆三")
	e.checkedOut(t, first.ID, v.ID, day10, day10.Add(time.Hour))
	rec := e.approved(t, first, w.ID, day10, day10.Add(2*time.Hour))
	if _, err := e.svc.Dispute(ctx, w.ID, rec.ID, "少记了一小时"); err != nil {
		t.Fatal(err)
	}
	later := day10.AddDate(0, 0, 7)
	e.checkedOut(t, second.ID, x.ID, later, later.Add(time.Hour))

	const nobody = 999_999
	for _, c := range []struct {
		day           int // of March 2025, at 10:00
		soon, overdue int
	}{
		{19, 0, 0}, // Wednesday: the first deadline is three working days away
		{20, 1, 0}, // Thursday: two working days away
		{24, 1, 0}, // the due day itself
		{25, 0, 1}, // past it; the second is still four working days off
		{28, 1, 1}, // Friday: the second is due on Monday
	} {
		e.clock.Set(time.Date(2025, 3, c.day, 10, 0, 0, 0, cst))
		got, err := e.svc.WaitingFor(ctx, []int64{nobody, e.orgID})
		if err != nil {
			t.Fatal(err)
		}
		want := []activity.Waiting{{OrgID: nobody}, {OrgID: e.orgID, ToVerify: 2, DueSoon: c.soon, Overdue: c.overdue, Disputes: 1}}
		if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("on %d March: %+v, want %+v", c.day, got, want)
		}
		if got[0].Any() || !got[1].Any() {
			t.Errorf("on %d March: Any says %v and %v", c.day, got[0].Any(), got[1].Any())
		}
	}
	if got, err := e.svc.WaitingFor(ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("no organizations: %+v %v", got, err)
	}
}
