package roster

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"timebank/pkg/identity"
)

// TestParseXLSX reads a workbook as Excel and WPS write them: numbers in number cells, a date in
// a date cell, gaps between rows, a second sheet that is not read.
func TestParseXLSX(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	set := func(cell string, v any) {
		t.Helper()
		if err := f.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	for i, h := range []string{"序号", "姓名", "手机号", "身份证号", "性别", "出生日期"} {
		set(string(rune('A'+i))+"2", h)
	}
	set("A1", "志愿者名单") // a title row
	// Row 3: a phone typed into a General cell is a number; the ID kept as text.
	set("B3", "张三")
	set("C3", 13812345678)
	set("D3", idMale)
	set("E3", "男")
	set("F3", time.Date(1990, 1, 31, 0, 0, 0, 0, time.UTC)) // a date cell: a serial number inside
	// Rows 4 and 5 left empty; row 6: an ID typed into a number cell, which Excel stores with 15
	// significant digits in E notation (patched into the XML below).
	set("B6", "李四")
	set("C6", "13912345678")
	set("D6", 123456789)
	// Row 8: the same through a library that writes the rounded number out in full.
	set("B8", "赵六")
	set("C8", "13612345678")
	set("D8", 3.30102198507150e17)
	// Row 7: gender disagrees with the ID.
	set("B7", "王五")
	set("C7", "13712345678")
	set("D7", idFemale)
	set("E7", "男")
	if _, err := f.NewSheet("Sheet2"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetRow("Sheet2", "A1", &[]any{"not", "read"}); err != nil {
		t.Fatal(err)
	}
	parts := unzip(t, save(t, f))
	sheet := parts["xl/worksheets/sheet1.xml"]
	if !strings.Contains(sheet, "<v>123456789</v>") || !strings.Contains(sheet, "<v>330102198507150000</v>") {
		t.Fatalf("unexpected sheet XML %s", sheet)
	}
	parts["xl/worksheets/sheet1.xml"] = strings.Replace(sheet, "<v>123456789</v>", "<v>3.30102198507150E+17</v>", 1)
	res, err := Parse(bytes.NewReader(zipOf(t, parts)), "any name.bin", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != "xlsx" || res.Encoding != "" || res.Rows != 4 {
		t.Errorf("format %s encoding %q rows %d", res.Format, res.Encoding, res.Rows)
	}
	if len(res.Volunteers) != 1 {
		t.Fatalf("volunteers %v, errors %q", res.Volunteers, reasons(res.Errors))
	}
	v := res.Volunteers[0]
	if v.Line != 3 || v.Name != "张三" || v.Phone != "13812345678" || v.ResidentID != idMale || v.Gender != identity.Male ||
		!v.BirthDate.Equal(time.Date(1990, 1, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("volunteer %#v %v %v", v, v.Gender, v.BirthDate)
	}
	want := []string{"6:身份证号:resident_id_as_number", "7:性别:gender_mismatch", "8:身份证号:resident_id_as_number"}
	if got := reasons(res.Errors); !slices.Equal(got, want) {
		t.Errorf("errors %q, want %q", got, want)
	}
	if msg := res.Errors[0].Message; !strings.Contains(msg, "数字格式") || !strings.HasPrefix(msg, "第 6 行「身份证号」：") {
		t.Errorf("message %q should say the column was formatted as a number", msg)
	}
}

// TestParseXLSXBirthDateMismatch checks a date cell against the ID, so the serial number is read
// as a date and not as text.
func TestParseXLSXBirthDateMismatch(t *testing.T) {
	in := workbook(t, []any{"姓名", "手机号", "身份证号", "出生日期"},
		[]any{"张三", "13812345678", idMale, time.Date(1990, 2, 1, 0, 0, 0, 0, time.UTC)},
		[]any{"李四", "13912345678", idFemale, "1985-07-15"})
	res, err := Parse(bytes.NewReader(in), "x.xlsx", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if got := reasons(res.Errors); !slices.Equal(got, []string{"2:出生日期:birth_date_mismatch"}) || len(res.Volunteers) != 1 {
		t.Errorf("errors %q, %d volunteers", got, len(res.Volunteers))
	}
}

// TestParseXLSXZipBomb checks that a workbook whose sheet expands past the unzip limit is refused
// as corrupt rather than inflated into memory.
func TestParseXLSXZipBomb(t *testing.T) {
	parts := unzip(t, workbook(t, []any{"姓名", "手机号"}, []any{"张三", "13812345678"}))
	// White space after the root element is well-formed XML, and deflates to almost nothing.
	parts["xl/worksheets/sheet1.xml"] += strings.Repeat(" ", maxUnzipped+1)
	bomb := zipOf(t, parts)
	if len(bomb) > MaxBytes {
		t.Fatalf("bomb is %d bytes, more than the upload limit", len(bomb))
	}
	_, err := Parse(bytes.NewReader(bomb), "x.xlsx", testNow)
	var fe *FileError
	if !errors.Is(err, ErrFormat) || !errors.As(err, &fe) || fe.Reason != "file_corrupt" {
		t.Fatalf("err %v, want the unzip limit to refuse it", err)
	}
	// The same padding below the limit is read: the limit, not the padding, refused the bomb.
	parts["xl/worksheets/sheet1.xml"] = strings.TrimRight(parts["xl/worksheets/sheet1.xml"], " ") + strings.Repeat(" ", 1<<20)
	if res, err := Parse(bytes.NewReader(zipOf(t, parts)), "x.xlsx", testNow); err != nil || len(res.Volunteers) != 1 {
		t.Fatalf("padded workbook under the limit: %v, %d volunteers", err, len(res.Volunteers))
	}
}

// unzip returns the parts of a zip archive by name.
func unzip(t testing.TB, b []byte) map[string]string {
	t.Helper()
	src, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	for _, f := range src.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(r); err != nil {
			t.Fatal(err)
		}
		parts[f.Name] = buf.String()
	}
	return parts
}

// TestParseXLSXStringBomb checks that a small workbook whose cells all refer to one long shared
// string full of _xHHHH_ escapes is refused before excelize copies the string for every cell.
func TestParseXLSXStringBomb(t *testing.T) {
	parts := unzip(t, workbook(t, []any{"姓名", "手机号"}, []any{"张三", "13812345678"}))
	const strs = "xl/sharedStrings.xml"
	sst := parts[strs]
	long := "<si><t>" + strings.Repeat("_x0041_", 2000) + "</t></si></sst>"
	parts[strs] = strings.Replace(sst, "</sst>", long, 1)
	index := strings.Count(sst, "<si>") // the long string's index
	sheet := func(refs int) string {
		var b strings.Builder
		b.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		b.WriteString(`<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>手机号</t></is></c></row>`)
		for r := 2; r < refs+2; r++ {
			fmt.Fprintf(&b, `<row r="%d"><c r="A%d" t="s"><v>%d</v></c><c r="B%d"><v>%s</v></c></row>`, r, r, index, r, phoneN(r))
		}
		b.WriteString(`</sheetData></worksheet>`)
		return b.String()
	}
	parts["xl/worksheets/sheet1.xml"] = sheet(2000)
	_, err := Parse(bytes.NewReader(zipOf(t, parts)), "x.xlsx", testNow)
	var fe *FileError
	if !errors.Is(err, ErrTooLarge) || !errors.As(err, &fe) || fe.Reason != "text_too_large" {
		t.Fatalf("2000 references: %v", err)
	}
	// One reference to the same string is read, and its row refused for the long name.
	parts["xl/worksheets/sheet1.xml"] = sheet(1)
	res, err := Parse(bytes.NewReader(zipOf(t, parts)), "x.xlsx", testNow)
	if err != nil || len(res.Errors) != 1 || res.Errors[0].Reason != "name_too_long" {
		t.Fatalf("one reference: %v %v", err, res.Errors)
	}
}

// zipOf builds a zip archive of the named parts, deflated.
func zipOf(t testing.TB, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	names := make([]string, 0, len(parts))
	for n := range parts {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		f, err := w.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte(parts[n])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
