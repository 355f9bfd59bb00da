package activity_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"timebank/fields"
	"timebank/pkg/activity"
)

// 30 volunteers sign up at once for 5 places: 5 get one, 25 are told it is full, and the count
// matches the sign-ups. Signing up again keeps the one place; cancelling frees it.
func TestSignupWithinCapacity(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	a := e.newActivity(t, func(n *activity.NewActivity) { n.Capacity, n.SignupRequired = ptr(5), true })
	const n = 30
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = e.volunteer(t, "报名者").ID
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = e.svc.SignUp(ctx, a.ID, ids[i])
		}()
	}
	wg.Wait()
	ok, full := 0, 0
	var first int
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
			first = i
		case errors.Is(err, activity.ErrActivityFull):
			full++
		default:
			t.Fatalf("sign-up %d: %v", i, err)
		}
	}
	if ok != 5 || full != 25 {
		t.Fatalf("%d signed up, %d full; want 5 and 25", ok, full)
	}
	if got := e.count(t, `SELECT count(*) FROM signups WHERE activity_id = $1 AND status = 'active'`, a.ID); got != 5 {
		t.Errorf("%d active sign-ups", got)
	}
	su, created, err := e.svc.SignUp(ctx, a.ID, ids[first])
	if err != nil || created {
		t.Errorf("signing up again: created %v, %v", created, err)
	}
	if _, err := e.svc.CancelSignup(ctx, a.ID, ids[first]); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CancelSignup(ctx, a.ID, ids[first]); !errors.Is(err, activity.ErrNotSignedUp) {
		t.Errorf("cancelling twice: %v", err)
	}
	again, created, err := e.svc.SignUp(ctx, a.ID, ids[first])
	if err != nil || !created || again.ID == su.ID {
		t.Errorf("signing up after cancelling: %v created %v", err, created)
	}
	act, _ := e.svc.Activity(ctx, a.ID)
	if act.Signups != 5 {
		t.Errorf("count %d, want 5", act.Signups)
	}
	e.clock.Set(a.StartsAt)
	if _, _, err := e.svc.SignUp(ctx, a.ID, e.volunteer(t, "迟到者").ID); !errors.Is(err, activity.ErrSignupClosed) {
		t.Errorf("sign-up after the start: %v", err)
	}
}

// A weekly series creates one activity per week up to the repeat day; bad requests name their fields.
func TestCreateActivities(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	n := activity.NewActivity{OrgID: e.orgID, Title: "周三垃圾分类指导", Category: "environment", Address: "东山社区广场",
		StartsAt: day10.Add(2 * 24 * time.Hour), EndsAt: day10.Add(2*24*time.Hour + 2*time.Hour), LeaderName: "赵组长",
		RepeatWeeklyUntil: "2025-04-02"}
	as, err := e.svc.CreateActivities(ctx, coordinator, n)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 4 {
		t.Fatalf("%d occurrences from 2025-03-12 to 2025-04-02, want 4", len(as))
	}
	for i, a := range as {
		want := n.StartsAt.AddDate(0, 0, 7*i)
		if !a.StartsAt.Equal(want) || a.EndsAt.Sub(a.StartsAt) != 2*time.Hour || a.SeriesID == nil || *a.SeriesID != *as[0].SeriesID || !a.IsService {
			t.Errorf("occurrence %d: %v–%v series %v", i, a.StartsAt, a.EndsAt, a.SeriesID)
		}
	}
	for _, c := range []struct {
		field string
		edit  func(*activity.NewActivity)
	}{
		{"title", func(n *activity.NewActivity) { n.Title = " " }},
		{"category", func(n *activity.NewActivity) { n.Category = "karaoke" }},
		{"ends_at", func(n *activity.NewActivity) { n.EndsAt = n.StartsAt }},
		{"ends_at", func(n *activity.NewActivity) { n.EndsAt = n.StartsAt.Add(25 * time.Hour) }},
		{"longitude", func(n *activity.NewActivity) { n.Latitude = ptr(30.5) }},
		{"radius_m", func(n *activity.NewActivity) { n.RadiusM = ptr(100) }},
		{"capacity", func(n *activity.NewActivity) { n.Capacity = ptr(0) }},
		{"repeat_weekly_until", func(n *activity.NewActivity) { n.RepeatWeeklyUntil = "2027-01-01" }},
		{"repeat_weekly_until", func(n *activity.NewActivity) { n.RepeatWeeklyUntil = "2025-03-01" }},
		{"repeat_weekly_until", func(n *activity.NewActivity) { n.RepeatWeeklyUntil = "next week" }},
		{"org_id", func(n *activity.NewActivity) { n.OrgID = 424242 }},
		{"content", func(n *activity.NewActivity) { n.Content = "bell\a" }},
	} {
		bad := n
		c.edit(&bad)
		_, err := e.svc.CreateActivities(ctx, coordinator, bad)
		var fe *fields.Error
		if !errors.As(err, &fe) || fe.Reason(c.field) == "" {
			t.Errorf("%s: %v", c.field, err)
		}
	}
}

// Lists: near a point (within the radius, with distances), by organization, keyset paged, and only
// activities that have not ended.
func TestListActivities(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	at := func(lat, lng float64, start time.Time) activity.Activity {
		return e.newActivity(t, func(n *activity.NewActivity) {
			n.Latitude, n.Longitude, n.StartsAt, n.EndsAt = ptr(lat), ptr(lng), start, start.Add(time.Hour)
		})
	}
	here := at(30.5275, 120.6892, day10)                          // 硖石
	close1 := at(30.5300, 120.6900, day10.Add(time.Hour))         // about 300 m away
	far := at(30.7500, 120.7500, day10.Add(2*time.Hour))          // about 25 km away
	past := at(30.5275, 120.6892, day10.Add(-3*24*time.Hour))     // ended
	noPlace := e.newActivity(t, func(n *activity.NewActivity) {}) // no coordinates
	e.clock.Set(day10.Add(-time.Hour))

	page, err := e.svc.Activities(ctx, activity.ListQuery{Near: &activity.Position{Lat: 30.5275, Lng: 120.6892}, RadiusM: 2000})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 2 || page.Items[0].ID != here.ID || page.Items[1].ID != close1.ID {
		t.Fatalf("near: %+v", page.Items)
	}
	if d := page.Items[1].DistanceM; d == nil || *d < 250 || *d > 350 {
		t.Errorf("distance %v", d)
	}
	var seen []int64
	cursor := ""
	for {
		p, err := e.svc.Activities(ctx, activity.ListQuery{OrgIDs: []int64{e.orgID}, Cursor: cursor, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range p.Items {
			seen = append(seen, a.ID)
		}
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	if want := []int64{here.ID, noPlace.ID, close1.ID, far.ID}; !slices.Equal(seen, want) {
		t.Errorf("by organization, paged: %v, want %v (past %d left out)", seen, want, past.ID)
	}
	if p, err := e.svc.Activities(ctx, activity.ListQuery{OrgIDs: []int64{e.orgID + 1000}}); err != nil || len(p.Items) != 0 {
		t.Errorf("another organization: %v %v", err, p.Items)
	}
	for _, q := range []activity.ListQuery{
		{Cursor: "x"}, {Limit: 1000}, {Near: &activity.Position{Lat: 100}}, {Near: &activity.Position{}, RadiusM: 60000},
	} {
		if _, err := e.svc.Activities(ctx, q); !errors.Is(err, activity.ErrInvalid) {
			t.Errorf("%+v: %v", q, err)
		}
	}
}
