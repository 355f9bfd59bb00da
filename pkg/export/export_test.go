package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// A table written as CSV and as XLSX reads back with the same cells: the header, text, numbers,
// dates, instants in China Standard Time and hours; in the workbook dates and hours are typed cells
// and the header row is frozen.
func TestWriteAndReadBack(t *testing.T) {
	cols := []Column{{Header: "日期"}, {Header: "时间"}, {Header: "名称"}, {Header: "分钟"}, {Header: "小时"}}
	at := time.Date(2026, 3, 1, 16, 30, 0, 0, time.UTC) // 00:30 on 2 March in China
	rows := [][]any{
		{Date(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)), Time(at), "河道, \"清洁\"", int64(90), Hours(90)},
		{Date{}, Time{}, "", 0, Hours(20)},
	}
	want := [][]string{{"日期", "时间", "名称", "分钟", "小时"},
		{"2026-03-02", "2026-03-02 00:30", "河道, \"清洁\"", "90", "1.5"}, {"", "", "", "0", "0.33"}}
	for _, f := range []Format{CSV, XLSX} {
		var buf bytes.Buffer
		w, err := New(context.Background(), f, &buf, "表", cols)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := w.Row(r...); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil || w.Rows() != 2 {
			t.Fatalf("%s: close %v, %d rows", f, err, w.Rows())
		}
		got := readBack(t, f, buf.Bytes(), "表")
		if len(got) != len(want) {
			t.Fatalf("%s: %q", f, got)
		}
		for i := range want {
			for j := range want[i] {
				if j >= len(got[i]) && want[i][j] == "" {
					continue
				}
				if j >= len(got[i]) || got[i][j] != want[i][j] {
					t.Errorf("%s row %d: %q, want %q", f, i, got[i], want[i])
					break
				}
			}
		}
	}
	var buf bytes.Buffer
	if _, err := New(context.Background(), "pdf", &buf, "表", cols); err != ErrFormat {
		t.Errorf("an unknown format: %v", err)
	}
}

func readBack(t *testing.T, f Format, b []byte, sheet string) [][]string {
	t.Helper()
	if f == CSV {
		if !bytes.HasPrefix(b, []byte("\uFEFF")) {
			t.Fatal("no byte order mark")
		}
		rows, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for cell, want := range map[string]excelize.CellType{"A2": excelize.CellTypeNumber, "B2": excelize.CellTypeNumber, "D2": excelize.CellTypeNumber, "E2": excelize.CellTypeNumber} {
		if typ, _ := x.GetCellType(sheet, cell); typ != want && typ != excelize.CellTypeUnset {
			t.Errorf("%s is of type %v", cell, typ)
		}
	}
	if v, _ := x.GetCellValue(sheet, "E2", excelize.Options{RawCellValue: true}); v != "1.5" {
		t.Errorf("hours as a number: %q", v)
	}
	panes, err := x.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("the header row is not frozen: %+v %v", panes, err)
	}
	rows, err := x.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
