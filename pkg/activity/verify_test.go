package activity_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"timebank/ledger"
	"timebank/pkg/activity"
)

// 20 concurrent approvals of one attendance make one record and exactly one earning transaction;
// the other 19 report the same record as a replay. The ledger's invariants hold afterwards.
func TestConcurrentApprovalsCreditOnce(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	a := e.newActivity(t)
	v := e.volunteer(t, "杨帆")
	att := e.checkedOut(t, a.ID, v.ID, day10.Add(-3*time.Minute), day10.Add(2*time.Hour+7*time.Minute))
	e.clock.Set(a.EndsAt.Add(time.Hour))

	const n = 20
	var wg sync.WaitGroup
	results := make([][]activity.VerifyResult, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i], errs[i] = e.svc.Verify(context.Background(), coordinator,
				activity.VerifyRequest{IDs: []int64{att.ID}, Action: activity.ActionApprove})
		}()
	}
	close(start)
	wg.Wait()
	fresh := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("approval %d: %v", i, errs[i])
		}
		r := results[i][0]
		if r.Status != activity.StatusVerified || r.Record == nil {
			t.Fatalf("approval %d: %+v", i, r)
		}
		if !r.Replayed {
			fresh++
		}
		if r.Record.ID != results[0][0].Record.ID {
			t.Errorf("approval %d saw record %d", i, r.Record.ID)
		}
	}
	if fresh != 1 {
		t.Errorf("%d approvals were not replays, want 1", fresh)
	}
	rec := results[0][0].Record
	// 08:57 → 11:07 under the default policy: inside the window, 2 h 10 min rounded down to
	// quarter hours: 2 h.
	if rec.Minutes != 120 || rec.Credits != 120 {
		t.Errorf("record: %d minutes, %d credits; want 120 and 120", rec.Minutes, rec.Credits)
	}
	if got := e.count(t, `SELECT count(*) FROM ledger_transactions WHERE reference = $1`,
		"activity:record:"+itoa(rec.ID)); got != 1 {
		t.Errorf("%d earning transactions, want 1", got)
	}
	if got := e.count(t, `SELECT count(*) FROM service_records WHERE attendance_id = $1`, att.ID); got != 1 {
		t.Errorf("%d records, want 1", got)
	}
	if b := e.balance(t, v.AccountCode); b != 120 {
		t.Errorf("volunteer balance %d, want 120", b)
	}
	// The volunteer is told once, with the minutes, in the approval's transaction.
	if got := e.count(t, `SELECT count(*) FROM notification_outbox WHERE user_id = $1 AND kind = 'hours_verified'
		AND event = $2 AND params->>'minutes' = '120' AND params->>'activity' = $3`, v.ID,
		"record:"+itoa(rec.ID)+":rev:1", a.Title); got != 1 {
		t.Errorf("%d notices of the approval, want 1", got)
	}
	if b := e.balance(t, "org:"+itoa(e.orgID)+":issued"); b != -120 {
		t.Errorf("issuing account %d, want -120", b)
	}
	e.verifyLedger(t)
}

// An approved record holds every field the rules list, copied from the activity; the earning goes
// from the organization's issuing account to the volunteer at the policy's ratio.
func TestApproveMakesTheRecord(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	p := activity.DefaultPolicy()
	p.CreditNumerator, p.CreditDenominator, p.RoundingUnitMinutes = 3, 2, 1
	if _, err := e.svc.SetPolicy(ctx, coordinator, e.orgID, p); err != nil {
		t.Fatal(err)
	}
	a := e.newActivity(t)
	v := e.volunteer(t, "何静")
	att := e.checkedOut(t, a.ID, v.ID, day10.Add(5*time.Minute), day10.Add(95*time.Minute))
	e.clock.Set(a.EndsAt)
	res, err := e.svc.Verify(ctx, second, activity.VerifyRequest{IDs: []int64{att.ID}, Action: activity.ActionApprove,
		Evaluation: "优秀"})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := e.svc.Record(ctx, res[0].Record.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := activity.Record{ID: rec.ID, AttendanceID: att.ID, ActivityID: a.ID, UserID: v.ID, VolunteerName: "何静",
		VolunteerNo: v.VolunteerNo, OrgID: e.orgID, Kind: activity.SourceScan, ActivityTitle: a.Title,
		ServiceDate: "2025-03-10", Place: a.Address, Content: a.Content, Category: "elderly",
		OrgName: "硖石街道志愿者协会", LeaderName: "王队长", PeopleServed: "敬老院老人", RecorderName: second.Name,
		Status: activity.RecordVerified, Revision: 1, Minutes: 90, Credits: 135, CreatedAt: rec.CreatedAt}
	got := rec
	got.Revisions, got.Disputes = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("record\n got %+v\nwant %+v", got, want)
	}
	if len(rec.Revisions) != 1 || rec.Revisions[0].Evaluation != "优秀" || rec.Revisions[0].EarnTxID == nil {
		t.Fatalf("revisions: %+v", rec.Revisions)
	}
	tx, err := e.l.Transaction(ctx, *rec.Revisions[0].EarnTxID)
	if err != nil {
		t.Fatal(err)
	}
	if tx.Kind != ledger.TxEarn || tx.IdempotencyKey != "activity:record:"+itoa(rec.ID)+":rev:1" {
		t.Errorf("earning: %s %s", tx.Kind, tx.IdempotencyKey)
	}
	amounts := map[string]int64{}
	for _, p := range tx.Postings {
		amounts[p.Account] = p.Amount
	}
	if amounts[v.AccountCode] != 135 || amounts["org:"+itoa(e.orgID)+":issued"] != -135 || len(amounts) != 2 {
		t.Errorf("postings %v", amounts)
	}
}

// Adjusting and rejecting need a reason; an open attendance cannot be decided; a verified one is
// corrected by amendment, not by deciding it again; a rejected one may still be approved.
func TestVerifyRules(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	a := e.newActivity(t)
	v, w, x := e.volunteer(t, "吕洋"), e.volunteer(t, "施琳"), e.volunteer(t, "张强")
	attV := e.checkedOut(t, a.ID, v.ID, day10, day10.Add(time.Hour))
	attW := e.checkedOut(t, a.ID, w.ID, day10, day10.Add(time.Hour))
	e.clock.Set(day10.Add(time.Hour))
	open, err := e.svc.ScanKiosk(ctx, x.ID, activity.Scan{Token: e.kiosk(t, a.ID, false)})
	if err != nil {
		t.Fatal(err)
	}
	verify := func(r activity.VerifyRequest) ([]activity.VerifyResult, error) {
		return e.svc.Verify(ctx, coordinator, r)
	}
	for _, c := range []struct {
		name string
		req  activity.VerifyRequest
		want error
	}{
		{"no ids", activity.VerifyRequest{Action: "approve"}, activity.ErrInvalid},
		{"unknown action", activity.VerifyRequest{IDs: []int64{attV.ID}, Action: "maybe"}, activity.ErrInvalid},
		{"adjust without minutes", activity.VerifyRequest{IDs: []int64{attV.ID}, Action: "adjust", Reason: "x"}, activity.ErrInvalid},
		{"adjust without reason", activity.VerifyRequest{IDs: []int64{attV.ID}, Action: "adjust", Minutes: ptr(int64(30))}, activity.ErrInvalid},
		{"reject without reason", activity.VerifyRequest{IDs: []int64{attV.ID}, Action: "reject"}, activity.ErrInvalid},
		{"adjust longer than the activity", activity.VerifyRequest{IDs: []int64{attV.ID}, Action: "adjust",
			Minutes: ptr(int64(181)), Reason: "多算"}, activity.ErrInvalid},
		{"unknown attendance", activity.VerifyRequest{IDs: []int64{attV.ID, 987654}, Action: "approve"}, activity.ErrAttendanceNotFound},
		{"open attendance in the batch", activity.VerifyRequest{IDs: []int64{attV.ID, open.Attendance.ID}, Action: "approve"}, activity.ErrStillCheckedIn},
	} {
		if _, err := verify(c.req); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// The batch with the open attendance changed nothing: all or nothing.
	if got := e.count(t, `SELECT count(*) FROM service_records`); got != 0 {
		t.Fatalf("a refused batch left %d records", got)
	}
	if _, err := verify(activity.VerifyRequest{IDs: []int64{attW.ID}, Action: "reject", Reason: "未实际参加"}); err != nil {
		t.Fatal(err)
	}
	res, err := verify(activity.VerifyRequest{IDs: []int64{attV.ID, attW.ID}, Action: "adjust", Minutes: ptr(int64(45)), Reason: "中途离开"})
	if err != nil {
		t.Fatalf("adjust a closed and a rejected attendance: %v", err)
	}
	for _, r := range res {
		if r.Record == nil || r.Record.Minutes != 45 {
			t.Errorf("adjusted: %+v", r)
		}
	}
	for _, action := range []string{"adjust", "reject"} {
		_, err := verify(activity.VerifyRequest{IDs: []int64{attV.ID}, Action: action, Minutes: ptr(int64(30)), Reason: "再改"})
		if action == "reject" {
			_, err = verify(activity.VerifyRequest{IDs: []int64{attV.ID}, Action: action, Reason: "再改"})
		}
		if !errors.Is(err, activity.ErrAlreadyVerified) {
			t.Errorf("%s a verified attendance: %v", action, err)
		}
	}
	// The database refuses what the service never does: deciding an open attendance.
	if _, err := e.db.Exec(`UPDATE attendances SET status = 'verified', decided_at = now(), decided_by = 'x' WHERE id = $1`,
		open.Attendance.ID); err == nil {
		t.Error("the database let an open attendance become verified")
	}
}

// The queue shows the 10-working-day deadline and warns before it passes.
func TestQueueDeadline(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	a := e.newActivity(t)
	v := e.volunteer(t, "潘月")
	e.checkedOut(t, a.ID, v.ID, day10.Add(-20*time.Minute), a.EndsAt.Add(40*time.Minute))
	// 2025-03-10 is a Monday with no holiday near: ten working days later is Monday 2025-03-24.
	wantDeadline := time.Date(2025, 3, 25, 0, 0, 0, 0, cst).Add(-time.Nanosecond)
	for _, c := range []struct {
		now  time.Time
		want string
	}{
		{time.Date(2025, 3, 11, 10, 0, 0, 0, cst), "ok"},
		{time.Date(2025, 3, 20, 10, 0, 0, 0, cst), "due_soon"},
		{time.Date(2025, 3, 25, 0, 0, 1, 0, cst), "overdue"},
	} {
		e.clock.Set(c.now)
		q, err := e.svc.Attendances(ctx, a.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !q.Deadline.Equal(wantDeadline) || q.Due != c.want {
			t.Errorf("at %v: deadline %v %s, want %v %s", c.now, q.Deadline, q.Due, wantDeadline, c.want)
		}
		if len(q.Items) != 1 || q.Items[0].PreviewMinutes == nil || *q.Items[0].PreviewMinutes != 210 {
			t.Fatalf("queue items: %+v", q.Items)
		}
		pending, err := e.svc.PendingActivities(ctx, e.orgID)
		if err != nil || len(pending) != 1 || pending[0].Pending != 1 || pending[0].Due != c.want {
			t.Errorf("pending activities: %v %+v", err, pending)
		}
	}
}

// A rejection tells the volunteer, with the reason; a rejection that fails tells nobody.
func TestRejectionIsTold(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	a := e.newActivity(t)
	v := e.volunteer(t, "吴小兰")
	att := e.checkedOut(t, a.ID, v.ID, day10, day10.Add(time.Hour))
	e.clock.Set(a.EndsAt.Add(time.Hour))
	ctx := context.Background()
	if _, err := e.svc.Verify(ctx, coordinator, activity.VerifyRequest{IDs: []int64{att.ID, 999999},
		Action: activity.ActionReject, Reason: "未在现场"}); err == nil {
		t.Fatal("a batch with an unknown attendance was decided")
	}
	if got := e.count(t, `SELECT count(*) FROM notification_outbox WHERE user_id = $1`, v.ID); got != 0 {
		t.Fatalf("a refused batch told the volunteer %d times", got)
	}
	for range 2 {
		if _, err := e.svc.Verify(ctx, coordinator, activity.VerifyRequest{IDs: []int64{att.ID},
			Action: activity.ActionReject, Reason: "未在现场"}); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.count(t, `SELECT count(*) FROM notification_outbox WHERE user_id = $1 AND kind = 'hours_rejected'
		AND params->>'reason' = '未在现场' AND params->>'activity' = $2`, v.ID, a.Title); got != 1 {
		t.Fatalf("%d notices of the rejection, want 1", got)
	}
}
