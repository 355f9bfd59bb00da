package web

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"timebank/ledger"
	"timebank/pkg/activity"
)

// An organization's records export, in CSV and in Excel, reads back equal to its records of the
// period in PostgreSQL: the record, its date, the volunteer's number, the minutes and the hours;
// the national export holds the same records in the fields of activity.NationalFields, the
// volunteer identified by number and no column for an ID number.
func TestOrgRecordsExportReadBack(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	seedRecords(t, d.DB, w.a.ID, "1", 3, 10)
	seedRecords(t, d.DB, w.b.ID, "2", 2, 3) // another organization's, never in A's files
	var want [][]string
	rows, err := d.DB.Query(`SELECT r.id, r.service_date::text, u.volunteer_no, r.minutes, r.activity_title, r.org_name
FROM service_records r JOIN users u ON u.id = r.user_id
WHERE r.org_id = $1 AND r.service_date BETWEEN '2026-01-03' AND '2026-01-07' ORDER BY r.service_date, r.id`, w.a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, minutes int64
		var date, no, title, org string
		if err := rows.Scan(&id, &date, &no, &minutes, &title, &org); err != nil {
			t.Fatal(err)
		}
		want = append(want, []string{strconv.FormatInt(id, 10), date, no, strconv.FormatInt(minutes, 10), ledger.FormatHours(minutes), title, org})
	}
	if rows.Close(); len(want) != 15 {
		t.Fatalf("the seed: %d records in the period", len(want))
	}
	period := "?from=2026-01-03&to=2026-01-07"
	for _, ext := range []string{"csv", "xlsx"} {
		status, ctype, body := download(t, app, w.tokens[coordA], fmt.Sprintf("/api/v1/orgs/%d/records.%s%s", w.a.ID, ext, period))
		if status != 200 || (ext == "csv") != strings.HasPrefix(ctype, "text/csv") {
			t.Fatalf("%s: %d %s %s", ext, status, ctype, body[:min(len(body), 200)])
		}
		got := readTable(t, body, ext == "xlsx", "服务记录")
		if len(got) != len(want)+1 || got[0][0] != "记录编号" || got[0][1] != "服务日期" {
			t.Fatalf("%s: %d rows, header %q", ext, len(got), got[0])
		}
		for i, r := range got[1:] {
			if g := []string{r[0], r[1], r[2], r[11], r[12], r[4]}; !slices.Equal(g, append(want[i][:5:5], want[i][5])) {
				t.Errorf("%s row %d: %q, want %q", ext, i+1, g, want[i])
			}
		}

		status, _, body = download(t, app, w.tokens[coordA], fmt.Sprintf("/api/v1/orgs/%d/records-national.%s%s", w.a.ID, ext, period))
		if status != 200 {
			t.Fatalf("national %s: %d %s", ext, status, body)
		}
		got = readTable(t, body, ext == "xlsx", "志愿服务记录")
		col := map[string]int{}
		for i, nf := range activity.NationalFields {
			if got[0][i] != nf.Header {
				t.Fatalf("national %s header %d: %q, want %q", ext, i, got[0][i], nf.Header)
			}
			col[nf.Header] = i
			if strings.Contains(nf.Header, "身份") || strings.Contains(nf.Header, "证件") {
				t.Errorf("the national export has an ID number column: %s", nf.Header)
			}
		}
		if len(got) != len(want)+1 {
			t.Fatalf("national %s: %d rows", ext, len(got))
		}
		for i, r := range got[1:] {
			g := []string{r[col["记录编号"]], r[col["服务日期"]], r[col["志愿者编号"]], r[col["服务时长（小时）"]], r[col["志愿服务项目名称"]], r[col["志愿服务组织名称"]]}
			if w := []string{want[i][0], want[i][1], want[i][2], want[i][4], want[i][5], want[i][6]}; !slices.Equal(g, w) {
				t.Errorf("national %s row %d: %q, want %q", ext, i+1, g, w)
			}
		}
	}
}

// Who may export an organization's or a store's files: a volunteer of the organization and the
// coordinator of another organization are refused with a problem; bad periods are refused with a
// problem before any file is begun.
func TestExportsRefused(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	orgA, orgB := fmt.Sprintf("/api/v1/orgs/%d/", w.a.ID), fmt.Sprintf("/api/v1/orgs/%d/", w.b.ID)
	for _, c := range []struct {
		who, path string
		status    int
		field     string
	}{
		{volunteer, orgA + "records.csv", 403, ""},
		{volunteer, orgA + "members.xlsx", 403, ""},
		{clerkSA, orgA + "records-national.csv", 403, ""},
		{coordA, orgB + "records.csv", 403, ""},
		{coordA, orgB + "activities.xlsx", 403, ""},
		{volunteer, fmt.Sprintf("/api/v1/stores/%d/journal.csv", w.sa.ID), 403, ""},
		{managerSA, fmt.Sprintf("/api/v1/stores/%d/orders.csv", w.sb.ID), 403, ""},
		{anon, "/api/v1/me/statement.csv", 401, ""},
		{coordA, orgA + "records.csv?from=2026-02-30", 400, "from"},
		{coordA, orgA + "records.xlsx?from=yesterday", 400, "from"},
		{coordA, orgA + "activities.csv?from=2026-03-01&to=2026-02-01", 400, "to"},
		{volunteer, "/api/v1/me/statement.xlsx?to=2026-1-1", 400, "to"},
		{managerSA, fmt.Sprintf("/api/v1/stores/%d/reports.csv?from=2000-01-01&to=2026-01-01", w.sa.ID), 400, "to"},
	} {
		status, ctype, body := download(t, app, w.tokens[c.who], c.path)
		if status != c.status || !strings.HasPrefix(ctype, "application/problem+json") {
			t.Errorf("%s %s: %d %s, want %d problem", c.who, c.path, status, ctype, c.status)
			continue
		}
		if c.field != "" && !strings.Contains(string(body), `"`+c.field+`"`) {
			t.Errorf("%s %s: the problem does not name %s: %s", c.who, c.path, c.field, body)
		}
	}
}

// The activities export has a row per attendance and one for an activity nobody came to; the
// members export a row per role held; read back equal to the tables.
func TestOrgActivitiesAndMembersExport(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	seedRecords(t, d.DB, w.a.ID, "3", 2, 3)
	seedRecords(t, d.DB, w.a.ID, "4", 0, 1) // an activity without attendance
	type row struct{ title, no, minutes string }
	var want []row
	rows, err := d.DB.Query(`SELECT a.title, coalesce(u.volunteer_no, ''), coalesce(r.minutes::text, '')
FROM activities a LEFT JOIN attendances t ON t.activity_id = a.id LEFT JOIN users u ON u.id = t.user_id
LEFT JOIN service_records r ON r.attendance_id = t.id WHERE a.org_id = $1 ORDER BY a.starts_at, a.id, t.id`, w.a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.title, &r.no, &r.minutes); err != nil {
			t.Fatal(err)
		}
		want = append(want, r)
	}
	rows.Close()
	var members []string
	if err := d.DB.Select(&members, `SELECT u.volunteer_no FROM role_grants g JOIN users u ON u.id = g.user_id
LEFT JOIN stores s ON s.id = g.store_id WHERE (g.org_id = $1 OR s.org_id = $1) AND g.revoked_at IS NULL ORDER BY g.granted_at, g.id`, w.a.ID); err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{"csv", "xlsx"} {
		status, _, body := download(t, app, w.tokens[adminA], fmt.Sprintf("/api/v1/orgs/%d/activities.%s", w.a.ID, ext))
		if status != 200 {
			t.Fatalf("activities %s: %d %s", ext, status, body)
		}
		got := readTable(t, body, ext == "xlsx", "活动与出勤")
		if len(got) != len(want)+1 || len(want) != 7 {
			t.Fatalf("activities %s: %d rows, want %d", ext, len(got)-1, len(want))
		}
		for i, r := range got[1:] {
			r = append(r, make([]string, 16)...)
			if g := (row{r[1], r[8], r[14]}); g != want[i] {
				t.Errorf("activities %s row %d: %+v, want %+v", ext, i+1, g, want[i])
			}
		}
		status, _, body = download(t, app, w.tokens[coordA], fmt.Sprintf("/api/v1/orgs/%d/members.%s?from=2020-01-01", w.a.ID, ext))
		if status != 200 {
			t.Fatalf("members %s: %d %s", ext, status, body)
		}
		got = readTable(t, body, ext == "xlsx", "成员")
		var nos []string
		for _, r := range got[1:] {
			nos = append(nos, r[0])
			if strings.Contains(r[2], "0000") && !strings.Contains(r[2], "*") {
				t.Errorf("members %s: a phone number unmasked: %q", ext, r)
			}
		}
		if !slices.Equal(nos, members) || len(nos) < 3 {
			t.Errorf("members %s: %q, want %q", ext, nos, members)
		}
	}
}

// A volunteer's credit statement reads back equal to their postings: time order, the amount and
// the balance after each, the memo in the language they chose.
func TestStatementExport(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	u, err := d.Users.ByID(ctx, w.users[volunteer])
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range []int64{90, 45} {
		if _, err := d.Ledger.Post(ctx, ledger.TransactionRequest{Kind: ledger.TxEarn, CreatedBy: "test", Reference: fmt.Sprintf("activity:record:%d", 70+i),
			IdempotencyKey: fmt.Sprintf("statement-%d", i), Postings: []ledger.PostingRequest{{Account: w.a.AccountCode, Amount: -m}, {Account: u.AccountCode, Amount: m}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Ledger.Post(ctx, ledger.TransactionRequest{Kind: ledger.TxAdjust, CreatedBy: "test", Memo: "补记 3 月敬老院服务",
		IdempotencyKey: "statement-adjust", Postings: []ledger.PostingRequest{{Account: w.a.AccountCode, Amount: -15}, {Account: u.AccountCode, Amount: 15}}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ ext, lang, memo string }{{"csv", "zh-CN", "服务记录 71"}, {"xlsx", "en", "Service record 71"}} {
		if _, err := d.DB.Exec(`UPDATE users SET lang = $1 WHERE id = $2`, c.lang, u.ID); err != nil {
			t.Fatal(err)
		}
		status, _, body := download(t, app, w.tokens[volunteer], "/api/v1/me/statement."+c.ext)
		if status != 200 {
			t.Fatalf("%s: %d %s", c.ext, status, body)
		}
		got := readTable(t, body, c.ext == "xlsx", "时间币明细")
		if len(got) != 4 || got[2][2] != c.memo || got[1][3] != "90" || got[2][3] != "45" || got[2][5] != "135" || got[2][6] != "2.25" ||
			got[3][2] != "补记 3 月敬老院服务" || got[3][5] != "150" {
			t.Errorf("%s: %q", c.ext, got)
		}
		if status, _, body = download(t, app, w.tokens[coordA], "/api/v1/me/statement."+c.ext); status != 200 || strings.Contains(string(body), c.memo) {
			t.Errorf("another person's statement holds the volunteer's entries: %d", status)
		}
	}
}
