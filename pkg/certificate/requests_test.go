package certificate_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"timebank/pkg/certificate"
)

// 申请 → 受理 → 开具: the request is due in 10 working days, accepted, then issued once for the
// period and purpose asked; a refused request is never issued.
func TestRequestFlow(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.volunteer(t, "王秀英", "")
	e.record(t, e.orgID, u.ID, "2026-01-10", "陪伴", 95, "scan")
	e.record(t, e.orgID, u.ID, "2026-02-10", "陪伴", 60, "scan")
	r, err := e.svc.Apply(ctx, volunteerBy, certificate.NewRequest{UserID: u.ID, OrgID: e.orgID, From: "2026-02-01",
		To: "2026-02-28", Purpose: certificate.PurposeSchool, PurposeNote: "高校志愿服务经历证明"})
	if err != nil {
		t.Fatal(err)
	}
	// Monday 2026-03-16 + 10 working days = Monday 2026-03-30, end of day (no holiday between).
	if want := time.Date(2026, 3, 30, 23, 59, 59, 999999000, cst); !r.DueAt.Equal(want) || r.Status != certificate.RequestRequested {
		t.Errorf("request due %v, status %s; want %v", r.DueAt.In(cst), r.Status, want)
	}
	if _, err := e.svc.Issue(ctx, coordinator, e.orgID, certificate.NewCertificate{RequestID: r.ID, ResponsibleName: "李会长"}); !errors.Is(err, certificate.ErrRequestNotAccepted) {
		t.Errorf("issue before acceptance: %v", err)
	}
	if _, err := e.svc.Apply(ctx, volunteerBy, certificate.NewRequest{UserID: u.ID, OrgID: e.orgID,
		Purpose: certificate.PurposeOther}); !errors.Is(err, certificate.ErrRequestOpen) {
		t.Errorf("a second open request: %v", err)
	}
	if _, err := e.svc.Accept(ctx, coordinator, e.otherOrgID, r.ID); !errors.Is(err, certificate.ErrRequestNotFound) {
		t.Errorf("accept by another organization: %v", err)
	}
	if r, err = e.svc.Accept(ctx, coordinator, e.orgID, r.ID); err != nil || r.Status != certificate.RequestAccepted ||
		r.DecidedName == nil || *r.DecidedName != "张协调" {
		t.Fatalf("accept = %+v, %v", r, err)
	}
	if _, err := e.svc.Refuse(ctx, coordinator, e.orgID, r.ID, "晚了"); !errors.Is(err, certificate.ErrRequestDecided) {
		t.Errorf("refuse after acceptance: %v", err)
	}
	c, err := e.svc.Issue(ctx, coordinator, e.orgID, certificate.NewCertificate{RequestID: r.ID, UserID: 999999,
		Purpose: "ignored", ResponsibleName: "李会长"})
	if err != nil {
		t.Fatal(err)
	}
	if c.UserID != u.ID || c.From != "2026-02-01" || c.To != "2026-02-28" || c.TotalMinutes != 60 ||
		c.Purpose != certificate.PurposeSchool || c.RequestID == nil || *c.RequestID != r.ID {
		t.Errorf("issued from the request: %+v", c)
	}
	if _, err := e.svc.Issue(ctx, coordinator, e.orgID, certificate.NewCertificate{RequestID: r.ID, ResponsibleName: "李会长"}); !errors.Is(err, certificate.ErrRequestNotAccepted) {
		t.Errorf("issue twice: %v", err)
	}
	rs, err := e.svc.Requests(ctx, e.orgID, certificate.RequestIssued, 0, 10)
	if err != nil || len(rs) != 1 || rs[0].CertificateID == nil || *rs[0].CertificateID != c.ID {
		t.Errorf("issued requests = %+v, %v", rs, err)
	}
	if rs, err := e.svc.Requests(ctx, e.orgID, certificate.RequestRequested, 0, 10); err != nil || len(rs) != 0 {
		t.Errorf("waiting requests = %+v, %v", rs, err)
	}
	if mine, err := e.svc.RequestsOfUser(ctx, u.ID); err != nil || len(mine) != 1 || mine[0].Status != certificate.RequestIssued {
		t.Errorf("the volunteer's requests = %+v, %v", mine, err)
	}
	if mine, err := e.svc.OfUser(ctx, u.ID); err != nil || len(mine) != 1 || mine[0].ID != c.ID {
		t.Errorf("the volunteer's certificates = %+v, %v", mine, err)
	}
	if userID, orgID, err := e.svc.Owner(ctx, c.ID); err != nil || userID != u.ID || orgID != e.orgID {
		t.Errorf("owner = %d, %d, %v", userID, orgID, err)
	}
	if _, _, err := e.svc.Owner(ctx, c.ID+1000); !errors.Is(err, certificate.ErrNotFound) {
		t.Errorf("owner of no certificate: %v", err)
	}
}

// A refused request keeps its reason, and nothing can issue it; refusals of the flow change nothing.
func TestRequestRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.volunteer(t, "王秀英", "")
	e.record(t, e.orgID, u.ID, "2026-01-10", "陪伴", 95, "scan")
	if _, err := e.svc.Apply(ctx, volunteerBy, certificate.NewRequest{UserID: u.ID, OrgID: e.otherOrgID,
		Purpose: certificate.PurposeSchool}); !errors.Is(err, certificate.ErrNothingToCertify) {
		t.Errorf("request from an organization that recorded nothing: %v", err)
	}
	if _, err := e.svc.Apply(ctx, volunteerBy, certificate.NewRequest{UserID: u.ID, OrgID: e.orgID,
		Purpose: "loan"}); !errors.Is(err, certificate.ErrInvalid) {
		t.Errorf("unknown purpose: %v", err)
	}
	r, err := e.svc.Apply(ctx, volunteerBy, certificate.NewRequest{UserID: u.ID, OrgID: e.orgID, Purpose: certificate.PurposeAward})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Refuse(ctx, coordinator, e.orgID, r.ID, ""); !errors.Is(err, certificate.ErrInvalid) {
		t.Errorf("refuse without a reason: %v", err)
	}
	if r, err = e.svc.Refuse(ctx, coordinator, e.orgID, r.ID, "该时段记录有争议，待核实"); err != nil || r.Reason != "该时段记录有争议，待核实" {
		t.Fatalf("refuse = %+v, %v", r, err)
	}
	if _, err := e.svc.Accept(ctx, coordinator, e.orgID, r.ID); !errors.Is(err, certificate.ErrRequestDecided) {
		t.Errorf("accept after refusal: %v", err)
	}
	if _, err := e.svc.Issue(ctx, coordinator, e.orgID, certificate.NewCertificate{RequestID: r.ID, ResponsibleName: "李会长"}); !errors.Is(err, certificate.ErrRequestNotAccepted) {
		t.Errorf("issue a refused request: %v", err)
	}
	if _, err := e.db.Exec(`UPDATE certificate_requests SET status = 'accepted' WHERE id = $1`, r.ID); err == nil {
		t.Error("the table let a refused request be accepted")
	}
	// Once refused, the volunteer may ask again.
	if _, err := e.svc.Apply(ctx, volunteerBy, certificate.NewRequest{UserID: u.ID, OrgID: e.orgID, Purpose: certificate.PurposeAward}); err != nil {
		t.Errorf("a new request after a refusal: %v", err)
	}
	if n := e.count(t, `SELECT count(*) FROM certificates`) + e.count(t, `SELECT count(*) FROM certificate_counters`); n != 0 {
		t.Errorf("%d certificate or counter rows after refusals", n)
	}
	if n := e.count(t, `SELECT count(*) FROM certificate_requests WHERE status = 'refused' AND reason <> ''`); n != 1 {
		t.Errorf("%d refused requests with their reason, want 1", n)
	}
}

// The due date counts mainland China's working days: a request made before the May Day holiday
// (2026-05-01..05, with Saturday 05-09 worked) is due later than ten weekdays would make it.
func TestRequestDueOverHolidays(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ at, due time.Time }{
		// Thursday 04-30: working days 05-06, 07, 08, 09 (Saturday, worked), 11, 12, 13, 14, 15, 18.
		{time.Date(2026, 4, 30, 17, 0, 0, 0, cst), time.Date(2026, 5, 18, 23, 59, 59, 999999000, cst)},
		// Friday 2026-01-02 (a holiday), late at night: 01-04 (Sunday, worked), 05 … 09, 12 … 15.
		{time.Date(2026, 1, 2, 23, 30, 0, 0, cst), time.Date(2026, 1, 15, 23, 59, 59, 999999000, cst)},
	} {
		u := e.volunteer(t, "王秀英", "")
		e.record(t, e.orgID, u.ID, "2025-12-10", "陪伴", 95, "scan")
		*e.clock = tc.at
		r, err := e.svc.Apply(context.Background(), volunteerBy, certificate.NewRequest{UserID: u.ID, OrgID: e.orgID,
			Purpose: certificate.PurposeOther})
		if err != nil {
			t.Fatal(err)
		}
		if !r.DueAt.Equal(tc.due) || !r.RequestedAt.Equal(tc.at) {
			t.Errorf("requested %v: due %v, want %v", tc.at, r.DueAt.In(cst), tc.due)
		}
	}
}
