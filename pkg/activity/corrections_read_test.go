package activity_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"timebank/pkg/activity"
	"timebank/pkg/principal"
)

// What the organization reads to correct records: a record's history with who made each revision,
// the minutes before it and the transactions it posted, replaced and reversed; the open disputes of
// the organization; the hours added by hand that wait for a second person.
func TestCorrectionReads(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	a := e.newActivity(t)
	v, w, x := e.volunteer(t, "许诺"), e.volunteer(t, "邹平"), e.volunteer(t, "孔亮")
	checker := e.volunteer(t, "钱核实")
	amender := &principal.Principal{UserID: checker.ID, Name: checker.Name}
	rec := e.approved(t, a, v.ID, day10, day10.Add(time.Hour))
	other := e.approved(t, a, w.ID, day10, day10.Add(2*time.Hour))

	if _, err := e.svc.RecordHistory(ctx, other.ID+1000); !errors.Is(err, activity.ErrRecordNotFound) {
		t.Errorf("history of no record: %v", err)
	}
	if ds, err := e.svc.OpenDisputes(ctx, e.orgID); err != nil || len(ds) != 0 {
		t.Fatalf("open disputes before any: %v %+v", ds, err)
	}
	d, err := e.svc.Dispute(ctx, v.ID, rec.ID, "我做到了11点")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := e.svc.OpenDisputes(ctx, e.orgID)
	if err != nil || len(ds) != 1 {
		t.Fatalf("open disputes: %v %+v", err, ds)
	}
	if g := ds[0]; g.ID != d.ID || g.RecordID != rec.ID || g.ActivityID != a.ID || g.VolunteerName != "许诺" ||
		g.Minutes != 60 || g.Reason != "我做到了11点" || g.ServiceDate != "2025-03-10" {
		t.Errorf("open dispute: %+v", g)
	}
	if ds, _ := e.svc.OpenDisputes(ctx, e.orgID+1000); len(ds) != 0 {
		t.Errorf("another organization's disputes: %+v", ds)
	}

	if _, err := e.svc.Amend(ctx, amender, rec.ID, activity.Amendment{Revision: 1, Minutes: 120, Reason: "签到表核实"}); err != nil {
		t.Fatal(err)
	}
	if ds, _ := e.svc.OpenDisputes(ctx, e.orgID); len(ds) != 0 {
		t.Errorf("disputes still open after the amendment: %+v", ds)
	}
	h, err := e.svc.RecordHistory(ctx, rec.ID)
	if err != nil || len(h) != 2 {
		t.Fatalf("history: %v %+v", err, h)
	}
	first, later := h[0], h[1]
	if first.MinutesBefore != nil || first.Minutes != 60 || first.EarnTxID == nil || first.ReplacesTxID != nil ||
		first.ReversalTxID != nil || first.ByName != "" {
		t.Errorf("revision 1: %+v", first)
	}
	if later.MinutesBefore == nil || *later.MinutesBefore != 60 || later.Minutes != 120 || later.ByName != "钱核实" ||
		later.Reason != "签到表核实" || later.ReplacesTxID == nil || *later.ReplacesTxID != *first.EarnTxID ||
		later.ReversalTxID == nil || later.EarnTxID == nil {
		t.Errorf("revision 2: %+v", later)
	}
	var reverses int64
	if err := e.db.Get(&reverses, `SELECT reverses FROM ledger_transactions WHERE id = $1`, *later.ReversalTxID); err != nil ||
		reverses != *first.EarnTxID {
		t.Errorf("the reversal named reverses %d (%v), want %d", reverses, err, *first.EarnTxID)
	}

	e.clock.Set(a.EndsAt.Add(time.Hour))
	if ms, err := e.svc.PendingManual(ctx, a.ID); err != nil || len(ms) != 0 {
		t.Fatalf("pending manual before any: %v %+v", err, ms)
	}
	att, err := e.svc.AddManual(ctx, coordinator, a.ID, activity.ManualHours{VolunteerNo: x.VolunteerNo, Minutes: 90, Reason: "手机没电"})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := e.svc.PendingManual(ctx, a.ID)
	if err != nil || len(ms) != 1 {
		t.Fatalf("pending manual: %v %+v", err, ms)
	}
	if m := ms[0]; m.ID != att.ID || m.RequestedBy == nil || *m.RequestedBy != coordinator.Label() || m.VolunteerName != "孔亮" ||
		m.ManualMinutes == nil || *m.ManualMinutes != 90 {
		t.Errorf("pending manual entry: %+v", m)
	}
	if _, err := e.svc.Verify(ctx, second, activity.VerifyRequest{IDs: []int64{att.ID}, Action: activity.ActionApprove}); err != nil {
		t.Fatal(err)
	}
	if ms, _ := e.svc.PendingManual(ctx, a.ID); len(ms) != 0 {
		t.Errorf("still pending after approval: %+v", ms)
	}
}
