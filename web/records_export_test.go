package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"timebank/pkg/activity"
	who "timebank/pkg/principal"
)

// A volunteer downloads their own records, CSV and Excel, and reads back what the list says: each
// record's date, organization, activity, kind, status and minutes; nobody else's.
func TestMyRecordsExport(t *testing.T) {
	t.Parallel()
	app, d, clk := newActivityApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	clk.Set(time.Now().Truncate(time.Minute))
	as, err := d.Activities.CreateActivities(ctx, &who.Principal{Name: "王队长"}, activity.NewActivity{
		OrgID: w.a.ID, Title: "河道清洁", Content: "清理河岸", Category: "environment", Address: "洛塘河东岸",
		StartsAt: clk.Now().Add(-5 * time.Minute), EndsAt: clk.Now().Add(3 * time.Hour), LeaderName: "王队长"})
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []bool{false, true} {
		code, err := d.Activities.KioskCode(ctx, as[0].ID, out)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Activities.ScanKiosk(ctx, w.users[volunteer], activity.Scan{Token: code.Token}); err != nil {
			t.Fatal(err)
		}
		clk.Set(clk.Now().Add(80 * time.Minute))
	}
	list, err := d.Activities.MyRecords(ctx, w.users[volunteer], 0, activity.MaxPage)
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("the list: %v %+v", err, list)
	}
	rec := list.Items[0]

	get := func(token, path string) (int, string, []byte) {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), body
	}
	status, ctype, body := get(w.tokens[volunteer], "/api/v1/me/records.csv")
	if status != 200 || !strings.HasPrefix(ctype, "text/csv") || !bytes.HasPrefix(body, []byte("\uFEFF")) {
		t.Fatalf("csv: %d %q %q", status, ctype, body[:min(len(body), 16)])
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF")))).ReadAll()
	if err != nil || len(rows) != 2 || rows[0][0] != "服务日期" {
		t.Fatalf("csv rows: %v %q", err, rows)
	}
	if got := rows[1]; got[0] != rec.ServiceDate || got[1] != rec.OrgName || got[2] != "河道清洁" || got[3] != "扫码" || got[4] != "待审核" {
		t.Errorf("csv record: %q, want %+v", got, rec)
	}

	status, ctype, body = get(w.tokens[volunteer], "/api/v1/me/records.xlsx")
	if status != 200 || !strings.Contains(ctype, "spreadsheetml") {
		t.Fatalf("xlsx: %d %q", status, ctype)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	xrows, err := f.GetRows("服务记录")
	if err != nil || len(xrows) != 2 || xrows[1][2] != "河道清洁" || xrows[1][4] != "待审核" {
		t.Fatalf("xlsx rows: %v %q", err, xrows)
	}
	if typ, err := f.GetCellType("服务记录", "H2"); err != nil || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("the minutes are not a number cell: %v %v", typ, err)
	}

	if status, _, body = get(w.tokens[coordA], "/api/v1/me/records.csv"); status != 200 || strings.Contains(string(body), "河道清洁") {
		t.Errorf("another person's export holds the volunteer's record: %d", status)
	}
	if status, _, _ = get("", "/api/v1/me/records.xlsx"); status != 401 {
		t.Errorf("signed out: %d", status)
	}
}
