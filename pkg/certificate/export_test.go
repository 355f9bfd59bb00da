package certificate_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"timebank/pkg/export"
)

// registerRows issues three certificates (one revoked) and returns the register as the exports
// should show it, row by row.
func registerRows(t *testing.T, e *env) [][]string {
	t.Helper()
	ctx := context.Background()
	var want [][]string
	hours := []string{"1.5", "1.52", "1.53"}
	for i, name := range []string{"王秀英", "李四", "张三丰"} {
		u := e.volunteer(t, name, "")
		e.record(t, e.orgID, u.ID, "2026-01-10", "陪伴", int64(60+i), "scan")
		e.record(t, e.orgID, u.ID, "2026-01-12", "补录", 30, "manual")
		c := e.issue(t, e.orgID, u.ID)
		status := "有效"
		if i == 1 {
			if _, err := e.svc.Revoke(ctx, coordinator, e.orgID, c.ID, "开错了"); err != nil {
				t.Fatal(err)
			}
			status = "已撤销"
		}
		want = append(want, []string{c.Number, "2026-03-16", name, u.VolunteerNo, "", "", "", "升学",
			strconv.Itoa(90 + i), hours[i], strconv.Itoa(60 + i), "30", "李会长", "张协调", status, ""})
	}
	// The register pages by id; two pages of two and one.
	p, err := e.svc.List(ctx, e.orgID, 0, 2)
	if err != nil || len(p.Certificates) != 2 || p.Next == 0 {
		t.Fatalf("first page = %+v, %v", p, err)
	}
	p2, err := e.svc.List(ctx, e.orgID, p.Next, 2)
	if err != nil || len(p2.Certificates) != 1 || p2.Next != 0 || p2.Certificates[0].Number != want[2][0] {
		t.Fatalf("second page = %+v, %v", p2, err)
	}
	return want
}

var header = []string{"证明编号", "出具日期", "姓名", "志愿者编号", "证件号码（隐去部分）", "起始日期", "截止日期", "用途",
	"服务时长（分钟）", "服务时长（小时）", "扫码记录（分钟）", "补录（分钟）", "负责人", "经办人", "状态", "备注"}

// The register exports through the one export writer: CSV with a byte order mark, Chinese headers,
// the certificates of the period by issue date (a period before them holds none).
func TestExportCSV(t *testing.T) {
	e := newEnv(t)
	want := registerRows(t, e)
	var buf bytes.Buffer
	if n, err := e.svc.ExportRegister(context.Background(), e.orgID, export.Period{}, export.CSV, &buf); err != nil || n != 3 {
		t.Fatalf("%d rows, %v", n, err)
	}
	b, ok := bytes.CutPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF"))
	if !ok {
		t.Fatal("no UTF-8 byte order mark")
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	compareRows(t, rows, append([][]string{header}, want...))
	buf.Reset()
	before := export.Period{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)}
	if n, err := e.svc.ExportRegister(context.Background(), e.orgID, before, export.CSV, &buf); err != nil || n != 0 {
		t.Errorf("a period before the certificates: %d rows, %v", n, err)
	}
}

// The workbook has one sheet 证明登记 with a frozen header row, dates as dates and minutes and
// hours as numbers.
func TestExportXLSX(t *testing.T) {
	e := newEnv(t)
	want := registerRows(t, e)
	var buf bytes.Buffer
	if n, err := e.svc.ExportRegister(context.Background(), e.orgID, export.Period{}, export.XLSX, &buf); err != nil || n != 3 {
		t.Fatalf("%d rows, %v", n, err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const sheet = "证明登记"
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes = %+v, %v; want the header row frozen", panes, err)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	compareRows(t, rows, append([][]string{header}, want...))
	// Minutes are numbers and the issue date a date (a serial number shown as a date), not text: a
	// cell with no type attribute is a number in SpreadsheetML.
	for cell, raw := range map[string]string{"I2": "90", "J2": "1.5", "B2": "46097"} {
		typ, err := f.GetCellType(sheet, cell)
		if err != nil || (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) {
			t.Errorf("cell %s type = %v, %v; want a number", cell, typ, err)
		}
		if v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true}); err != nil || v != raw {
			t.Errorf("cell %s raw = %q, %v; want %s", cell, v, err, raw)
		}
	}
	if typ, _ := f.GetCellType(sheet, "A2"); typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber {
		t.Errorf("the number A2 is not text: %v", typ)
	}
}

// compareRows compares the cells read back with the register's, trailing empty cells aside.
func compareRows(t *testing.T, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d:\n%q", len(got), len(want), got)
	}
	for i := range want {
		for j := range want[i] {
			g := ""
			if j < len(got[i]) {
				g = got[i][j]
			}
			if g != want[i][j] {
				t.Errorf("row %d column %s = %q, want %q", i, header[j], g, want[i][j])
			}
		}
	}
}
