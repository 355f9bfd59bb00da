package certificate_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"timebank/pkg/certificate"
)

// 公示: a certificate in force is published for at least seven days; its public entry shows the
// number, the masked name, the hours and the organization only; anyone objects with a contact while
// it is published and not after; the organization decides each objection once; a second publication,
// a revoked certificate, bad periods and blank objections are refused and change nothing.
func TestPublication(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.volunteer(t, "王秀英", "")
	e.record(t, e.orgID, u.ID, "2026-01-10", "陪伴", 90, "scan")
	c := e.issue(t, e.orgID, u.ID)
	for _, days := range []int{6, 31, -1} {
		if _, err := e.svc.Publish(ctx, coordinator, e.orgID, c.ID, days); !errors.Is(err, certificate.ErrInvalid) {
			t.Errorf("%d days: %v", days, err)
		}
	}
	if _, err := e.svc.Publish(ctx, coordinator, e.otherOrgID, c.ID, 7); !errors.Is(err, certificate.ErrNotFound) {
		t.Errorf("another organization publishes it: %v", err)
	}
	p, err := e.svc.Publish(ctx, coordinator, e.orgID, c.ID, 0)
	if err != nil || p.StartsOn != "2026-03-16" || p.EndsOn != "2026-03-22" || p.MaskedName != "王**" || p.Hours != "1.5" {
		t.Fatalf("publish = %+v, %v", p, err)
	}
	if _, err := e.svc.Publish(ctx, coordinator, e.orgID, c.ID, 10); !errors.Is(err, certificate.ErrAlreadyPublished) {
		t.Errorf("published twice: %v", err)
	}
	list, err := e.svc.Public(ctx, e.orgID)
	if err != nil || len(list) != 1 || list[0].Number != c.Number || list[0].MaskedName != "王**" || list[0].PersonName != "" ||
		list[0].Minutes != 90 || list[0].OrgName != "硖石街道志愿者协会" {
		t.Fatalf("public list = %+v, %v", list, err)
	}
	if other, err := e.svc.Public(ctx, e.otherOrgID); err != nil || len(other) != 0 {
		t.Errorf("another organization's list = %+v, %v", other, err)
	}
	if _, err := e.svc.Object(ctx, e.orgID, c.Number, " ", "时长有误"); !errors.Is(err, certificate.ErrInvalid) {
		t.Errorf("an objection without a contact: %v", err)
	}
	if _, err := e.svc.Object(ctx, e.otherOrgID, c.Number, "13800000000", "时长有误"); !errors.Is(err, certificate.ErrNotPublic) {
		t.Errorf("an objection at another organization: %v", err)
	}
	o, err := e.svc.Object(ctx, e.orgID, c.Number, "13800000000", "那天她不在场")
	if err != nil || o.ID == 0 {
		t.Fatalf("object = %+v, %v", o, err)
	}
	if err := e.svc.DecideObjection(ctx, coordinator, e.orgID, o.ID, certificate.ObjectionUpheld, ""); !errors.Is(err, certificate.ErrInvalid) {
		t.Errorf("upheld without a note: %v", err)
	}
	if err := e.svc.DecideObjection(ctx, coordinator, e.otherOrgID, o.ID, certificate.ObjectionDismissed, ""); !errors.Is(err, certificate.ErrObjectionNotFound) {
		t.Errorf("decided by another organization: %v", err)
	}
	if err := e.svc.DecideObjection(ctx, coordinator, e.orgID, o.ID, certificate.ObjectionDismissed, "签到记录为证"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DecideObjection(ctx, coordinator, e.orgID, o.ID, certificate.ObjectionUpheld, "再议"); !errors.Is(err, certificate.ErrObjectionDecided) {
		t.Errorf("decided twice: %v", err)
	}
	objs, err := e.svc.Objections(ctx, e.orgID)
	if err != nil || len(objs) != 1 || objs[0].Status != certificate.ObjectionDismissed || objs[0].Note != "签到记录为证" ||
		objs[0].Contact != "13800000000" || objs[0].Number != c.Number {
		t.Errorf("objections = %+v, %v", objs, err)
	}
	// After the period it is no longer shown, and nobody objects to it.
	*e.clock = now.Add(7 * 24 * time.Hour)
	if list, err := e.svc.Public(ctx, e.orgID); err != nil || len(list) != 0 {
		t.Errorf("after the period: %+v, %v", list, err)
	}
	if _, err := e.svc.Object(ctx, e.orgID, c.Number, "13800000000", "迟到的异议"); !errors.Is(err, certificate.ErrNotPublic) {
		t.Errorf("an objection after the period: %v", err)
	}
	// A revoked certificate is neither published nor shown.
	*e.clock = now
	if _, err := e.svc.Revoke(ctx, coordinator, e.orgID, c.ID, "开错了"); err != nil {
		t.Fatal(err)
	}
	if list, err := e.svc.Public(ctx, e.orgID); err != nil || len(list) != 0 {
		t.Errorf("a revoked certificate is shown: %+v, %v", list, err)
	}
	var audited int
	if err := e.db.Get(&audited, `SELECT count(*) FROM audit_log WHERE action IN ('certificate.publish', 'certificate.objection')`); err != nil || audited != 2 {
		t.Errorf("audit entries: %d, %v", audited, err)
	}
}
