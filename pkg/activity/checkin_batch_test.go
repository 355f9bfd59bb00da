package activity_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lib/pq"

	"timebank/pkg/activity"
	"timebank/pkg/dbtest"
	"timebank/pkg/identity"
)

// A storm of scans at once goes to PostgreSQL in batches, and each scan gets the answer it would
// have had alone: its own instant, position, window, sign-up and code decide it.
func TestCheckInsInGroups(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	a := e.newActivity(t, func(n *activity.NewActivity) {
		n.Latitude, n.Longitude, n.RadiusM = ptr(30.5275), ptr(120.6892), ptr(200)
	})
	b := e.newActivity(t, func(n *activity.NewActivity) { n.Title = "报名才能参加"; n.SignupRequired = true })
	e.clock.Set(day10.Add(-10 * time.Minute))
	in, out, signupOnly := e.kiosk(t, a.ID, false), e.kiosk(t, a.ID, true), e.kiosk(t, b.ID, false)
	near := &activity.Position{Lat: 30.5280, Lng: 120.6890}
	far := &activity.Position{Lat: 30.5400, Lng: 120.6892}

	type scan struct {
		v     identity.User
		token string
		pos   *activity.Position
		want  error
	}
	var scans []scan
	for i := range 48 {
		v := e.volunteer(t, "风暴志愿者")
		pos := near
		if i%2 == 1 {
			pos = far
		}
		scans = append(scans, scan{v, in, pos, nil})
		if i%6 == 0 { // the same volunteer twice at once: one checks in, the other finds it
			scans = append(scans, scan{v, in, pos, nil})
		}
	}
	for range 8 {
		scans = append(scans, scan{e.volunteer(t, "没报名"), signupOnly, nil, activity.ErrNotSignedUp})
	}
	for range 8 {
		scans = append(scans, scan{e.volunteer(t, "先签退"), out, nil, activity.ErrNotCheckedIn})
	}
	res := make([]activity.ScanResult, len(scans))
	errs := make([]error, len(scans))
	start := make(chan struct{})
	done := make(chan struct{})
	for i, s := range scans {
		go func() {
			<-start
			res[i], errs[i] = e.svc.ScanKiosk(ctx, s.v.ID, activity.Scan{Token: s.token, Position: s.pos})
			done <- struct{}{}
		}()
	}
	close(start)
	for range scans {
		<-done
	}
	if st := e.svc.CheckInBatchStats(); st.Batches == 0 || st.Fallbacks != 0 {
		t.Fatalf("the storm should have gone in batches: %+v", st)
	}
	checkedIn := map[int64]int64{}
	for i, s := range scans {
		if s.want != nil {
			if !errors.Is(errs[i], s.want) {
				t.Fatalf("scan %d: %v, want %v", i, errs[i], s.want)
			}
			continue
		}
		r := res[i]
		if errs[i] != nil || r.Attendance.UserID != s.v.ID || r.Attendance.VolunteerName != s.v.Name {
			t.Fatalf("scan %d: %+v %v", i, r, errs[i])
		}
		if r.Action == activity.ActionCheckedIn {
			if _, twice := checkedIn[s.v.ID]; twice {
				t.Fatalf("volunteer %d checked in twice", s.v.ID)
			}
			checkedIn[s.v.ID] = r.Attendance.ID
			if !r.Attendance.CheckInAt.Equal(day10.Add(-10*time.Minute)) || r.Attendance.InsideAtCheckIn == nil ||
				*r.Attendance.InsideAtCheckIn != (s.pos == near) {
				t.Fatalf("scan %d: attendance %+v", i, r.Attendance)
			}
		} else if r.Action != activity.ActionUnchanged {
			t.Fatalf("scan %d: %s", i, r.Action)
		}
	}
	if len(checkedIn) != 48 {
		t.Fatalf("%d volunteers checked in, want 48", len(checkedIn))
	}
	for i, s := range scans {
		if s.want == nil && res[i].Attendance.ID != checkedIn[s.v.ID] {
			t.Fatalf("scan %d saw attendance %d, the check-in made %d", i, res[i].Attendance.ID, checkedIn[s.v.ID])
		}
	}
	if n := e.count(t, `SELECT count(*) FROM attendances WHERE activity_id = $1`, a.ID); n != 48 {
		t.Fatalf("%d attendances at the activity, want 48", n)
	}
	if n := e.count(t, `SELECT count(*) FROM attendances WHERE activity_id = $1`, b.ID); n != 0 {
		t.Fatalf("%d attendances without sign-up", n)
	}
}

// A batch of check-ins whose commit fails answers none of its scans with a check-in: each gets the
// commit's error and no attendance exists; scanned again, each checks in once.
func TestCheckInsInGroupsNotAnsweredWithoutCommit(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	a := e.newActivity(t)
	refuse := dbtest.RefuseCommits(t, e.db)
	e.clock.Set(day10.Add(-10 * time.Minute))
	token := e.kiosk(t, a.ID, false)
	var vols []identity.User
	for range 32 {
		vols = append(vols, e.volunteer(t, "提交失败"))
	}
	storm := func(check func(i int, r activity.ScanResult, err error)) {
		start, done := make(chan struct{}), make(chan struct{})
		for i, v := range vols {
			go func() {
				<-start
				r, err := e.svc.ScanKiosk(ctx, v.ID, activity.Scan{Token: token})
				check(i, r, err)
				done <- struct{}{}
			}()
		}
		close(start)
		for range vols {
			<-done
		}
	}
	refuse(true)
	failed := make([]bool, len(vols))
	storm(func(i int, r activity.ScanResult, err error) {
		var pe *pq.Error
		failed[i] = errors.As(err, &pe) && pe.Code == dbtest.CommitRefusedCode && r.Action == ""
	})
	refuse(false)
	for i, ok := range failed {
		if !ok {
			t.Fatalf("scan %d whose commit failed was not answered with the commit's error", i)
		}
	}
	if st := e.svc.CheckInBatchStats(); st.Fallbacks == 0 {
		t.Fatalf("no batch failed at its commit: %+v", st)
	}
	if n := e.count(t, `SELECT count(*) FROM attendances`); n != 0 {
		t.Fatalf("%d attendances after refused commits", n)
	}
	in := make([]bool, len(vols))
	storm(func(i int, r activity.ScanResult, err error) {
		in[i] = err == nil && r.Action == activity.ActionCheckedIn
	})
	for i, ok := range in {
		if !ok {
			t.Fatalf("scan %d again did not check in", i)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM attendances WHERE activity_id = $1`, a.ID); n != len(vols) {
		t.Fatalf("%d attendances, want %d", n, len(vols))
	}
}
