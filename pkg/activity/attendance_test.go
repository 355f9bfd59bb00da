package activity_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"timebank/pkg/activity"
)

// The scan rules over an activity's day: when check-in opens and closes, when a second scan checks
// out, what a check-out code does, and that only inside/outside is kept of a position.
func TestScanInAndOut(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	a := e.newActivity(t, func(n *activity.NewActivity) {
		n.Latitude, n.Longitude, n.RadiusM = ptr(30.5275), ptr(120.6892), ptr(200)
	})
	v := e.volunteer(t, "郑伟")
	ctx := context.Background()
	scan := func(checkOut bool, pos *activity.Position) (activity.ScanResult, error) {
		return e.svc.ScanKiosk(ctx, v.ID, activity.Scan{Token: e.kiosk(t, a.ID, checkOut), Position: pos})
	}

	e.clock.Set(activity.CheckInOpens(a.StartsAt).Add(-time.Minute))
	if _, err := scan(false, nil); !errors.Is(err, activity.ErrCheckInNotOpen) {
		t.Fatalf("scan before check-in opens: %v", err)
	}
	e.clock.Set(day10.Add(-5 * time.Minute))
	if _, err := scan(true, nil); !errors.Is(err, activity.ErrNotCheckedIn) {
		t.Fatalf("check-out code before checking in: %v", err)
	}
	far := &activity.Position{Lat: 30.5400, Lng: 120.6892} // about 1.4 km north
	res, err := scan(false, far)
	if err != nil || res.Action != activity.ActionCheckedIn {
		t.Fatalf("check in: %v %+v", err, res)
	}
	if in := res.Attendance.InsideAtCheckIn; in == nil || *in {
		t.Errorf("a scan 1.4 km away is not flagged outside: %v", in)
	}
	e.clock.Set(day10.Add(-5*time.Minute + activity.MinCheckOutAfter - time.Second))
	if res, err := scan(false, nil); err != nil || res.Action != activity.ActionUnchanged || res.Attendance.Status != activity.StatusOpen {
		t.Fatalf("second scan within %s: %v %+v", activity.MinCheckOutAfter, err, res)
	}
	e.clock.Set(day10.Add(2 * time.Hour))
	near := &activity.Position{Lat: 30.5280, Lng: 120.6890}
	res, err = scan(false, near)
	if err != nil || res.Action != activity.ActionCheckedOut || res.Attendance.Status != activity.StatusClosed {
		t.Fatalf("scan after %s: %v %+v", activity.MinCheckOutAfter, err, res)
	}
	if out := res.Attendance.InsideAtCheckOut; out == nil || !*out {
		t.Errorf("a scan 60 m away is not inside a 200 m radius: %v", out)
	}
	if !res.Attendance.CheckOutAt.Equal(day10.Add(2 * time.Hour)) {
		t.Errorf("checked out at %v", res.Attendance.CheckOutAt)
	}
	if res, err := scan(false, nil); err != nil || res.Action != activity.ActionUnchanged {
		t.Fatalf("scan after checking out: %v %+v", err, res)
	}

	// After the end nobody new can check in.
	w := e.volunteer(t, "冯静")
	e.clock.Set(a.EndsAt.Add(time.Minute))
	if _, err := e.svc.ScanKiosk(ctx, w.ID, activity.Scan{Token: e.kiosk(t, a.ID, false)}); !errors.Is(err, activity.ErrActivityOver) {
		t.Errorf("check-in after the end: %v", err)
	}
	// The position itself is stored nowhere: the attendances table has no column for it.
	if n := e.count(t, `SELECT count(*) FROM information_schema.columns WHERE table_name = 'attendances'
AND (column_name LIKE '%lat%' OR column_name LIKE '%lng%' OR column_name LIKE '%lon%' OR column_name LIKE '%position%')`); n != 0 {
		t.Errorf("attendances has %d position columns", n)
	}
}

// An activity that takes only those who signed up refuses others at check-in.
func TestScanNeedsSignup(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	a := e.newActivity(t, func(n *activity.NewActivity) { n.SignupRequired, n.Capacity = true, ptr(10) })
	v, w := e.volunteer(t, "褚红"), e.volunteer(t, "卫东")
	ctx := context.Background()
	if _, _, err := e.svc.SignUp(ctx, a.ID, v.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(day10)
	if res, err := e.svc.ScanKiosk(ctx, v.ID, activity.Scan{Token: e.kiosk(t, a.ID, false)}); err != nil || res.Action != activity.ActionCheckedIn {
		t.Errorf("signed-up volunteer: %v %+v", err, res)
	}
	if _, err := e.svc.ScanKiosk(ctx, w.ID, activity.Scan{Token: e.kiosk(t, a.ID, false)}); !errors.Is(err, activity.ErrNotSignedUp) {
		t.Errorf("volunteer without sign-up: %v", err)
	}
}

// Forgotten check-outs are closed at the scheduled end once the grace has passed, flagged, and
// never before; a late scan does not claim the hours in between either.
func TestCloseForgotten(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	a := e.newActivity(t)
	v, w := e.volunteer(t, "蒋芳"), e.volunteer(t, "沈磊")
	ctx := context.Background()
	e.clock.Set(day10.Add(10 * time.Minute))
	for _, u := range []int64{v.ID, w.ID} {
		if _, err := e.svc.ScanKiosk(ctx, u, activity.Scan{Token: e.kiosk(t, a.ID, false)}); err != nil {
			t.Fatal(err)
		}
	}
	grace := time.Duration(activity.DefaultPolicy().ForgottenCheckoutGraceMinutes) * time.Minute
	e.clock.Set(a.EndsAt.Add(grace - time.Second))
	if n, err := e.svc.CloseForgotten(ctx, 100); err != nil || n != 0 {
		t.Fatalf("before the grace ends: closed %d, %v", n, err)
	}
	e.clock.Set(a.EndsAt.Add(grace))
	n, err := e.svc.CloseForgotten(ctx, 1)
	if err != nil || n != 1 {
		t.Fatalf("closed %d (limit 1), %v", n, err)
	}
	if n, err := e.svc.CloseForgotten(ctx, 100); err != nil || n != 1 {
		t.Fatalf("closed %d more, %v", n, err)
	}
	for _, u := range []int64{v.ID, w.ID} {
		var att activity.Attendance
		if err := e.db.Get(&att, `SELECT status, check_out_at, auto_closed FROM attendances WHERE user_id = $1`, u); err != nil {
			t.Fatal(err)
		}
		if att.Status != activity.StatusClosed || !att.AutoClosed || !att.CheckOutAt.Equal(a.EndsAt) {
			t.Errorf("volunteer %d: %s, auto %v, out at %v; want closed at the scheduled end", u, att.Status, att.AutoClosed, att.CheckOutAt)
		}
	}

	// A volunteer who scans out after the grace (before the worker ran) is closed at the end too.
	b := e.newActivity(t)
	x := e.volunteer(t, "韩梅")
	e.clock.Set(day10)
	if _, err := e.svc.ScanKiosk(ctx, x.ID, activity.Scan{Token: e.kiosk(t, b.ID, false)}); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(b.EndsAt.Add(grace - 30*time.Second))
	token := e.kiosk(t, b.ID, true)
	e.clock.Set(b.EndsAt.Add(grace + 10*time.Second))
	res, err := e.svc.ScanKiosk(ctx, x.ID, activity.Scan{Token: token})
	if err != nil || res.Action != activity.ActionCheckedOut || !res.Attendance.AutoClosed || !res.Attendance.CheckOutAt.Equal(b.EndsAt) {
		t.Fatalf("late scan: %v %+v", err, res)
	}
	// Past the deadline the kiosk shows no code any more.
	if _, err := e.svc.KioskCode(ctx, b.ID, false); !errors.Is(err, activity.ErrActivityOver) {
		t.Errorf("kiosk code after the deadline: %v", err)
	}
}
