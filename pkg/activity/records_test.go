package activity_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lib/pq"

	"timebank/pkg/activity"
)

// approved checks a volunteer in and out and has the coordinator approve; it returns the record.
func (e *env) approved(t *testing.T, a activity.Activity, userID int64, in, out time.Time) activity.Record {
	t.Helper()
	att := e.checkedOut(t, a.ID, userID, in, out)
	res, err := e.svc.Verify(context.Background(), coordinator, activity.VerifyRequest{IDs: []int64{att.ID}, Action: activity.ActionApprove})
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	return *res[0].Record
}

// A dispute, then an amendment: a new revision with its reason, the old earning reversed and a new
// one posted, the dispute resolved; the first revision is still there, unchanged.
func TestDisputeAndAmend(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	a := e.newActivity(t)
	v, w := e.volunteer(t, "许诺"), e.volunteer(t, "邹平")
	rec := e.approved(t, a, v.ID, day10, day10.Add(time.Hour))
	if rec.Minutes != 60 {
		t.Fatalf("record minutes %d", rec.Minutes)
	}
	if _, err := e.svc.Dispute(ctx, w.ID, rec.ID, "不是我的"); !errors.Is(err, activity.ErrRecordNotFound) {
		t.Errorf("dispute of someone else's record: %v", err)
	}
	d, err := e.svc.Dispute(ctx, v.ID, rec.ID, "我做到了11点，少记了一小时")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Dispute(ctx, v.ID, rec.ID, "again"); !errors.Is(err, activity.ErrDisputeOpen) {
		t.Errorf("second open dispute: %v", err)
	}
	if r, _ := e.svc.Record(ctx, rec.ID); r.Status != activity.RecordDisputed {
		t.Errorf("status after dispute: %s", r.Status)
	}
	if _, err := e.svc.Amend(ctx, coordinator, rec.ID, activity.Amendment{Revision: 2, Minutes: 120, Reason: "核实"}); !errors.Is(err, activity.ErrRevisionConflict) {
		t.Errorf("amendment of a revision never seen: %v", err)
	}
	if _, err := e.svc.Amend(ctx, coordinator, rec.ID, activity.Amendment{Revision: 1, Minutes: 181, Reason: "核实"}); !errors.Is(err, activity.ErrInvalid) {
		t.Errorf("amendment longer than the activity: %v", err)
	}
	amended, err := e.svc.Amend(ctx, coordinator, rec.ID, activity.Amendment{Revision: 1, Minutes: 120, Reason: "签到表核实：9点到11点"})
	if err != nil {
		t.Fatal(err)
	}
	if amended.Revision != 2 || amended.Minutes != 120 || amended.Credits != 120 || amended.Status != activity.RecordVerified {
		t.Errorf("amended: %+v", amended)
	}
	if b := e.balance(t, v.AccountCode); b != 120 {
		t.Errorf("balance after amendment %d, want 120", b)
	}
	full, err := e.svc.Record(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Revisions) != 2 || full.Revisions[0].Minutes != 60 || full.Revisions[1].Reason != "签到表核实：9点到11点" ||
		full.Revisions[1].ReplacesTxID == nil || *full.Revisions[1].ReplacesTxID != *full.Revisions[0].EarnTxID {
		t.Errorf("revisions: %+v", full.Revisions)
	}
	if len(full.Disputes) != 1 || full.Disputes[0].ID != d.ID || full.Disputes[0].Status != "amended" {
		t.Errorf("disputes: %+v", full.Disputes)
	}
	first, err := e.l.Transaction(ctx, *full.Revisions[0].EarnTxID)
	if err != nil || first.ReversedBy == nil {
		t.Errorf("the first earning is not reversed: %v %+v", err, first)
	}
	if _, err := e.svc.Amend(ctx, coordinator, rec.ID, activity.Amendment{Revision: 1, Minutes: 90, Reason: "again"}); !errors.Is(err, activity.ErrRevisionConflict) {
		t.Errorf("stale amendment: %v", err)
	}
	// The volunteer hears that the dispute was answered, once per answer: amended, then dismissed.
	answered := func(outcome string) int {
		return e.count(t, `SELECT count(*) FROM notification_outbox WHERE user_id = $1 AND kind = 'dispute_answered'
			AND (params->>'record')::bigint = $2 AND params->>'outcome' = $3 AND params->>'activity' = $4`, v.ID, rec.ID, outcome, a.Title)
	}
	if n := answered("amended"); n != 1 {
		t.Errorf("%d notices of the amended dispute, want 1", n)
	}
	again, err := e.svc.Dispute(ctx, v.ID, rec.ID, "还是不对")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.DismissDispute(ctx, coordinator, again.ID, "签到表为准"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.DismissDispute(ctx, coordinator, again.ID, "签到表为准"); !errors.Is(err, activity.ErrDisputeNotFound) {
		t.Errorf("a second answer: %v", err)
	}
	if n, m := answered("dismissed"), answered("amended"); n != 1 || m != 1 {
		t.Errorf("notices after the dismissal: %d dismissed, %d amended; want 1 and 1", n, m)
	}
	// Amending down to nothing takes the credits back and posts no earning.
	if _, err := e.svc.Amend(ctx, coordinator, rec.ID, activity.Amendment{Revision: 2, Minutes: 0, Reason: "重复记录"}); err != nil {
		t.Fatal(err)
	}
	if b := e.balance(t, v.AccountCode); b != 0 {
		t.Errorf("balance after amending to 0: %d", b)
	}
	if n, err := e.svc.SettleReversals(ctx, 10); err != nil || n != 0 {
		t.Errorf("nothing should be left to settle: %d %v", n, err)
	}
	e.verifyLedger(t)

	// The database keeps the history whatever SQL is sent to it.
	for _, stmt := range []string{
		`UPDATE service_record_revisions SET minutes = 600 WHERE record_id = $1`,
		`DELETE FROM service_record_revisions WHERE record_id = $1`,
		`DELETE FROM service_records WHERE id = $1`,
		`UPDATE service_records SET activity_title = 'forged' WHERE id = $1`,
		`UPDATE service_records SET minutes = 600 WHERE id = $1`,
		`UPDATE service_records SET revision = 9 WHERE id = $1`,
		`DELETE FROM attendances WHERE id = (SELECT attendance_id FROM service_records WHERE id = $1)`,
		`UPDATE attendances SET check_in_at = check_in_at - interval '1 hour' WHERE id = (SELECT attendance_id FROM service_records WHERE id = $1)`,
	} {
		_, err := e.db.Exec(stmt, rec.ID)
		var pe *pq.Error
		if !errors.As(err, &pe) || (pe.Code != "TB009" && pe.Code != "TB101") {
			t.Errorf("%s: %v, want refused by a trigger", stmt, err)
		}
	}
}

// When the volunteer has spent the credits, an amendment that takes them back is refused before
// anything changes.
func TestAmendAfterSpending(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	a := e.newActivity(t)
	v := e.volunteer(t, "田甜")
	rec := e.approved(t, a, v.ID, day10, day10.Add(2*time.Hour))
	e.clock.Set(a.EndsAt)
	if _, _, err := e.svc.Transfer(ctx, v.ID, "spend-1", activity.TransferRequest{To: activity.ToPool, Amount: 100}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Amend(ctx, coordinator, rec.ID, activity.Amendment{Revision: 1, Minutes: 0, Reason: "未到场"})
	if !errors.Is(err, activity.ErrCreditsSpent) {
		t.Fatalf("amendment taking back spent credits: %v", err)
	}
	if r, _ := e.svc.Record(ctx, rec.ID); r.Revision != 1 || len(r.Revisions) != 1 {
		t.Errorf("a refused amendment changed the record: %+v", r)
	}
	// Taking back no more than what is left is fine: 20 left, 120 back, 110 anew.
	if _, err := e.svc.Amend(ctx, coordinator, rec.ID, activity.Amendment{Revision: 1, Minutes: 110, Reason: "提前离开"}); err != nil {
		t.Fatal(err)
	}
	if b := e.balance(t, v.AccountCode); b != 10 {
		t.Errorf("balance %d, want 120 - 100 + 110 - 120 = 10", b)
	}
	e.verifyLedger(t)
}

// Hours added by hand (补录): a reason, never longer than the activity, a second person's approval,
// and credits only when the policy says so.
func TestManualHours(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	a := e.newActivity(t)
	v, w := e.volunteer(t, "孔亮"), e.volunteer(t, "曹雪")
	e.clock.Set(day10.Add(time.Hour))
	if _, err := e.svc.AddManual(ctx, coordinator, a.ID, activity.ManualHours{VolunteerNo: v.VolunteerNo, Minutes: 60, Reason: "手机没电"}); !errors.Is(err, activity.ErrNotEnded) {
		t.Errorf("before the end: %v", err)
	}
	e.clock.Set(a.EndsAt.Add(time.Hour))
	for _, m := range []activity.ManualHours{
		{VolunteerNo: v.VolunteerNo, Minutes: 181, Reason: "手机没电"},
		{VolunteerNo: v.VolunteerNo, Minutes: 60},
		{VolunteerNo: "", Minutes: 60, Reason: "x"},
	} {
		if _, err := e.svc.AddManual(ctx, coordinator, a.ID, m); !errors.Is(err, activity.ErrInvalid) {
			t.Errorf("%+v: %v", m, err)
		}
	}
	att, err := e.svc.AddManual(ctx, coordinator, a.ID, activity.ManualHours{VolunteerNo: v.VolunteerNo, Minutes: 150, Reason: "手机没电，现场签到表为证"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddManual(ctx, coordinator, a.ID, activity.ManualHours{VolunteerNo: v.VolunteerNo, Minutes: 10, Reason: "again"}); !errors.Is(err, activity.ErrAttendanceExists) {
		t.Errorf("second manual entry: %v", err)
	}
	approve := activity.VerifyRequest{IDs: []int64{att.ID}, Action: activity.ActionApprove}
	if _, err := e.svc.Verify(ctx, coordinator, approve); !errors.Is(err, activity.ErrSecondApprover) {
		t.Errorf("approved by who added it: %v", err)
	}
	res, err := e.svc.Verify(ctx, second, approve)
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0].Record; r.Kind != activity.SourceManual || r.Minutes != 150 || r.Credits != 0 {
		t.Errorf("manual record under the default policy: %+v", r)
	}
	if b := e.balance(t, v.AccountCode); b != 0 {
		t.Errorf("manual hours earned %d credits by default", b)
	}
	p := activity.DefaultPolicy()
	p.ManualEarnsCredits = true
	if _, err := e.svc.SetPolicy(ctx, coordinator, e.orgID, p); err != nil {
		t.Fatal(err)
	}
	att2, err := e.svc.AddManual(ctx, coordinator, a.ID, activity.ManualHours{VolunteerNo: w.VolunteerNo, Minutes: 90, Reason: "忘记扫码"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Verify(ctx, second, activity.VerifyRequest{IDs: []int64{att2.ID}, Action: activity.ActionApprove}); err != nil {
		t.Fatal(err)
	}
	if b := e.balance(t, w.AccountCode); b != 90 {
		t.Errorf("manual hours under a policy that credits them: %d", b)
	}
}

// The volunteer's list: statuses, verified total and stars.
func TestMyRecords(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	v := e.volunteer(t, "严明")
	a1, a2, a3, a4 := e.newActivity(t), e.newActivity(t), e.newActivity(t), e.newActivity(t)
	e.approved(t, a1, v.ID, day10, day10.Add(2*time.Hour))
	rec := e.approved(t, a2, v.ID, day10, day10.Add(time.Hour))
	if _, err := e.svc.Dispute(ctx, v.ID, rec.ID, "少记了"); err != nil {
		t.Fatal(err)
	}
	rej := e.checkedOut(t, a3.ID, v.ID, day10, day10.Add(time.Hour))
	if _, err := e.svc.Verify(ctx, coordinator, activity.VerifyRequest{IDs: []int64{rej.ID}, Action: "reject", Reason: "未签到"}); err != nil {
		t.Fatal(err)
	}
	e.checkedOut(t, a4.ID, v.ID, day10, day10.Add(time.Hour))
	page, err := e.svc.MyRecords(ctx, v.ID, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	if page.VerifiedMinutes != 180 || page.Stars.Level != 0 || page.Stars.NextHours != 100 || page.Stars.MinutesNeeded != 100*60-180 {
		t.Errorf("totals: %d minutes, stars %+v", page.VerifiedMinutes, page.Stars)
	}
	var statuses []string
	for _, it := range page.Items {
		statuses = append(statuses, it.Status)
	}
	if len(statuses) != 3 || statuses[0] != "pending" || statuses[1] != "rejected" || statuses[2] != "disputed" || page.Next == 0 {
		t.Fatalf("first page: %v next %d", statuses, page.Next)
	}
	if page.Items[1].Reason != "未签到" {
		t.Errorf("rejection reason: %q", page.Items[1].Reason)
	}
	rest, err := e.svc.MyRecords(ctx, v.ID, page.Next, 3)
	if err != nil || len(rest.Items) != 1 || rest.Items[0].Status != "verified" || rest.Next != 0 {
		t.Errorf("second page: %v %+v", err, rest)
	}
}

// The list is in the order of the service's dates, newest first: an attendance recorded later for
// an earlier activity sits at its date, across pages too.
func TestMyRecordsByDate(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	v := e.volunteer(t, "严明")
	earlier := day10.AddDate(0, 0, -3)
	recent := e.newActivity(t)
	old := e.newActivity(t, func(n *activity.NewActivity) { n.StartsAt, n.EndsAt = earlier, earlier.Add(3*time.Hour) })
	e.checkedOut(t, recent.ID, v.ID, day10, day10.Add(time.Hour))
	e.checkedOut(t, old.ID, v.ID, earlier, earlier.Add(time.Hour))
	first, err := e.svc.MyRecords(ctx, v.ID, 0, 1)
	if err != nil || len(first.Items) != 1 || first.Items[0].ActivityID != recent.ID || first.Next == 0 {
		t.Fatalf("first page: %v %+v", err, first)
	}
	second, err := e.svc.MyRecords(ctx, v.ID, first.Next, 1)
	if err != nil || len(second.Items) != 1 || second.Items[0].ActivityID != old.ID || second.Next != 0 {
		t.Fatalf("second page: %v %+v", err, second)
	}
}
