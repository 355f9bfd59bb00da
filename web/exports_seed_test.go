package web

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/jmoiron/sqlx"
	"github.com/xuri/excelize/v2"
)

// seedRecords inserts users × activities verified service records of the organization straight
// into the tables (the way a migrated history would arrive), the activities one a day from
// 2026-01-01 and each record's minutes varying; tag keeps the rows of one call apart (a digit).
func seedRecords(t testing.TB, db *sqlx.DB, orgID int64, tag string, users, activities int) {
	t.Helper()
	for _, q := range []string{`
WITH n AS (SELECT g, nextval(pg_get_serial_sequence('users', 'id')) AS id FROM generate_series(1, $3::int) g)
INSERT INTO users (id, phone, password_hash, name, volunteer_no, account_code)
SELECT n.id, '137' || $2::text || lpad(g::text, 7, '0'), 'x', '志愿者' || $2 || '-' || g, 'T' || $2 || lpad(g::text, 7, '0'), 'vol:' || n.id
FROM n
WHERE $1::bigint > 0 AND $4::int >= 0 -- every statement takes the same four arguments`, `
INSERT INTO activities (org_id, title, content, category, address, starts_at, ends_at, leader_name, created_by)
SELECT $1, '活动' || $2::text || '-' || g, '清理河岸', 'environment', '洛塘河东岸',
       timestamptz '2026-01-01 09:00+08' + (g - 1) * interval '1 day', timestamptz '2026-01-01 11:00+08' + (g - 1) * interval '1 day',
       '王队长', 'test'
FROM generate_series(1, $4::int) g
WHERE $3::int >= 0`, `
INSERT INTO attendances (activity_id, user_id, source, manual_minutes, manual_reason, requested_by, status, decided_by, decided_at)
SELECT a.id, u.id, 'manual', 30 + (a.id + u.id) % 90, '补录', 'test', 'verified', 'test', now()
FROM activities a CROSS JOIN users u
WHERE a.org_id = $1 AND a.title LIKE '活动' || $2 || '-%' AND u.volunteer_no LIKE 'T' || $2 || '%'
  AND $3::int >= 0 AND $4::int >= 0`, `
INSERT INTO service_records (attendance_id, activity_id, user_id, org_id, kind, activity_title, service_date, place,
    content, category, org_name, leader_name, people_served, recorder, recorder_name, minutes, credits)
SELECT t.id, a.id, t.user_id, $1, 'manual', a.title, (a.starts_at AT TIME ZONE 'Asia/Shanghai')::date, a.address,
       a.content, a.category, o.name, a.leader_name, '', 'test', '记录员', t.manual_minutes, t.manual_minutes
FROM attendances t JOIN activities a ON a.id = t.activity_id JOIN organizations o ON o.id = a.org_id
WHERE a.org_id = $1 AND a.title LIKE '活动' || $2 || '-%' AND $3::int >= 0 AND $4::int >= 0`} {
		if _, err := db.Exec(q, orgID, tag, users, activities); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
}

// download gets the path with the bearer token (none: signed out) and returns the status, the
// content type and the body.
func download(t *testing.T, app *fiber.App, token, path string) (int, string, []byte) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

// readTable parses an export back: CSV (after its byte order mark) or the workbook's sheet.
func readTable(t *testing.T, body []byte, xlsx bool, sheet string) [][]string {
	t.Helper()
	if !xlsx {
		if !bytes.HasPrefix(body, []byte("\uFEFF")) {
			t.Fatalf("the CSV has no byte order mark: %q", body[:min(len(body), 20)])
		}
		rows, err := csv.NewReader(bytes.NewReader(body[3:])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if p, err := f.GetPanes(sheet); err != nil || !p.Freeze || p.YSplit != 1 {
		t.Errorf("sheet %s: the header row is not frozen: %+v %v", sheet, p, err)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
