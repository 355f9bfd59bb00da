package activity_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"timebank/ledger"
	"timebank/pkg/activity"
)

// serviceInput is a 助餐 delivery on day10 from 11:00 to 11:45 by the user, confirmed by the
// coordinator.
func (e *env) serviceInput(key string, userID int64) activity.ServiceInput {
	return activity.ServiceInput{Key: key, OrgID: e.orgID, VolunteerID: userID, Title: "助餐：送餐上门",
		Category: "elderly", Content: "送午餐并陪同用餐", Place: "东山社区", PeopleServed: "社区老人 1 人",
		StartedAt: day10.Add(2 * time.Hour), FinishedAt: day10.Add(2*time.Hour + 45*time.Minute),
		ConfirmedBy: coordinator}
}

func (e *env) recordService(t *testing.T, in activity.ServiceInput) (activity.Record, error) {
	t.Helper()
	var rec activity.Record
	err := e.l.InTx(context.Background(), func(ltx *ledger.Tx) error {
		var err error
		rec, err = e.svc.RecordService(context.Background(), ltx, in)
		return err
	})
	return rec, err
}

// A service becomes a record like any verified attendance: the policy's minutes, one earning from
// the organization to the volunteer, a balance that rises, and a correction by reversal.
func TestRecordService(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, activity.CreditLimits{})
	vol := e.volunteer(t, "陈小燕")
	e.clock.Set(day10.Add(4 * time.Hour))
	account := "vol:" + itoa(vol.ID)

	rec, err := e.recordService(t, e.serviceInput("service_request:1", vol.ID))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Minutes != 45 || rec.Credits != 45 || rec.Kind != activity.SourceScan || rec.Place != "东山社区" ||
		rec.LeaderName != "陈小燕" || rec.RecorderName != coordinator.Name || rec.ServiceDate != "2025-03-10" {
		t.Fatalf("record = %+v", rec)
	}
	if got := e.balance(t, account); got != 45 {
		t.Fatalf("balance = %d, want 45", got)
	}
	if n := e.count(t, `SELECT count(*) FROM ledger_transactions WHERE reference = $1`, "activity:record:"+itoa(rec.ID)); n != 1 {
		t.Fatalf("%d earnings, want 1", n)
	}

	// The same key again, even from many connections at once, is the same record and no new earning.
	var wg sync.WaitGroup
	errs := make([]error, 8)
	ids := make([]int64, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := e.recordService(t, e.serviceInput("service_request:1", vol.ID))
			ids[i], errs[i] = r.ID, err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil || ids[i] != rec.ID {
			t.Fatalf("replay %d: record %d, %v", i, ids[i], err)
		}
	}
	if got := e.balance(t, account); got != 45 {
		t.Fatalf("balance after replays = %d, want 45", got)
	}
	other := e.volunteer(t, "周明")
	if _, err := e.recordService(t, e.serviceInput("service_request:1", other.ID)); !errors.Is(err, activity.ErrServiceKeyConflict) {
		t.Fatalf("same key, other volunteer: %v", err)
	}

	// The service is no activity anyone lists or scans into.
	page, err := e.svc.Activities(ctx, activity.ListQuery{From: day10.Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 0 {
		t.Fatalf("listed: %+v", page.Items)
	}
	_, err = e.svc.AddManual(ctx, coordinator, rec.ActivityID, activity.ManualHours{VolunteerNo: other.VolunteerNo, Minutes: 10, Reason: "补录"})
	if !errors.Is(err, activity.ErrAttendanceExists) {
		t.Fatalf("second attendance at a service: %v", err)
	}

	// Corrected as any record: a new revision, the old earning reversed.
	fixed, err := e.svc.Amend(ctx, second, rec.ID, activity.Amendment{Revision: 1, Minutes: 30, Reason: "实际服务 30 分钟"})
	if err != nil {
		t.Fatal(err)
	}
	if fixed.Revision != 2 || fixed.Minutes != 30 {
		t.Fatalf("amended = %+v", fixed)
	}
	if got := e.balance(t, account); got != 30 {
		t.Fatalf("balance after amendment = %d, want 30", got)
	}
	if n := e.count(t, `SELECT count(*) FROM ledger_transactions WHERE reverses IS NOT NULL`); n != 1 {
		t.Fatalf("%d reversals, want 1", n)
	}
	e.verifyLedger(t)
}

// The organization's policy applies as to an activity: here rounding to half hours and minutes
// given by the confirmer, which may not pass the time between the scans.
func TestRecordServicePolicy(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, activity.CreditLimits{})
	p := activity.DefaultPolicy()
	p.RoundingUnitMinutes = 30
	if _, err := e.svc.SetPolicy(ctx, coordinator, e.orgID, p); err != nil {
		t.Fatal(err)
	}
	vol := e.volunteer(t, "陈小燕")
	e.clock.Set(day10.Add(4 * time.Hour))
	rec, err := e.recordService(t, e.serviceInput("care_visit:1", vol.ID))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Minutes != 30 {
		t.Fatalf("rounded minutes = %d, want 30", rec.Minutes)
	}
	in := e.serviceInput("care_visit:2", vol.ID)
	in.StartedAt, in.FinishedAt = day10.Add(-2*time.Hour), day10.Add(-time.Hour)
	in.Minutes = 61
	if _, err := e.recordService(t, in); !errors.Is(err, activity.ErrInvalid) {
		t.Fatalf("minutes longer than the service: %v", err)
	}
	in.Minutes = 45
	if rec, err = e.recordService(t, in); err != nil || rec.Minutes != 45 {
		t.Fatalf("given minutes: %+v %v", rec, err)
	}
}

// Bad input is refused before anything is written.
func TestRecordServiceInvalid(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	vol := e.volunteer(t, "陈小燕")
	e.clock.Set(day10.Add(4 * time.Hour))
	for name, change := range map[string]func(*activity.ServiceInput){
		"no key":           func(in *activity.ServiceInput) { in.Key = "" },
		"no title":         func(in *activity.ServiceInput) { in.Title = " " },
		"unknown category": func(in *activity.ServiceInput) { in.Category = "cooking" },
		"unknown org":      func(in *activity.ServiceInput) { in.OrgID = 999999 },
		"unknown user":     func(in *activity.ServiceInput) { in.VolunteerID = 999999 },
		"backwards":        func(in *activity.ServiceInput) { in.FinishedAt = in.StartedAt.Add(-time.Minute) },
		"too long":         func(in *activity.ServiceInput) { in.FinishedAt = in.StartedAt.Add(25 * time.Hour) },
		"future":           func(in *activity.ServiceInput) { in.FinishedAt = day10.Add(6 * time.Hour) },
		"nobody confirms":  func(in *activity.ServiceInput) { in.ConfirmedBy = nil },
		"control chars":    func(in *activity.ServiceInput) { in.Place = "东山\x00社区" },
	} {
		in := e.serviceInput("service_request:bad", vol.ID)
		change(&in)
		if _, err := e.recordService(t, in); !errors.Is(err, activity.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM activities`) + e.count(t, `SELECT count(*) FROM ledger_transactions`); n != 0 {
		t.Fatalf("%d rows written by refused input", n)
	}
}
