package activity_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"timebank/pkg/activity"
	"timebank/pkg/qr"
)

// A volunteer scans the kiosk code in WeChat, not signed in; by the time they have signed in the
// code has expired. The pending scan checks them in as of the scan, once.
func TestPendingScanCountsFromTheScan(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	a := e.newActivity(t)
	v := e.volunteer(t, "沈小梅")
	scannedAt := day10.Add(4 * time.Minute)
	e.clock.Set(scannedAt)
	code := e.kiosk(t, a.ID, false)
	pending, err := e.svc.HoldScan(code)
	if err != nil {
		t.Fatal(err)
	}

	e.clock.Set(scannedAt.Add(6 * time.Minute)) // signing in took six minutes
	if _, err := e.svc.ScanKiosk(ctx, v.ID, activity.Scan{Token: code}); !errors.Is(err, qr.ErrExpired) {
		t.Fatalf("the kiosk code itself should have expired by now: %v", err)
	}
	res, err := e.svc.ApplyScan(ctx, v.ID, pending, nil)
	if err != nil || res.Action != activity.ActionCheckedIn || res.Attendance.CheckInAt == nil ||
		!res.Attendance.CheckInAt.Equal(scannedAt) {
		t.Fatalf("apply: %+v %v, want checked in at %s", res, err, scannedAt)
	}
	if _, err := e.svc.ApplyScan(ctx, v.ID, pending, nil); !errors.Is(err, qr.ErrSpent) {
		t.Fatalf("a second use: %v", err)
	}

	// The check-out code, scanned signed out an hour later, checks out as of its scan.
	outAt := scannedAt.Add(time.Hour)
	e.clock.Set(outAt)
	pendingOut, err := e.svc.HoldScan(e.kiosk(t, a.ID, true))
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Set(outAt.Add(3 * time.Minute))
	res, err = e.svc.ApplyScan(ctx, v.ID, pendingOut, nil)
	if err != nil || res.Action != activity.ActionCheckedOut || res.Attendance.CheckOutAt == nil ||
		!res.Attendance.CheckOutAt.Equal(outAt) {
		t.Fatalf("apply check-out: %+v %v, want checked out at %s", res, err, outAt)
	}
	if n := e.count(t, `SELECT count(*) FROM attendances WHERE activity_id = $1 AND user_id = $2`, a.ID, v.ID); n != 1 {
		t.Fatalf("%d attendances", n)
	}
}

// A pending scan waits at most PendingScanTTL; a code that is not a kiosk code, or already expired,
// is refused when it is scanned, not after signing in.
func TestPendingScanRefusals(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	a := e.newActivity(t)
	v := e.volunteer(t, "钱立新")
	e.clock.Set(day10)
	code := e.kiosk(t, a.ID, false)
	pending, err := e.svc.HoldScan(code)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Set(day10.Add(activity.PendingScanTTL + time.Second))
	if _, err := e.svc.ApplyScan(ctx, v.ID, pending, nil); !errors.Is(err, qr.ErrExpired) {
		t.Fatalf("a pending scan past its time: %v", err)
	}
	if _, err := e.svc.HoldScan(code); !errors.Is(err, qr.ErrExpired) {
		t.Fatalf("an expired kiosk code held: %v", err)
	}
	member, err := e.svc.MemberCode(v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.HoldScan(member.Token); !errors.Is(err, qr.ErrWrongType) {
		t.Fatalf("a member code held: %v", err)
	}
	if _, err := e.svc.HoldScan(code[:len(code)-2] + "AA"); err == nil {
		t.Fatal("a forged code held")
	}
	// A kiosk code passed off as a pending scan is refused.
	e.clock.Set(day10)
	if _, err := e.svc.ApplyScan(ctx, v.ID, e.kiosk(t, a.ID, false), nil); !errors.Is(err, qr.ErrWrongType) {
		t.Fatalf("a kiosk code applied as pending: %v", err)
	}
	if n := e.count(t, `SELECT count(*) FROM attendances WHERE user_id = $1`, v.ID); n != 0 {
		t.Fatalf("refusals made %d attendances", n)
	}
}

// One pending scan applied from ten requests at once (a page reloaded, two tabs) checks in once and
// is spent once.
func TestPendingScanRace(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	a := e.newActivity(t)
	v := e.volunteer(t, "孙晓东")
	e.clock.Set(day10.Add(time.Minute))
	pending, err := e.svc.HoldScan(e.kiosk(t, a.ID, false))
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg         sync.WaitGroup
		mu         sync.Mutex
		ok, spent  int
		unexpected []error
		start      = make(chan struct{})
	)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := e.svc.ApplyScan(context.Background(), v.ID, pending, nil)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, qr.ErrSpent):
				spent++
			default:
				unexpected = append(unexpected, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if ok != 1 || spent != 9 || len(unexpected) > 0 {
		t.Fatalf("applied %d, spent %d, other %v", ok, spent, unexpected)
	}
	if n := e.count(t, `SELECT count(*) FROM attendances WHERE user_id = $1`, v.ID); n != 1 {
		t.Fatalf("%d attendances", n)
	}
}
