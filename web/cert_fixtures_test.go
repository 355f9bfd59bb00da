package web

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"timebank/pkg/certificate"
	"timebank/pkg/identity"
	who "timebank/pkg/principal"
)

// certIssuer issues the fixtures' certificates.
var certIssuer = &who.Principal{UserID: 1, Name: "张协调"}

// certRecord makes a verified service record of orgID for the user on day (YYYY-MM-DD) through the
// real schema, as the recording service leaves one: an activity, a verified attendance scanned in
// and out, the record and its first revision. It returns the record's id.
func certRecord(t *testing.T, d services, orgID, userID int64, day, title string, minutes int64) int64 {
	t.Helper()
	start, err := time.ParseInLocation(time.DateOnly, day, actCST)
	if err != nil {
		t.Fatal(err)
	}
	start = start.Add(9 * time.Hour)
	var rec int64
	err = d.DB.Get(&rec, `
WITH a AS (
    INSERT INTO activities (org_id, title, content, category, address, starts_at, ends_at, leader_name, created_by)
    VALUES ($1::bigint, $3, '陪老人聊天、读报', 'elderly', '海宁市硖石街道东山社区敬老院', $4::timestamptz, $4::timestamptz + interval '4 hours', '王队长', 'user:1')
    RETURNING id),
t AS (
    INSERT INTO attendances (activity_id, user_id, source, check_in_at, check_in_by, check_out_at, check_out_by, status, decided_by, decided_at)
    SELECT a.id, $2::bigint, 'scan', $4::timestamptz, 'user:' || $2::bigint, $4::timestamptz + make_interval(mins => $5::int),
        'user:' || $2::bigint, 'verified', 'user:1', $4::timestamptz + interval '5 hours'
    FROM a RETURNING id, activity_id),
r AS (
    INSERT INTO service_records (attendance_id, activity_id, user_id, org_id, kind, activity_title, service_date,
        place, content, category, org_name, leader_name, people_served, recorder, recorder_name, minutes, credits)
    SELECT t.id, t.activity_id, $2::bigint, $1::bigint, 'scan', $3, ($4::timestamptz AT TIME ZONE 'Asia/Shanghai')::date,
        '东山社区敬老院', '陪老人聊天、读报', 'elderly', (SELECT name FROM organizations WHERE id = $1::bigint), '王队长',
        '敬老院老人', 'user:1', '张协调', $5::bigint, 0
    FROM t RETURNING id)
INSERT INTO service_record_revisions (record_id, revision, minutes, credits, day_dates, day_minutes, created_by)
SELECT r.id, 1, $5::bigint, 0, ARRAY[($4::timestamptz AT TIME ZONE 'Asia/Shanghai')::date], ARRAY[$5::bigint], 'user:1'
FROM r RETURNING record_id`, orgID, userID, title, start.Format(time.RFC3339), minutes)
	if err != nil {
		t.Fatalf("record: %v", err)
	}
	return rec
}

// certFixtures are the certificates and requests of organizations A (inside) and B (outside) the
// certificate routes act on: a certificate in force, of the world's volunteer in A, and a request
// waiting, of another volunteer.
type certFixtures struct {
	cert, request [2]int64 // [0] in A, [1] in B
}

var certFixtureCache sync.Map // *world → *certFixtures

// certFixturesOf makes the fixtures of the world once, through the certificate service.
func certFixturesOf(t *testing.T, w *world) *certFixtures {
	t.Helper()
	if f, ok := certFixtureCache.Load(w); ok {
		return f.(*certFixtures)
	}
	ctx := context.Background()
	f := &certFixtures{}
	for i, orgID := range []int64{w.a.ID, w.b.ID} {
		holder := w.users[volunteer]
		if i == 1 {
			u, err := w.d.Users.Register(ctx, identity.Registration{Phone: fmt.Sprintf("136%08d", w.next()), Password: testPassword, Name: "梧桐志愿者"})
			if err != nil {
				t.Fatal(err)
			}
			holder = u.ID
		}
		certRecord(t, w.d, orgID, holder, "2025-06-01", "授权测试活动", 120)
		c, err := w.d.Certificates.Issue(ctx, certIssuer, orgID, certificate.NewCertificate{UserID: holder,
			Purpose: certificate.PurposeOther, ResponsibleName: "李会长"})
		if err != nil {
			t.Fatal(err)
		}
		f.cert[i] = c.ID
		asker, err := w.d.Users.Register(ctx, identity.Registration{Phone: fmt.Sprintf("135%08d", w.next()), Password: testPassword, Name: "申请人"})
		if err != nil {
			t.Fatal(err)
		}
		certRecord(t, w.d, orgID, asker.ID, "2025-06-02", "授权测试活动", 60)
		r, err := w.d.Certificates.Apply(ctx, &who.Principal{UserID: asker.ID, Name: asker.Name},
			certificate.NewRequest{UserID: asker.ID, OrgID: orgID, Purpose: certificate.PurposeSchool})
		if err != nil {
			t.Fatal(err)
		}
		f.request[i] = r.ID
	}
	certFixtureCache.Store(w, f)
	return f
}

// certificateAuthzEntries are the rows of the authorization table for the certificate routes: the
// organization's coordinators and administrators issue, refuse and revoke; its readers (and the
// civil-affairs side above it) read the queue and the register; a certificate is read by the
// volunteer it certifies and those readers; anyone checks a code.
func certificateAuthzEntries() map[string]entry {
	issuers := with(coordA, adminA)
	readers := with(coordA, adminA, auditorHN, regionXS)
	certReaders := []string{volunteer, coordA, adminA, auditorHN, regionXS, platform}
	org := func(who []string, method, prefix, suffix, body string) entry {
		at := func(i int) func(*testing.T, *world) call {
			return func(_ *testing.T, w *world) call {
				return call{method, prefix + id([]int64{w.a.ID, w.b.ID}[i]) + suffix, body}
			}
		}
		return entry{who: who, in: at(0), out: at(1)}
	}
	fixture := func(who []string, method, format, body string, pick func(*certFixtures) [2]int64, outside bool) entry {
		at := func(i int) func(*testing.T, *world) call {
			return func(t *testing.T, w *world) call {
				return call{method, fmt.Sprintf(format, pick(certFixturesOf(t, w))[i]), body}
			}
		}
		e := entry{who: who, in: at(0)}
		if outside {
			e.out = at(1)
		}
		return e
	}
	public := func(method, prefix, suffix, body string) func(*testing.T, *world) call {
		return func(_ *testing.T, w *world) call { return call{method, prefix + id(w.a.ID) + suffix, body} }
	}
	certs := func(f *certFixtures) [2]int64 { return f.cert }
	requests := func(f *certFixtures) [2]int64 { return f.request }
	const api, page = "/api/v1/orgs/", "/orgs/"
	return map[string]entry{
		"GET /.well-known/timebank-certificates.json":  {who: everyone, in: fixed("GET", "/.well-known/timebank-certificates.json", "")},
		"GET /api/v1/certificates/verify":              {who: everyone, in: fixed("GET", "/api/v1/certificates/verify?token=AQ", "")},
		"POST /api/v1/certificate-requests":            {who: people, in: fixed("POST", "/api/v1/certificate-requests", malformed)},
		"POST /api/v1/certificate-requests/:id/issue":  fixture(issuers, "POST", "/api/v1/certificate-requests/%d/issue", malformed, requests, true),
		"POST /api/v1/certificate-requests/:id/refuse": fixture(issuers, "POST", "/api/v1/certificate-requests/%d/refuse", malformed, requests, true),
		"GET /api/v1/orgs/:id/certificate-requests":    org(readers, "GET", api, "/certificate-requests", ""),
		"GET /api/v1/orgs/:id/certificates":            org(readers, "GET", api, "/certificates", ""),
		"GET /api/v1/orgs/:id/certificates.csv":        org(readers, "GET", api, "/certificates.csv", ""),
		"GET /api/v1/orgs/:id/certificates.xlsx":       org(readers, "GET", api, "/certificates.xlsx", ""),
		"POST /api/v1/orgs/:id/certificates":           org(issuers, "POST", api, "/certificates", malformed),
		"GET /api/v1/certificates/:id":                 fixture(certReaders, "GET", "/api/v1/certificates/%d", "", certs, false),
		"GET /api/v1/certificates/:id/pdf":             fixture(certReaders, "GET", "/api/v1/certificates/%d/pdf", "", certs, false),
		"POST /api/v1/certificates/:id/revoke":         fixture(issuers, "POST", "/api/v1/certificates/%d/revoke", malformed, certs, true),
		"POST /api/v1/certificates/:id/publish":        fixture(issuers, "POST", "/api/v1/certificates/%d/publish", malformed, certs, true),
		"GET /api/v1/orgs/:id/publicity":               {who: everyone, in: public("GET", api, "/publicity", "")},

		"GET /c/:token":                                        {who: everyone, in: fixed("GET", "/c/AQ", "")},
		"GET /me/certificates":                                 {who: people, in: fixed("GET", "/me/certificates", "")},
		"POST /me/certificates":                                {who: people, in: fixed("POST", "/me/certificates", malformed)},
		"GET /certificates/:id":                                fixture(certReaders, "GET", "/certificates/%d", "", certs, false),
		"GET /orgs/:id/certificates":                           org(readers, "GET", page, "/certificates", ""),
		"POST /orgs/:id/certificates":                          org(issuers, "POST", page, "/certificates", malformed),
		"GET /orgs/:id/certificates/new":                       org(issuers, "GET", page, "/certificates/new", ""),
		"POST /orgs/:id/certificates/:cert/revoke":             org(issuers, "POST", page, "/certificates/999999/revoke", malformed),
		"POST /orgs/:id/certificates/:cert/supersede":          org(issuers, "POST", page, "/certificates/999999/supersede", ""),
		"GET /orgs/:id/certificates/requests":                  org(readers, "GET", page, "/certificates/requests", ""),
		"GET /orgs/:id/certificates/requests/:request":         org(issuers, "GET", page, "/certificates/requests/999999", ""),
		"POST /orgs/:id/certificates/requests/:request/issue":  org(issuers, "POST", page, "/certificates/requests/999999/issue", malformed),
		"POST /orgs/:id/certificates/requests/:request/refuse": org(issuers, "POST", page, "/certificates/requests/999999/refuse", malformed),
		"POST /orgs/:id/seal":                                  org(issuers, "POST", page, "/seal", malformed),
		"GET /orgs/:id/publicity":                              {who: everyone, in: public("GET", page, "/publicity", "")},
		"POST /orgs/:id/publicity":                             {who: everyone, in: public("POST", page, "/publicity", malformed)},
		"POST /orgs/:id/certificates/:cert/publish":            org(issuers, "POST", page, "/certificates/999999/publish", malformed),
		"POST /orgs/:id/certificates/objections/:objection":    org(issuers, "POST", page, "/certificates/objections/999999", malformed),
	}
}
