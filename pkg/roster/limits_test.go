package roster

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// bigCSV writes a header and n data rows with distinct phones and, on every row, a valid ID
// derived from the row number.
func bigCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("姓名,手机号,身份证号,性别\r\n")
	for i := range n {
		fmt.Fprintf(&b, "志愿者%d,%s,%s,\r\n", i%100, phoneN(i), residentID(fmt.Sprintf("330102%08d%03d", 19800101+i/1000, i%1000)))
	}
	return b.Bytes()
}

// TestParseTenThousandRows reads 10,000 rows, with every 1,000th phone repeated, as CSV and as
// XLSX, and checks the counts.
func TestParseTenThousandRows(t *testing.T) {
	const n = 10000
	var b bytes.Buffer
	b.WriteString("姓名,手机号\r\n")
	rows := [][]any{{"姓名", "手机号"}}
	for i := range n {
		p := phoneN(i)
		if i%1000 == 999 {
			p = phoneN(i - 1) // a duplicate of the previous row
		}
		fmt.Fprintf(&b, "志愿者%d,%s\r\n", i%100, p)
		rows = append(rows, []any{fmt.Sprintf("志愿者%d", i%100), p})
	}
	for name, in := range map[string][]byte{"csv": b.Bytes(), "xlsx": workbook(t, rows...)} {
		t.Run(name, func(t *testing.T) {
			res, err := Parse(bytes.NewReader(in), "big."+name, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if res.Rows != n || len(res.Volunteers) != n-10 || len(res.Errors) != 10 {
				t.Fatalf("rows %d volunteers %d errors %d, want %d %d 10", res.Rows, len(res.Volunteers), len(res.Errors), n, n-10)
			}
			for i, e := range res.Errors {
				line := 1000*i + 1001 // the data row 1000i+999 is on line 1000i+1001
				if e.Reason != "phone_duplicate" || e.Line != line || e.OtherLine != line-1 {
					t.Fatalf("error %d: %+v, want phone_duplicate on line %d", i, e, line)
				}
			}
			// The last row repeats the one before it, so the last volunteer is on the line before.
			if last := res.Volunteers[len(res.Volunteers)-1]; last.Line != n || last.Phone != phoneN(n-2) {
				t.Errorf("last volunteer %v, want line %d", last, n)
			}
		})
	}
}

// TestParseRowLimit checks MaxRows data rows are read and one more is refused, in both formats,
// and that empty rows do not count.
func TestParseRowLimit(t *testing.T) {
	atLimit := bigCSV(MaxRows)
	withEmpty := append(bytes.Clone(atLimit), strings.Repeat(",,,\r\n", 100)...)
	over := bigCSV(MaxRows + 1)
	for name, tc := range map[string]struct {
		in  []byte
		err error
	}{"at the limit": {atLimit, nil}, "at the limit with empty rows": {withEmpty, nil}, "one over": {over, ErrTooManyRows}} {
		t.Run(name, func(t *testing.T) {
			res, err := Parse(bytes.NewReader(tc.in), "x.csv", testNow)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if tc.err == nil && (res.Rows != MaxRows || len(res.Volunteers) != MaxRows) {
				t.Errorf("rows %d, volunteers %d, errors %v", res.Rows, len(res.Volunteers), reasons(res.Errors)[:min(3, len(res.Errors))])
			}
		})
	}
	rows := [][]any{{"姓名", "手机号"}}
	for i := range MaxRows + 1 {
		rows = append(rows, []any{"甲", phoneN(i)})
	}
	if _, err := Parse(bytes.NewReader(workbook(t, rows...)), "x.xlsx", testNow); !errors.Is(err, ErrTooManyRows) {
		t.Errorf("xlsx with %d rows: %v", MaxRows+1, err)
	}
}

// TestParseSizeLimit checks that a file of MaxBytes is read and one byte more is refused, without
// reading the rest of an endless upload.
func TestParseSizeLimit(t *testing.T) {
	head := lines("姓名,手机号", "张三,13812345678")
	// Empty lines pad the file to the size wanted: they are skipped, so the file stays valid.
	padded := func(size int) []byte { return append(bytes.Clone(head), bytes.Repeat([]byte("\n"), size-len(head))...) }
	if res, err := Parse(bytes.NewReader(padded(MaxBytes)), "x.csv", testNow); err != nil || len(res.Volunteers) != 1 {
		t.Fatalf("file of exactly MaxBytes: %v, %d volunteers", err, len(res.Volunteers))
	}
	_, err := Parse(bytes.NewReader(padded(MaxBytes+1)), "x.csv", testNow)
	var fe *FileError
	if !errors.Is(err, ErrTooLarge) || !errors.As(err, &fe) || fe.Reason != "file_too_large" {
		t.Fatalf("file of MaxBytes+1: %v", err)
	}
	endless := &countingReader{}
	if _, err := Parse(endless, "x.csv", testNow); !errors.Is(err, ErrTooLarge) || endless.n > MaxBytes+64<<10 {
		t.Fatalf("endless upload: %v after reading %d bytes", err, endless.n)
	}
}

// countingReader is an endless stream of commas that counts what was read from it.
type countingReader struct{ n int }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ','
	}
	r.n += len(p)
	return len(p), nil
}

// TestParseReadError passes on the reader's own error, not a file error.
func TestParseReadError(t *testing.T) {
	boom := errors.New("connection reset")
	_, err := Parse(io.MultiReader(strings.NewReader("姓名,手机号\n"), errReader{boom}), "x.csv", testNow)
	var fe *FileError
	if !errors.Is(err, boom) || errors.As(err, &fe) {
		t.Fatalf("err %v, want the read error", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// TestParseWideRows checks the width limit: a cell under no header gives one error per row,
// content past MaxColumns refuses the file at its first such row, and empty cells past it in a
// CSV are dropped.
func TestParseWideRows(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "手机号"}); err != nil {
		t.Fatal(err)
	}
	for r := 2; r <= 11; r++ {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", r), &[]any{"甲", phoneN(r), nil, "多余", "多余"}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Parse(bytes.NewReader(save(t, f)), "x.xlsx", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 10 || res.Errors[0].ColumnNo != 4 || res.Errors[0].Reason != "cell_without_header" {
		t.Fatalf("%d errors, first %+v", len(res.Errors), res.Errors[0])
	}
	if err := f.SetCellValue("Sheet1", "IW5", "x"); err != nil { // column 257
		t.Fatal(err)
	}
	_, err = Parse(bytes.NewReader(save(t, f)), "x.xlsx", testNow)
	var fe *FileError
	if !errors.Is(err, ErrTooWide) || !errors.As(err, &fe) || fe.Line != 5 || fe.Message() != "第 5 行超出了第 256 列，请删除右侧多余的列后重新导出" {
		t.Fatalf("cell at IW5: %v", err)
	}

	var b bytes.Buffer
	b.WriteString("姓名,手机号" + strings.Repeat(",", 100000) + "\n")
	for i := range 1000 {
		fmt.Fprintf(&b, "甲,%s%s\n", phoneN(i), strings.Repeat(",", 1000))
	}
	res, err = Parse(bytes.NewReader(b.Bytes()), "x.csv", testNow)
	if err != nil || len(res.Volunteers) != 1000 || len(res.Errors) != 0 {
		t.Fatalf("%v: %d volunteers, %d errors", err, len(res.Volunteers), len(res.Errors))
	}
	b.WriteString("乙,13800000000" + strings.Repeat(",", 300) + "x\n")
	if _, err = Parse(bytes.NewReader(b.Bytes()), "x.csv", testNow); !errors.Is(err, ErrTooWide) {
		t.Fatalf("CSV with content past column 256: %v", err)
	}
}
