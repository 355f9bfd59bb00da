package activity_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"timebank/pkg/activity"
	"timebank/pkg/principal"
)

// A check-in is decided by one statement in PostgreSQL and explained in Go: both agree on the
// window to the microsecond at its edges, whether the phone was inside the radius is worked out
// there, and the attendance a check-in returns is the one stored.
func TestCheckInWindowEdges(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	a := e.newActivity(t, func(n *activity.NewActivity) {
		n.Latitude, n.Longitude, n.RadiusM = ptr(30.5275), ptr(120.6892), ptr(200)
	})
	ctx := context.Background()
	opens := activity.CheckInOpens(a.StartsAt)
	near := &activity.Position{Lat: 30.5280, Lng: 120.6890} // about 60 m away
	far := &activity.Position{Lat: 30.5400, Lng: 120.6892}  // about 1.4 km away
	cases := []struct {
		at     time.Time
		pos    *activity.Position
		want   error
		inside *bool
	}{
		{opens.Add(-time.Microsecond), nil, activity.ErrCheckInNotOpen, nil},
		{opens, near, nil, ptr(true)},
		{a.StartsAt, nil, nil, nil},
		{a.EndsAt, far, nil, ptr(false)},
		{a.EndsAt.Add(time.Microsecond), nil, activity.ErrActivityOver, nil},
	}
	for i, c := range cases {
		v := e.volunteer(t, fmt.Sprintf("边界%d", i))
		e.clock.Set(c.at)
		res, err := e.svc.ScanKiosk(ctx, v.ID, activity.Scan{Token: e.kiosk(t, a.ID, false), Position: c.pos})
		if c.want != nil {
			if !errors.Is(err, c.want) {
				t.Errorf("scan at %s: %v, want %v", c.at.Format(time.RFC3339Nano), err, c.want)
			}
			continue
		}
		if err != nil || res.Action != activity.ActionCheckedIn || res.ActivityTitle != a.Title {
			t.Fatalf("scan at %s: %v %+v", c.at.Format(time.RFC3339Nano), err, res)
		}
		got := res.Attendance
		if got.CheckInAt == nil || !got.CheckInAt.Equal(c.at) || got.UserID != v.ID || got.VolunteerName != v.Name {
			t.Errorf("scan at %s: attendance %+v", c.at.Format(time.RFC3339Nano), got)
		}
		if (got.InsideAtCheckIn == nil) != (c.inside == nil) || c.inside != nil && *got.InsideAtCheckIn != *c.inside {
			t.Errorf("scan at %s: inside %v, want %v", c.at.Format(time.RFC3339Nano), got.InsideAtCheckIn, c.inside)
		}
		stored, err := e.svc.Attendance(ctx, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		returned, _ := json.Marshal(got)
		read, _ := json.Marshal(stored)
		if string(returned) != string(read) {
			t.Errorf("the check-in returned\n%s\nbut stored\n%s", returned, read)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM attendances WHERE activity_id = $1`, a.ID); n != 3 {
		t.Errorf("%d attendances, want 3", n)
	}
}

// A member code scanned at an activity that does not exist is refused with ErrActivityNotFound (the
// check-in's statement finds no activity), and a kiosk code at another activity with ErrWrongActivity.
func TestCheckInUnknownActivity(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	a := e.newActivity(t)
	v := e.volunteer(t, "韩梅")
	e.clock.Set(a.StartsAt)
	token := e.kiosk(t, a.ID, false)
	_, err := e.svc.ScanMember(context.Background(), &principal.Principal{UserID: 1, Name: "协调员"}, a.ID+1000,
		activity.Scan{Token: token})
	if !errors.Is(err, activity.ErrWrongActivity) {
		t.Fatalf("a kiosk code scanned at another activity: %v", err)
	}
	code, err := e.svc.MemberCode(v.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.ScanMember(context.Background(), &principal.Principal{UserID: 1, Name: "协调员"}, a.ID+1000,
		activity.Scan{Token: code.Token})
	if !errors.Is(err, activity.ErrActivityNotFound) {
		t.Fatalf("a member code scanned at an activity that does not exist: %v", err)
	}
}
