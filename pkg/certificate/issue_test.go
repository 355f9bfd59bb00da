package certificate_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"timebank/pkg/certificate"
	"timebank/pkg/principal"
)

// A certificate is a snapshot of the verified records the organization kept of the person: both
// kinds of hours, apart, in the period; the number is the organization's first of the year.
func TestIssueSnapshot(t *testing.T) {
	e := newEnv(t)
	u := e.volunteer(t, "王秀英", "11010519491231002x")
	e.record(t, e.orgID, u.ID, "2026-01-10", "东山社区敬老院陪伴", 180, "scan")
	e.record(t, e.orgID, u.ID, "2026-02-14", "垃圾分类宣传", 90, "manual")
	e.record(t, e.orgID, u.ID, "2025-12-31", "年末慰问", 60, "scan")        // before the period
	e.record(t, e.otherOrgID, u.ID, "2026-01-20", "义工联活动", 240, "scan") // another organization's
	c, err := e.svc.Issue(context.Background(), coordinator, e.orgID, certificate.NewCertificate{UserID: u.ID,
		From: "2026-01-01", To: "2026-03-15", Purpose: certificate.PurposeEmployer, ResponsibleName: "李会长",
		Notes: "仅供就业使用"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"number": "2026-" + itoa(e.orgID) + "-00001", "issue": "2026-03-16", "total": int64(270),
		"scan": int64(180), "manual": int64(90), "records": 2, "id_masked": "1101**********002X", "id_type": "resident_id",
		"handler": "张协调", "org_kind": "filing", "contact": "王老师 0573-87000000", "status": certificate.StatusIssued}
	got := map[string]any{"number": c.Number, "issue": c.IssueDate, "total": c.TotalMinutes, "scan": c.ScanMinutes,
		"manual": c.ManualMinutes, "records": len(c.Records), "id_masked": c.IDMasked, "id_type": c.IDType,
		"handler": c.HandlerName, "org_kind": c.OrgCodeKind, "contact": c.Contact, "status": c.Status}
	for k := range want {
		if got[k] != want[k] {
			t.Errorf("%s = %v, want %v", k, got[k], want[k])
		}
	}
	stored, err := e.svc.Get(context.Background(), e.orgID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.Records) != 2 || stored.Records[0].Date != "2026-01-10" || stored.Records[1].Kind != "manual" ||
		stored.Token != c.Token || stored.Number != c.Number {
		t.Errorf("stored = %+v, want the issued snapshot", stored)
	}
	// The registered organization prints its credit code; a person without an ID number shows none.
	u2 := e.volunteer(t, "李四", "")
	e.record(t, e.otherOrgID, u2.ID, "2026-01-20", "义工联活动", 240, "scan")
	c2 := e.issue(t, e.otherOrgID, u2.ID)
	if c2.OrgCodeKind != "credit_code" || c2.OrgCode != creditCode(7) || c2.IDType != "none" || c2.IDMasked != "" {
		t.Errorf("registered issuer = %q %q, id %q %q", c2.OrgCodeKind, c2.OrgCode, c2.IDType, c2.IDMasked)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE action = 'certificate.issue'`); n != 2 {
		t.Errorf("%d audit entries, want 2", n)
	}
	if n := e.count(t, `SELECT count(*) FROM notification_outbox WHERE user_id = $1 AND kind = 'certificate_issued'
    AND params->>'certificate' = $2 AND event = 'certificate:' || $3 || ':issued'`, u.ID, c.Number, c.ID); n != 1 {
		t.Errorf("%d notices to the volunteer, want 1", n)
	}
}

// The table refuses every change but the status, and every deletion.
func TestCertificateIsSnapshot(t *testing.T) {
	e := newEnv(t)
	u := e.volunteer(t, "王秀英", "")
	e.record(t, e.orgID, u.ID, "2026-01-10", "陪伴", 180, "scan")
	c := e.issue(t, e.orgID, u.ID)
	for _, stmt := range []string{
		`UPDATE certificates SET total_minutes = 999, scan_minutes = 999 WHERE id = $1`,
		`UPDATE certificates SET records = '[{"record_id": 1}]' WHERE id = $1`,
		`UPDATE certificates SET person_name = '别人' WHERE id = $1`,
		`UPDATE certificates SET status = 'revoked', status_reason = 'x', status_by = 'u', status_at = now(), notes = 'changed' WHERE id = $1`,
		`DELETE FROM certificates WHERE id = $1`,
	} {
		if _, err := e.db.Exec(stmt, c.ID); err == nil {
			t.Errorf("%s: accepted", stmt)
		}
	}
	if _, err := e.db.Exec(`TRUNCATE certificates CASCADE`); err == nil {
		t.Error("TRUNCATE accepted")
	}
	stored, err := e.svc.Get(context.Background(), e.orgID, c.ID)
	if err != nil || stored.TotalMinutes != 180 || stored.Status != certificate.StatusIssued || stored.Notes != "" {
		t.Errorf("after refused changes: %+v, %v", stored, err)
	}
}

// Refusals change nothing: no certificate, no number used, no audit entry.
func TestIssueRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.volunteer(t, "王秀英", "")
	e.record(t, e.otherOrgID, u.ID, "2026-01-20", "义工联活动", 240, "scan")
	e.record(t, e.orgID, u.ID, "2025-06-01", "去年的活动", 60, "scan")
	good := certificate.NewCertificate{UserID: u.ID, Purpose: certificate.PurposeAward, ResponsibleName: "李会长"}
	cases := []struct {
		name string
		by   *principal.Principal
		org  int64
		in   func(n *certificate.NewCertificate)
		want error
	}{
		{"another organization's records", coordinator, e.orgID, func(n *certificate.NewCertificate) {
			n.From, n.To = "2026-01-01", "2026-03-01"
		}, certificate.ErrNothingToCertify},
		{"no such volunteer", coordinator, e.orgID, func(n *certificate.NewCertificate) { n.UserID = 999999 }, certificate.ErrUserNotFound},
		{"no such organization", coordinator, 999999, func(*certificate.NewCertificate) {}, certificate.ErrOrgNotFound},
		{"no responsible person", coordinator, e.orgID, func(n *certificate.NewCertificate) { n.ResponsibleName = " " }, certificate.ErrInvalid},
		{"unknown purpose", coordinator, e.orgID, func(n *certificate.NewCertificate) { n.Purpose = "loan" }, certificate.ErrInvalid},
		{"period backwards", coordinator, e.orgID, func(n *certificate.NewCertificate) { n.From, n.To = "2026-03-01", "2026-01-01" }, certificate.ErrInvalid},
		{"half a period", coordinator, e.orgID, func(n *certificate.NewCertificate) { n.From = "2026-03-01" }, certificate.ErrInvalid},
		{"no actor", &principal.Principal{}, e.orgID, func(*certificate.NewCertificate) {}, certificate.ErrInvalid},
		{"no such request", coordinator, e.orgID, func(n *certificate.NewCertificate) { n.RequestID = 999999 }, certificate.ErrRequestNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := good
			tc.in(&in)
			if _, err := e.svc.Issue(ctx, tc.by, tc.org, in); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	for _, table := range []string{"certificates", "certificate_counters"} {
		if n := e.count(t, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%s has %d rows after refusals", table, n)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE action LIKE 'certificate.%'`); n != 0 {
		t.Errorf("%d audit entries after refusals", n)
	}
	if n := e.count(t, `SELECT count(*) FROM notification_outbox`); n != 0 {
		t.Errorf("%d notices after refusals", n)
	}
	// The same organization's record of last year is certified, first of the year.
	c := e.issue(t, e.orgID, u.ID)
	if c.TotalMinutes != 60 || c.Number != "2026-"+itoa(e.orgID)+"-00001" {
		t.Errorf("after refusals: %s of %d minutes", c.Number, c.TotalMinutes)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
