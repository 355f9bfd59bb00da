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

// 50 concurrent scans of the kiosk code by one volunteer make one attendance, and every scan
// answers without error: one checked the volunteer in, the others found them checked in.
func TestConcurrentKioskScansMakeOneAttendance(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	a := e.newActivity(t)
	v := e.volunteer(t, "陈小燕")
	e.clock.Set(day10.Add(-10 * time.Minute))
	token := e.kiosk(t, a.ID, false)

	const n = 50
	var wg sync.WaitGroup
	results := make([]activity.ScanResult, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i], errs[i] = e.svc.ScanKiosk(context.Background(), v.ID, activity.Scan{Token: token})
		}()
	}
	close(start)
	wg.Wait()
	in := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("scan %d: %v", i, errs[i])
		}
		switch results[i].Action {
		case activity.ActionCheckedIn:
			in++
		case activity.ActionUnchanged:
		default:
			t.Errorf("scan %d: %s (a second scan within %s must not check out)", i, results[i].Action, activity.MinCheckOutAfter)
		}
		if results[i].Attendance.ID != results[0].Attendance.ID {
			t.Errorf("scan %d saw attendance %d, scan 0 saw %d", i, results[i].Attendance.ID, results[0].Attendance.ID)
		}
	}
	if in != 1 {
		t.Errorf("%d scans checked in, want 1", in)
	}
	if got := e.count(t, `SELECT count(*) FROM attendances WHERE activity_id = $1 AND user_id = $2`, a.ID, v.ID); got != 1 {
		t.Errorf("%d attendances, want 1", got)
	}
}

// 50 concurrent member-code scans of one volunteer at the kiosk, each with its own code, make one
// attendance; one member code scanned 20 times at once is spent once.
func TestConcurrentMemberScans(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	a := e.newActivity(t)
	v := e.volunteer(t, "周建国")
	e.clock.Set(day10.Add(5 * time.Minute))
	ctx := context.Background()

	const n = 50
	tokens := make([]string, n)
	for i := range tokens {
		c, err := e.svc.MemberCode(v.ID)
		if err != nil {
			t.Fatal(err)
		}
		tokens[i] = c.Token
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.svc.ScanMember(ctx, coordinator, a.ID, activity.Scan{Token: tokens[i]})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("scan %d: %v", i, err)
		}
	}
	if got := e.count(t, `SELECT count(*) FROM attendances WHERE activity_id = $1`, a.ID); got != 1 {
		t.Fatalf("%d attendances, want 1", got)
	}

	w := e.volunteer(t, "吴秀兰")
	c, err := e.svc.MemberCode(w.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ok, spent int
	var mu sync.Mutex
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.svc.ScanMember(ctx, coordinator, a.ID, activity.Scan{Token: c.Token})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, qr.ErrSpent):
				spent++
			default:
				t.Errorf("scan: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || spent != 19 {
		t.Errorf("one member code scanned 20 times: %d accepted, %d refused as spent; want 1 and 19", ok, spent)
	}
}

// Every way a scanned token can be wrong is refused with its own error, and nothing is recorded.
func TestScanRefusesBadTokens(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	a := e.newActivity(t)
	b := e.newActivity(t, func(n *activity.NewActivity) { n.Title = "另一场活动" })
	v := e.volunteer(t, "钱明")
	ctx := context.Background()
	e.clock.Set(day10)
	good := e.kiosk(t, a.ID, false)
	other := e.kiosk(t, b.ID, false)
	member, err := e.svc.MemberCode(v.ID)
	if err != nil {
		t.Fatal(err)
	}
	pickup, _, err := e.signer.Issue(qr.Pickup, 5, 1, day10.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := qr.NewSignerFromSecret([]byte("someone else's secret, also long"))
	if err != nil {
		t.Fatal(err)
	}
	forged, _, err := foreign.Kiosk(qr.CheckIn, a.ID, day10)
	if err != nil {
		t.Fatal(err)
	}
	// One character of the MAC changed to another of the alphabet: well formed, wrongly signed.
	flipped := []byte(good)
	if i := len(flipped) - 8; flipped[i] == 'A' {
		flipped[i] = 'B'
	} else {
		flipped[i] = 'A'
	}

	kiosk := []struct {
		name string
		scan activity.Scan
		want error
	}{
		{"forged by another key", activity.Scan{Token: forged}, qr.ErrBadSignature},
		{"altered", activity.Scan{Token: string(flipped)}, qr.ErrBadSignature},
		{"truncated by one character", activity.Scan{Token: good[:len(good)-1]}, qr.ErrMalformed},
		{"truncated to half", activity.Scan{Token: good[:len(good)/2]}, qr.ErrMalformed},
		// Cut to a whole number of base64 quanta: it decodes, and the MAC no longer matches.
		{"cut to whole bytes", activity.Scan{Token: good[:1+(len(good)-2)/4*4]}, qr.ErrBadSignature},
		{"not a token", activity.Scan{Token: "https://tb.example/q/hello"}, qr.ErrMalformed},
		{"member code at the kiosk", activity.Scan{Token: member.Token}, qr.ErrWrongType},
		{"pickup code", activity.Scan{Token: pickup}, qr.ErrWrongType},
		{"code of another activity than the page's", activity.Scan{Token: other, ActivityID: a.ID}, activity.ErrWrongActivity},
		{"empty", activity.Scan{Token: "  "}, activity.ErrInvalid},
		{"position off the Earth", activity.Scan{Token: good, Position: &activity.Position{Lat: 91}}, activity.ErrInvalid},
	}
	for _, c := range kiosk {
		if _, err := e.svc.ScanKiosk(ctx, v.ID, c.scan); !errors.Is(err, c.want) {
			t.Errorf("kiosk scan, %s: %v, want %v", c.name, err, c.want)
		}
	}
	member2, _ := e.svc.MemberCode(v.ID)
	counter := []struct {
		name string
		scan activity.Scan
		want error
	}{
		{"kiosk code of this activity", activity.Scan{Token: good}, qr.ErrWrongType},
		{"kiosk code of another activity", activity.Scan{Token: other}, activity.ErrWrongActivity},
		{"pickup code", activity.Scan{Token: pickup}, qr.ErrWrongType},
		{"truncated member code", activity.Scan{Token: member2.Token[:10]}, qr.ErrMalformed},
	}
	for _, c := range counter {
		if _, err := e.svc.ScanMember(ctx, coordinator, a.ID, c.scan); !errors.Is(err, c.want) {
			t.Errorf("member scan, %s: %v, want %v", c.name, err, c.want)
		}
	}
	// A screenshot: the member code once accepted is refused the second time.
	if _, err := e.svc.ScanMember(ctx, coordinator, a.ID, activity.Scan{Token: member2.Token}); err != nil {
		t.Fatalf("first scan of a member code: %v", err)
	}
	if _, err := e.svc.ScanMember(ctx, coordinator, a.ID, activity.Scan{Token: member2.Token}); !errors.Is(err, qr.ErrSpent) {
		t.Errorf("replayed member code: %v, want qr.ErrSpent", err)
	}
	// A photo of the kiosk screen, used later.
	e.clock.Set(day10.Add(qr.KioskTTL + qr.KioskStep))
	w := e.volunteer(t, "孙丽")
	if _, err := e.svc.ScanKiosk(ctx, w.ID, activity.Scan{Token: good}); !errors.Is(err, qr.ErrExpired) {
		t.Errorf("expired kiosk code: %v, want qr.ErrExpired", err)
	}
	if _, err := e.svc.ScanMember(ctx, coordinator, a.ID, activity.Scan{Token: member.Token}); !errors.Is(err, qr.ErrExpired) {
		t.Errorf("expired member code: %v, want qr.ErrExpired", err)
	}
	if got := e.count(t, `SELECT count(*) FROM attendances WHERE user_id = $1`, w.ID); got != 0 {
		t.Errorf("refused scans recorded %d attendances", got)
	}
}
