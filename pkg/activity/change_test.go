package activity_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"timebank/fields"
	"timebank/pkg/activity"
)

func reasonOf(err error, field string) string {
	var fe *fields.Error
	if errors.As(err, &fe) {
		return fe.Reason(field)
	}
	return ""
}

// Before it starts an activity can change; the volunteers signed up hear of a new time or place,
// once per change; what a new activity may not be, a changed one may not be either.
func TestUpdateActivity(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	a := e.newActivity(t, func(n *activity.NewActivity) { c := 2; n.Capacity = &c })
	v, w := e.volunteer(t, "林小雨"), e.volunteer(t, "何东")
	for _, u := range []int64{v.ID, w.ID} {
		if _, _, err := e.svc.SignUp(ctx, a.ID, u); err != nil {
			t.Fatal(err)
		}
	}
	later, place := a.StartsAt.Add(time.Hour), "东山社区文化家园二楼"
	got, err := e.svc.UpdateActivity(ctx, coordinator, a.ID, activity.ActivityChange{StartsAt: &later,
		EndsAt: ptr(a.EndsAt.Add(time.Hour)), Address: &place})
	if err != nil || !got.StartsAt.Equal(later) || got.Address != place || got.Revision != 2 {
		t.Fatalf("update: %+v %v", got, err)
	}
	content := "带上老花镜"
	if got, err = e.svc.UpdateActivity(ctx, coordinator, a.ID, activity.ActivityChange{Content: &content}); err != nil || got.Revision != 3 {
		t.Fatalf("content: %+v %v", got, err)
	}
	if n := e.count(t, `SELECT count(*) FROM notification_outbox WHERE user_id = $1 AND kind = 'activity_changed'`, v.ID); n != 1 {
		t.Fatalf("%d notices of changes, want 1 (the content alone is not news)", n)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE action = 'activity.update' AND target = $1`, "activity:"+itoa(a.ID)); n != 2 {
		t.Fatalf("%d audit entries", n)
	}

	one, past, long := 1, e.clock.Now().Add(-time.Hour), later.Add(13*time.Hour)
	for _, c := range []struct {
		name, field, reason string
		change              activity.ActivityChange
	}{
		{"below the sign-ups", "capacity", "below_signups", activity.ActivityChange{Capacity: &one}},
		{"start in the past", "starts_at", "in_past", activity.ActivityChange{StartsAt: &past}},
		{"end before start", "ends_at", "before_start", activity.ActivityChange{EndsAt: &past}},
		{"longer than the policy", "ends_at", "too_long", activity.ActivityChange{EndsAt: &long}},
	} {
		_, err := e.svc.UpdateActivity(ctx, coordinator, a.ID, c.change)
		if !errors.Is(err, activity.ErrInvalid) || reasonOf(err, c.field) != c.reason {
			t.Errorf("%s: %v, want %s on %s", c.name, err, c.reason, c.field)
		}
	}
	if now, _ := e.svc.Activity(ctx, a.ID); now.Revision != 3 {
		t.Fatalf("refused changes moved the revision to %d", now.Revision)
	}
	e.clock.Set(later)
	if _, err := e.svc.UpdateActivity(ctx, coordinator, a.ID, activity.ActivityChange{Content: &content}); !errors.Is(err, activity.ErrActivityStarted) {
		t.Fatalf("a change after the start: %v", err)
	}
}

// Cancelling a running activity closes the open attendance at the moment of cancelling, keeps it,
// tells the volunteers, and stops the kiosk.
func TestCancelActivity(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	a := e.newActivity(t)
	in, signed := e.volunteer(t, "周立"), e.volunteer(t, "钱红")
	if _, _, err := e.svc.SignUp(ctx, a.ID, signed.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(day10.Add(5 * time.Minute))
	if _, err := e.svc.ScanKiosk(ctx, in.ID, activity.Scan{Token: e.kiosk(t, a.ID, false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CancelActivity(ctx, coordinator, a.ID, "  "); !errors.Is(err, activity.ErrInvalid) {
		t.Fatalf("cancel without a reason: %v", err)
	}
	cancelAt := day10.Add(time.Hour)
	e.clock.Set(cancelAt)
	code := e.kiosk(t, a.ID, false)
	got, err := e.svc.CancelActivity(ctx, coordinator, a.ID, "暴雨预警，活动取消")
	if err != nil || got.Status != activity.StatusActivityCancelled || got.CancelReason == nil || got.CancelledAt == nil {
		t.Fatalf("cancel: %+v %v", got, err)
	}
	if again, err := e.svc.CancelActivity(ctx, coordinator, a.ID, "again"); err != nil || *again.CancelReason != "暴雨预警，活动取消" {
		t.Fatalf("cancel again: %+v %v", again, err)
	}
	var att struct {
		Status   string    `db:"status"`
		Out      time.Time `db:"check_out_at"`
		AutoShut bool      `db:"auto_closed"`
	}
	if err := e.db.Get(&att, `SELECT status, check_out_at, auto_closed FROM attendances WHERE activity_id = $1 AND user_id = $2`,
		a.ID, in.ID); err != nil || att.Status != "closed" || !att.Out.Equal(cancelAt) || !att.AutoShut {
		t.Fatalf("the open attendance after the cancel: %+v %v", att, err)
	}
	for _, u := range []int64{in.ID, signed.ID} {
		if n := e.count(t, `SELECT count(*) FROM notification_outbox WHERE user_id = $1 AND kind = 'activity_cancelled'
			AND params->>'reason' = '暴雨预警，活动取消' AND (params->>'activity_id')::bigint = $2`, u, a.ID); n != 1 {
			t.Errorf("volunteer %d told %d times", u, n)
		}
	}
	if _, err := e.svc.ScanKiosk(ctx, signed.ID, activity.Scan{Token: code}); !errors.Is(err, activity.ErrActivityCancelled) {
		t.Fatalf("a scan at a cancelled activity: %v", err)
	}
	if _, err := e.svc.KioskCode(ctx, a.ID, false); !errors.Is(err, activity.ErrActivityCancelled) {
		t.Fatalf("the kiosk of a cancelled activity: %v", err)
	}
	if _, err := e.svc.UpdateActivity(ctx, coordinator, a.ID, activity.ActivityChange{Content: ptr("x")}); !errors.Is(err, activity.ErrActivityCancelled) {
		t.Fatalf("a change of a cancelled activity: %v", err)
	}
	over := e.newActivity(t, func(n *activity.NewActivity) { n.StartsAt, n.EndsAt = day10.Add(time.Hour), day10.Add(2*time.Hour) })
	e.clock.Set(day10.Add(3 * time.Hour))
	if _, err := e.svc.CancelActivity(ctx, coordinator, over.ID, "太晚了"); !errors.Is(err, activity.ErrActivityOver) {
		t.Fatalf("cancelling an activity that ended: %v", err)
	}
	e.verifyLedger(t)
}

// A new activity may not start in the past (a few minutes' grace) nor last longer than the policy.
func TestNewActivityTimes(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	e.clock.Set(day10)
	for _, c := range []struct {
		name, field, reason string
		start               time.Time
		length              time.Duration
	}{
		{"an hour ago", "starts_at", "in_past", day10.Add(-time.Hour), time.Hour},
		{"thirteen hours", "ends_at", "too_long", day10.Add(time.Hour), 13 * time.Hour},
		{"no length", "ends_at", "before_start", day10.Add(time.Hour), 0},
	} {
		_, err := e.svc.CreateActivities(ctx, coordinator, activity.NewActivity{OrgID: e.orgID, Title: "测试", Category: "elderly",
			Address: "东山社区", LeaderName: "王队长", StartsAt: c.start, EndsAt: c.start.Add(c.length)})
		if reasonOf(err, c.field) != c.reason {
			t.Errorf("%s: %v, want %s on %s", c.name, err, c.reason, c.field)
		}
	}
	if _, err := e.svc.CreateActivities(ctx, coordinator, activity.NewActivity{OrgID: e.orgID, Title: "刚开始", Category: "elderly",
		Address: "东山社区", LeaderName: "王队长", StartsAt: day10.Add(-5 * time.Minute), EndsAt: day10.Add(11*time.Hour + 55*time.Minute)}); err != nil {
		t.Fatalf("five minutes late, twelve hours long: %v", err)
	}
}

// A day before an activity its volunteers signed up are reminded, once; not those who cancelled,
// and not for a cancelled activity.
func TestRemindUpcoming(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	a := e.newActivity(t)
	off := e.newActivity(t, func(n *activity.NewActivity) { n.Title = "取消的活动" })
	going, left := e.volunteer(t, "孔明"), e.volunteer(t, "庞统")
	for _, id := range []int64{a.ID, off.ID} {
		for _, u := range []int64{going.ID, left.ID} {
			if _, _, err := e.svc.SignUp(ctx, id, u); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := e.svc.CancelSignup(ctx, a.ID, left.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CancelActivity(ctx, coordinator, off.ID, "场地检修"); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(a.StartsAt.Add(-25 * time.Hour))
	if n, err := e.svc.RemindUpcoming(ctx, 100); err != nil || n != 0 {
		t.Fatalf("25 hours before: %d reminders, %v", n, err)
	}
	e.clock.Set(a.StartsAt.Add(-20 * time.Hour))
	for range 2 {
		if _, err := e.svc.RemindUpcoming(ctx, 100); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM notification_outbox WHERE kind = 'activity_reminder'`); n != 1 {
		t.Fatalf("%d reminders, want 1", n)
	}
	if n := e.count(t, `SELECT count(*) FROM notification_outbox WHERE kind = 'activity_reminder' AND user_id = $1
		AND params->>'activity' = $2 AND (params->>'activity_id')::bigint = $3`, going.ID, a.Title, a.ID); n != 1 {
		t.Fatalf("the volunteer going was not reminded")
	}
}
