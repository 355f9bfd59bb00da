package activity_test

import (
	"io"
	"os"
	"strconv"
	"testing"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/activity"
	"timebank/pkg/dbtest"
	"timebank/pkg/export"
)

// An organization's export of many service records is written as the rows are read: the process's
// peak heap in use while it runs is about that of an export of a tenth as many (a ratio of the
// peaks, never a clock), and the file, read back by a CSV reader as it is written, holds every row.
// `make test` exports 10⁵ records against 10⁴; TIMEBANK_TEST_EXPORT_ROWS=1000000 (`make
// export-million`) a million against 10⁵, as the README reports. (web's TestExportStreamsOverHTTP
// checks the same through the HTTP server.)
func TestExportOfManyRecords(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds many records")
	}
	rows := 100_000
	if v := os.Getenv("TIMEBANK_TEST_EXPORT_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100_000 || n%100_000 != 0 {
			t.Fatalf("TIMEBANK_TEST_EXPORT_ROWS=%q: want a multiple of 100000", v)
		}
		rows = n
	}
	e := newEnv(t, activity.CreditLimits{})
	seedMany(t, e.db, e.orgID, "5", rows/10/1000, 1000)
	small := exportCounted(t, e)
	seedMany(t, e.db, e.orgID, "6", (rows-rows/10)/1000, 1000)
	large := exportCounted(t, e)
	t.Logf("%d rows: %d bytes, peak heap in use %d MiB, allocated %d MiB", small.Rows, small.Bytes, small.Peak>>20, small.Alloc>>20)
	t.Logf("%d rows: %d bytes, peak heap in use %d MiB, allocated %d MiB", large.Rows, large.Bytes, large.Peak>>20, large.Alloc>>20)
	if small.Rows != rows/10 || large.Rows != rows {
		t.Fatalf("rows read back: %d and %d, want %d and %d", small.Rows, large.Rows, rows/10, rows)
	}
	// A file held whole would add its size (about 166 bytes a row: 166 MB for a million rows).
	if ratio := float64(large.Peak) / float64(small.Peak); ratio > 2 {
		t.Errorf("peak heap in use grew %.2f× for 10× the rows", ratio)
	}
}

// exportCounted runs the organization's CSV export of all its records into a pipe whose other end
// a CSV reader counts, while the heap in use is sampled.
func exportCounted(t *testing.T, e *env) dbtest.Streamed {
	t.Helper()
	return dbtest.ReadCSVStream(t, func() (io.Reader, func() error) {
		pr, pw := io.Pipe()
		written := make(chan error, 1)
		go func() {
			_, err := e.svc.ExportOrgRecords(t.Context(), e.orgID, export.Period{}, export.CSV, pw)
			pw.CloseWithError(err)
			written <- err
		}()
		return pr, func() error { return <-written }
	})
}

// seedMany inserts users × activities verified service records of the organization straight into
// the tables, as a migrated history would arrive; tag (a digit) keeps the rows of one call apart.
func seedMany(t *testing.T, db *sqlx.DB, orgID int64, tag string, users, activities int) {
	t.Helper()
	for _, s := range []struct {
		q    string
		args []any
	}{
		{`WITH n AS (SELECT g, nextval(pg_get_serial_sequence('users', 'id')) AS id FROM generate_series(1, $2::int) g)
INSERT INTO users (id, phone, password_hash, name, volunteer_no, account_code)
SELECT n.id, '137' || $1::text || lpad(g::text, 7, '0'), 'x', '志愿者' || g, 'T' || $1::text || lpad(g::text, 7, '0'), 'vol:' || n.id
FROM n`, []any{tag, users}},
		{`INSERT INTO activities (org_id, title, content, category, address, starts_at, ends_at, leader_name, created_by)
SELECT $1, '活动' || $2::text || '-' || g, '清理河岸', 'environment', '洛塘河东岸',
       timestamptz '2026-01-01 09:00+08' + (g - 1) * interval '1 day', timestamptz '2026-01-01 11:00+08' + (g - 1) * interval '1 day',
       '王队长', 'test'
FROM generate_series(1, $3::int) g`, []any{orgID, tag, activities}},
		{`INSERT INTO attendances (activity_id, user_id, source, manual_minutes, manual_reason, requested_by, status, decided_by, decided_at)
SELECT a.id, u.id, 'manual', 30 + (a.id + u.id) % 90, '补录', 'test', 'verified', 'test', now()
FROM activities a CROSS JOIN users u
WHERE a.org_id = $1 AND a.title LIKE '活动' || $2::text || '-%' AND u.volunteer_no LIKE 'T' || $2::text || '%'`, []any{orgID, tag}},
		{`INSERT INTO service_records (attendance_id, activity_id, user_id, org_id, kind, activity_title, service_date, place,
    content, category, org_name, leader_name, people_served, recorder, recorder_name, minutes, credits)
SELECT t.id, a.id, t.user_id, $1, 'manual', a.title, (a.starts_at AT TIME ZONE 'Asia/Shanghai')::date, a.address,
       a.content, a.category, o.name, a.leader_name, '', 'test', '记录员', t.manual_minutes, t.manual_minutes
FROM attendances t JOIN activities a ON a.id = t.activity_id JOIN organizations o ON o.id = a.org_id
WHERE a.org_id = $1 AND a.title LIKE '活动' || $2::text || '-%'`, []any{orgID, tag}},
	} {
		if _, err := db.Exec(s.q, s.args...); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
}
