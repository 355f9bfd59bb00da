package certificate_test

import (
	"context"
	"testing"
	"time"

	"timebank/pkg/certificate"
)

// What an organization has still to do about requests: those to answer, with the ones near (two
// working days) or past their deadline counted apart, and those accepted and not yet issued.
// Refused and issued requests, and other organizations' requests, do not count.
func TestWaitingRequests(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	start := *e.clock
	apply := func(name string, orgID int64) certificate.Request {
		t.Helper()
		u := e.volunteer(t, name, "")
		e.record(t, orgID, u.ID, "2026-01-10", "陪伴", 60, "scan")
		r, err := e.svc.Apply(ctx, volunteerBy, certificate.NewRequest{UserID: u.ID, OrgID: orgID, Purpose: certificate.PurposeSchool})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	early := apply("早一", e.orgID)
	accepted := apply("早二", e.orgID)
	refused := apply("早三", e.orgID)
	apply("别家", e.otherOrgID)
	if _, err := e.svc.Accept(ctx, coordinator, e.orgID, accepted.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Refuse(ctx, coordinator, e.orgID, refused.ID, "不在本组织服务"); err != nil {
		t.Fatal(err)
	}
	*e.clock = start.AddDate(0, 0, 20) // after the first requests' deadline
	late := apply("晚一", e.orgID)
	if !early.DueAt.Before(late.RequestedAt) {
		t.Fatalf("the first request is due %v, after the last was made %v", early.DueAt, late.RequestedAt)
	}

	for _, c := range []struct {
		name string
		at   time.Time
		want certificate.Waiting
	}{
		{"when the last is made", late.RequestedAt, certificate.Waiting{OrgID: e.orgID, ToAnswer: 2, Overdue: 1, ToIssue: 1}},
		{"on the last one's due day", late.DueAt.Add(-time.Hour), certificate.Waiting{OrgID: e.orgID, ToAnswer: 2, DueSoon: 1, Overdue: 1, ToIssue: 1}},
		{"after it", late.DueAt.Add(time.Hour), certificate.Waiting{OrgID: e.orgID, ToAnswer: 2, Overdue: 2, ToIssue: 1}},
	} {
		*e.clock = c.at
		got, err := e.svc.WaitingFor(ctx, []int64{e.orgID, 999_999})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != c.want || got[1] != (certificate.Waiting{OrgID: 999_999}) || got[1].Any() {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}
