package certificate_test

import (
	"context"
	"errors"
	"testing"

	"timebank/pkg/certificate"
)

// The public check tells a genuine certificate in force, then revoked, with its facts masked.
func TestCheckReflectsRevocation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.volunteer(t, "王秀英", "11010519491231002x")
	e.record(t, e.orgID, u.ID, "2026-01-10", "陪伴", 95, "scan")
	c := e.issue(t, e.orgID, u.ID)
	pc, err := e.svc.Check(ctx, c.Token)
	want := certificate.PublicCheck{Genuine: true, Status: certificate.StatusIssued, Number: c.Number,
		OrgName: "硖石街道志愿者协会", MaskedName: "王**", IDMasked: "1101**********002X", TotalMinutes: 95, Hours: "1.58",
		IssueDate: "2026-03-16"}
	if err != nil || pc != want {
		t.Errorf("check = %+v, %v; want %+v", pc, err, want)
	}
	if _, err := e.svc.Revoke(ctx, coordinator, e.orgID, c.ID, " "); !errors.Is(err, certificate.ErrInvalid) {
		t.Errorf("revoke without a reason: %v", err)
	}
	if _, err := e.svc.Revoke(ctx, coordinator, e.otherOrgID, c.ID, "开错了"); !errors.Is(err, certificate.ErrNotFound) {
		t.Errorf("revoke by another organization: %v", err)
	}
	r, err := e.svc.Revoke(ctx, coordinator, e.orgID, c.ID, "开错了")
	if err != nil || r.Status != certificate.StatusRevoked || r.StatusReason == nil || *r.StatusReason != "开错了" {
		t.Fatalf("revoke = %+v, %v", r, err)
	}
	if _, err := e.svc.Revoke(ctx, coordinator, e.orgID, c.ID, "再撤一次"); !errors.Is(err, certificate.ErrNotIssued) {
		t.Errorf("revoke twice: %v", err)
	}
	want.Status, want.Revoked, want.Reason = certificate.StatusRevoked, true, "开错了"
	if pc, err := e.svc.Check(ctx, c.Token); err != nil || pc != want {
		t.Errorf("check after revoke = %+v, %v; want %+v", pc, err, want)
	}
	// A code genuine in signature but naming a certificate the register does not hold is not genuine.
	other, _ := certificate.New(e.db, derive, certificate.Options{})
	if pc, err := other.Check(ctx, c.Token); err != nil || !pc.Genuine {
		t.Errorf("same keys, same register: %+v, %v", pc, err)
	}
}

// A correction after issue makes the certificate stale; Supersede issues the replacement with the
// corrected hours and the next number, and the old one's check says superseded and by which.
func TestSupersedeAfterCorrection(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.volunteer(t, "王秀英", "")
	rec := e.record(t, e.orgID, u.ID, "2026-01-10", "陪伴", 95, "scan")
	e.record(t, e.orgID, u.ID, "2026-01-11", "陪伴", 60, "scan")
	c := e.issue(t, e.orgID, u.ID)
	if stale, err := e.svc.Stale(ctx, e.orgID); err != nil || len(stale) != 0 {
		t.Errorf("stale before a correction = %v, %v", stale, err)
	}
	if _, err := e.svc.Supersede(ctx, coordinator, e.orgID, c.ID, certificate.Replacement{}); !errors.Is(err, certificate.ErrUnchanged) {
		t.Errorf("supersede without a correction: %v", err)
	}
	e.amend(t, rec, 120)
	stale, err := e.svc.Stale(ctx, e.orgID)
	if err != nil || len(stale) != 1 || stale[0].ID != c.ID {
		t.Fatalf("stale = %+v, %v; want the certificate", stale, err)
	}
	n, err := e.svc.Supersede(ctx, coordinator, e.orgID, c.ID, certificate.Replacement{Notes: "更正签退时间"})
	if err != nil {
		t.Fatal(err)
	}
	if n.TotalMinutes != 180 || n.Number != "2026-"+itoa(e.orgID)+"-00002" || n.ResponsibleName != "李会长" ||
		n.Records[0].Revision != 2 {
		t.Errorf("replacement = %s, %d minutes, %q, records %+v", n.Number, n.TotalMinutes, n.ResponsibleName, n.Records)
	}
	old, err := e.svc.Get(ctx, e.orgID, c.ID)
	if err != nil || old.Status != certificate.StatusSuperseded || old.SupersededBy == nil || *old.SupersededBy != n.ID ||
		old.TotalMinutes != 155 {
		t.Errorf("old = %+v, %v", old, err)
	}
	pc, err := e.svc.Check(ctx, c.Token)
	if err != nil || !pc.Genuine || !pc.Superseded || pc.Revoked || pc.ReplacedBy != n.Number || pc.ReplacedByCode != n.Token ||
		pc.TotalMinutes != 155 || pc.Reason != "" {
		t.Errorf("check of the old = %+v, %v", pc, err)
	}
	if pc, err := e.svc.Check(ctx, n.Token); err != nil || !pc.Genuine || pc.Status != certificate.StatusIssued || pc.TotalMinutes != 180 {
		t.Errorf("check of the new = %+v, %v", pc, err)
	}
	if stale, err := e.svc.Stale(ctx, e.orgID); err != nil || len(stale) != 0 {
		t.Errorf("stale after the replacement = %v, %v", stale, err)
	}
	if _, err := e.svc.Supersede(ctx, coordinator, e.orgID, c.ID, certificate.Replacement{}); !errors.Is(err, certificate.ErrNotIssued) {
		t.Errorf("supersede twice: %v", err)
	}
	// A record added by hand later for a day the certificate covered makes it stale too.
	e.record(t, e.orgID, u.ID, "2026-03-01", "补录的活动", 30, "manual")
	if stale, err := e.svc.Stale(ctx, e.orgID); err != nil || len(stale) != 1 || stale[0].ID != n.ID {
		t.Errorf("stale after a late record = %+v, %v", stale, err)
	}
}
