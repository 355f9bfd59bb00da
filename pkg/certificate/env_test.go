package certificate_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/ledger"
	"timebank/pkg/certificate"
	"timebank/pkg/dbtest"
	"timebank/pkg/identity"
	"timebank/pkg/notify"
	"timebank/pkg/org"
	"timebank/pkg/principal"
)

// cst is China Standard Time, built by hand so the tests do not take the zone from the code.
var cst = time.FixedZone("CST", 8*3600)

// now is the service's fixed clock: Monday 2026-03-16, 10:00 China Standard Time.
var now = time.Date(2026, 3, 16, 10, 0, 0, 0, cst)

var (
	coordinator = &principal.Principal{UserID: 900001, Name: "张协调"}
	volunteerBy = &principal.Principal{UserID: 900002, Name: "志愿者本人"}
	registrar   = &principal.Principal{UserID: 900003, Name: "登记员"}
)

// env is a fresh database with two organizations of Haining's Xiashi street: one filed, one
// registered with a credit code.
type env struct {
	svc        *certificate.Service
	clock      *time.Time // the service's now; tests move it only while no call runs
	db         *sqlx.DB
	users      *identity.Users
	orgID      int64 // 硖石街道志愿者协会, filed
	otherOrgID int64 // 海宁市义工联合会, registered
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	l := ledger.New(db, rdb, ledger.Options{RedisPrefix: prefix, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	clock := now
	svc, err := certificate.New(db, derive, certificate.Options{BaseURL: "https://tb.example",
		Now: func() time.Time { return clock }, Notify: notify.New(db, rdb, prefix)})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{svc: svc, clock: &clock, db: db, users: identity.NewUsers(db, l, []byte("resident id key for tests"))}
	reg := org.NewRegistry(db, l)
	for _, r := range []org.NewRegion{{Code: "330000", Name: "浙江省"}, {Code: "330400", Name: "嘉兴市"},
		{Code: "330481", Name: "海宁市"}, {Code: "330481001000", Name: "硖石街道"}, {Code: "330481001001", Name: "东山社区"}} {
		if _, err := reg.CreateRegion(ctx, registrar, r); err != nil {
			t.Fatalf("region %s: %v", r.Code, err)
		}
	}
	o, err := reg.CreateOrg(ctx, registrar, org.NewOrg{Name: "硖石街道志愿者协会", RegionCode: "330481001001",
		Status: org.Filed, FiledBy: "330481001000", ContactName: "王老师 0573-87000000"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := reg.CreateOrg(ctx, registrar, org.NewOrg{Name: "海宁市义工联合会", RegionCode: "330481",
		Status: org.Registered, CreditCode: creditCode(7)})
	if err != nil {
		t.Fatal(err)
	}
	e.orgID, e.otherOrgID = o.ID, other.ID
	return e
}

// derive stands in for config.DeriveKey with a fixed test secret.
func derive(label string) []byte {
	sum := sha256.Sum256([]byte("test secret for " + label)) // every label, to its last byte, counts
	return sum[:]
}

// creditCode returns a valid GB 32100 code with body n (both check characters computed).
func creditCode(n int) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	body := fmt.Sprintf("%08d", n)
	sum := 0
	for i, w := range []int{3, 7, 9, 10, 5, 8, 4, 2} {
		sum += int(body[i]-'0') * w
	}
	code := "52330481" + body + string("0123456789X0"[11-sum%11])
	sum = 0
	for i, w := range []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28} {
		sum += strings.IndexByte(alphabet, code[i]) * w
	}
	return code + string(alphabet[(31-sum%31)%31])
}

var phoneSeq atomic.Int64

// volunteer registers a volunteer, with a resident ID number when id is not empty.
func (e *env) volunteer(t *testing.T, name, id string) identity.User {
	t.Helper()
	u, err := e.users.Register(context.Background(), identity.Registration{
		Phone: fmt.Sprintf("139%08d", phoneSeq.Add(1)), Password: "Xiashi-volunteer-2025", Name: name, ResidentID: id, PrivacyConsent: true})
	if err != nil {
		t.Fatalf("register %s: %v", name, err)
	}
	return u
}

// record makes a verified service record of orgID for the user on day (YYYY-MM-DD), through the
// real schema: an activity, a verified attendance (scanned, or added by hand when kind is
// "manual"), the record and its first revision (earning no credits, as a policy may decide).
func (e *env) record(t *testing.T, orgID, userID int64, day, title string, minutes int64, kind string) int64 {
	t.Helper()
	start, err := time.ParseInLocation(time.DateOnly, day, cst)
	if err != nil {
		t.Fatal(err)
	}
	start = start.Add(9 * time.Hour)
	var id int64
	err = e.db.Get(&id, `
WITH a AS (
    INSERT INTO activities (org_id, title, content, category, address, starts_at, ends_at, leader_name, created_by)
    VALUES ($1::bigint, $3, '陪老人聊天、读报', 'elderly', '海宁市硖石街道东山社区敬老院', $4::timestamptz, $4::timestamptz + interval '4 hours', '王队长', 'user:1')
    RETURNING id),
t AS (
    INSERT INTO attendances (activity_id, user_id, source, check_in_at, check_in_by, check_out_at, check_out_by,
        manual_minutes, manual_reason, requested_by, status, decided_by, decided_at)
    SELECT a.id, $2::bigint, $6::text,
        CASE WHEN $6::text = 'scan' THEN $4::timestamptz END, CASE WHEN $6::text = 'scan' THEN 'user:' || $2::bigint END,
        CASE WHEN $6::text = 'scan' THEN $4::timestamptz + make_interval(mins => $5::int) END, CASE WHEN $6::text = 'scan' THEN 'user:' || $2::bigint END,
        CASE WHEN $6::text = 'manual' THEN $5::bigint END, CASE WHEN $6::text = 'manual' THEN '忘记扫码' END,
        CASE WHEN $6::text = 'manual' THEN 'user:1' END, 'verified', 'user:1', $4::timestamptz + interval '5 hours'
    FROM a RETURNING id, activity_id),
r AS (
    INSERT INTO service_records (attendance_id, activity_id, user_id, org_id, kind, activity_title, service_date,
        place, content, category, org_name, leader_name, people_served, recorder, recorder_name, minutes, credits)
    SELECT t.id, t.activity_id, $2::bigint, $1::bigint, $6::text, $3, ($4::timestamptz AT TIME ZONE 'Asia/Shanghai')::date, '东山社区敬老院', '陪老人聊天、读报', 'elderly',
        (SELECT name FROM organizations WHERE id = $1::bigint), '王队长', '敬老院老人', 'user:1', '张协调', $5::bigint, 0
    FROM t RETURNING id)
INSERT INTO service_record_revisions (record_id, revision, minutes, credits, day_dates, day_minutes, created_by)
SELECT r.id, 1, $5::bigint, 0, ARRAY[($4::timestamptz AT TIME ZONE 'Asia/Shanghai')::date], ARRAY[$5::bigint], 'user:1' FROM r RETURNING record_id`,
		orgID, userID, title, start.Format(time.RFC3339), minutes, kind)
	if err != nil {
		t.Fatalf("record: %v", err)
	}
	return id
}

// amend corrects a record to minutes with a new revision, as the activity service does.
func (e *env) amend(t *testing.T, recordID, minutes int64) {
	t.Helper()
	_, err := e.db.Exec(`
WITH v AS (
    INSERT INTO service_record_revisions (record_id, revision, minutes, credits, day_dates, day_minutes, reason, created_by)
    SELECT id, revision + 1, $2, 0, ARRAY[service_date], ARRAY[$2::bigint], '签退时间记错', 'user:1'
    FROM service_records WHERE id = $1 RETURNING record_id, revision)
UPDATE service_records s SET revision = v.revision, minutes = $2 FROM v WHERE s.id = v.record_id`, recordID, minutes)
	if err != nil {
		t.Fatalf("amend: %v", err)
	}
}

// issue issues a certificate of orgID for the user over the whole history.
func (e *env) issue(t *testing.T, orgID, userID int64) certificate.Certificate {
	t.Helper()
	c, err := e.svc.Issue(context.Background(), coordinator, orgID, certificate.NewCertificate{UserID: userID,
		Purpose: certificate.PurposeSchool, ResponsibleName: "李会长"})
	if err != nil {
		t.Fatalf("issue: %v", err)
	}
	return c
}

// count returns the number of rows a query counts.
func (e *env) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.Get(&n, query, args...); err != nil {
		t.Fatal(err)
	}
	return n
}
