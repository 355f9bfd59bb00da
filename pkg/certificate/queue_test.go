package certificate_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"timebank/pkg/activity"
	"timebank/pkg/certificate"
	"timebank/pkg/dbtest"
)

// The queue's issue accepts a waiting request and issues it in one transaction: refused, it leaves
// the request waiting; issued, the 经办人 named is printed, and the 负责人 defaults to the last one.
func TestIssueRequest(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.volunteer(t, "王秀英", "")
	e.record(t, e.orgID, u.ID, "2026-01-10", "陪伴", 95, "scan")
	r, err := e.svc.Apply(ctx, volunteerBy, certificate.NewRequest{UserID: u.ID, OrgID: e.orgID, Purpose: certificate.PurposeSchool})
	if err != nil {
		t.Fatal(err)
	}
	// No 负责人 given and none named before: refused, the request still waits, no audit entry.
	if _, err := e.svc.IssueRequest(ctx, coordinator, e.orgID, r.ID, certificate.NewCertificate{}); !errors.Is(err, certificate.ErrInvalid) {
		t.Fatalf("issue without a 负责人: %v", err)
	}
	if _, err := e.svc.IssueRequest(ctx, coordinator, e.otherOrgID, r.ID, certificate.NewCertificate{ResponsibleName: "李会长"}); !errors.Is(err, certificate.ErrRequestNotFound) {
		t.Fatalf("issue by another organization: %v", err)
	}
	if n := e.count(t, `SELECT count(*) FROM certificate_requests WHERE status = 'requested'`); n != 1 {
		t.Fatalf("%d requests waiting after the refusals", n)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE action LIKE 'certificate.%' AND action <> 'certificate.request'`); n != 0 {
		t.Fatalf("%d audit entries after the refusals", n)
	}
	c, err := e.svc.IssueRequest(ctx, coordinator, e.orgID, r.ID, certificate.NewCertificate{ResponsibleName: "李会长", HandlerName: " 周经办 "})
	if err != nil {
		t.Fatal(err)
	}
	if c.HandlerName != "周经办" || c.ResponsibleName != "李会长" || c.RequestID == nil || *c.RequestID != r.ID || c.TotalMinutes != 95 {
		t.Errorf("issued: %+v", c)
	}
	if got, err := e.svc.Request(ctx, e.orgID, r.ID); err != nil || got.Status != certificate.RequestIssued {
		t.Errorf("Request = %+v, %v", got, err)
	}
	if _, err := e.svc.Request(ctx, e.otherOrgID, r.ID); !errors.Is(err, certificate.ErrRequestNotFound) {
		t.Errorf("Request of another organization: %v", err)
	}
	if owner, org, err := e.svc.RequestOwner(ctx, r.ID); err != nil || owner != u.ID || org != e.orgID {
		t.Errorf("RequestOwner = %d %d %v", owner, org, err)
	}
	if _, _, err := e.svc.RequestOwner(ctx, 999999); !errors.Is(err, certificate.ErrRequestNotFound) {
		t.Errorf("RequestOwner(none) = %v", err)
	}
	if _, err := e.svc.IssueRequest(ctx, coordinator, e.orgID, r.ID, certificate.NewCertificate{}); !errors.Is(err, certificate.ErrRequestNotAccepted) {
		t.Errorf("issue twice: %v", err)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE action = 'certificate.request_accepted'`); n != 1 {
		t.Errorf("%d acceptances audited", n)
	}

	// Directly, by volunteer number, with no 负责人: the last one is printed, the issuer is the 经办人.
	d, err := e.svc.Issue(ctx, coordinator, e.orgID, certificate.NewCertificate{VolunteerNo: " " + u.VolunteerNo, Purpose: certificate.PurposeOther})
	if err != nil {
		t.Fatal(err)
	}
	if d.UserID != u.ID || d.ResponsibleName != "李会长" || d.HandlerName != "张协调" {
		t.Errorf("issued by number: %+v", d)
	}
	for _, in := range []certificate.NewCertificate{{Purpose: certificate.PurposeOther}, {VolunteerNo: "NO-SUCH", Purpose: certificate.PurposeOther}} {
		if _, err := e.svc.Issue(ctx, coordinator, e.orgID, in); err == nil {
			t.Errorf("issued to %+v", in)
		}
	}
}

// The days left of a request count working days after today up to the due day, skipping weekends.
func TestWorkingDaysLeft(t *testing.T) {
	cal, err := activity.NewCalendar(dbtest.New(t), nil).Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Due Monday 2026-03-30 (the end of the day), asked Monday 2026-03-16.
	r := certificate.Request{DueAt: time.Date(2026, 3, 30, 23, 59, 59, 999999000, cst)}
	for _, c := range []struct {
		at   time.Time
		want int
	}{
		{now, 10},
		{time.Date(2026, 3, 20, 18, 0, 0, 0, cst), 6}, // Friday: 23, 24, 25, 26, 27, 30
		{time.Date(2026, 3, 28, 9, 0, 0, 0, cst), 1},  // Saturday: Monday is left
		{time.Date(2026, 3, 30, 23, 0, 0, 0, cst), 0}, // the due day
		{time.Date(2026, 3, 31, 0, 0, 0, 0, cst), -1}, // past due
	} {
		if got := r.WorkingDaysLeft(cal, c.at); got != c.want {
			t.Errorf("at %v: %d left, want %d", c.at, got, c.want)
		}
	}
}

// The organizations a volunteer may ask are those that recorded verified service of theirs.
func TestRecorders(t *testing.T) {
	e := newEnv(t)
	u := e.volunteer(t, "王秀英", "")
	e.record(t, e.orgID, u.ID, "2026-01-10", "陪伴", 95, "scan")
	e.record(t, e.orgID, u.ID, "2026-01-11", "陪伴", 30, "manual")
	e.record(t, e.otherOrgID, u.ID, "2026-01-12", "义工", 60, "scan")
	rs, err := e.svc.Recorders(context.Background(), u.ID)
	if err != nil || len(rs) != 2 {
		t.Fatalf("recorders = %+v, %v", rs, err)
	}
	for _, r := range rs {
		if r.OrgID == e.orgID && r.Minutes != 125 || r.OrgID == e.otherOrgID && r.Minutes != 60 {
			t.Errorf("recorder %+v", r)
		}
	}
}
