package roster

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestParseFileErrors checks the files that cannot be imported at all: each names the sentinel,
// the reason and, where there is one, the column.
func TestParseFileErrors(t *testing.T) {
	xlsx := workbook(t, []any{"姓名", "手机号"}, []any{"张三", "13812345678"})
	cases := []struct {
		name     string
		in       []byte
		filename string
		err      error
		reason   string
		column   string
		message  string // the Chinese message, when the case pins it
	}{
		{name: "missing phone column", in: lines("姓名,身份证号", "张三,"+idMale),
			err: ErrMissingColumn, reason: "column_missing", column: "手机号", message: "缺少必填列「手机号」"},
		{name: "missing name column", in: lines("手机号", "13812345678"),
			err: ErrMissingColumn, reason: "column_missing", column: "姓名"},
		{name: "unknown column", in: lines("姓名,手机号,政治面貌", "张三,13812345678,群众"),
			err: ErrUnknownColumn, reason: "column_unknown", column: "政治面貌"},
		{name: "duplicate column under two aliases", in: lines("姓名,手机,联系电话", "张三,13812345678,13812345678"),
			err: ErrDuplicateColumn, reason: "column_duplicate", column: "联系电话",
			message: "「手机」与「联系电话」是同一列，请只保留一列"},
		{name: "no header: the first row is data", in: lines("张三,13812345678," + idMale),
			err: ErrNoHeader, reason: "no_header"},
		{name: "empty file", in: nil, err: ErrNoHeader, reason: "no_header"},
		{name: "only empty lines", in: lines("", ",,", " "), err: ErrNoHeader, reason: "no_header"},
		{name: "header only", in: lines("姓名,手机号", ",", ""), err: ErrNoData, reason: "no_data"},
		{name: "unpaired quote", in: []byte("姓名,手机号\n张三,13812345678\n\"李四,139\n王五,13712345678"),
			err: ErrFormat, reason: "csv_malformed", message: "第 3 行起 CSV 格式有误（引号不成对）"},
		{name: "bare quote", in: lines("姓名,手机号", `张"三",13812345678`), err: ErrFormat, reason: "csv_malformed"},
		{name: "neither UTF-8 nor GB18030", in: []byte("\x81\x20,\xff\xfe\xfd"), err: ErrEncoding, reason: "encoding_unknown"},
		{name: "old xls", in: append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...),
			err: ErrFormat, reason: "xls_unsupported"},
		{name: "truncated xlsx", in: xlsx[:len(xlsx)/2], err: ErrFormat, reason: "file_corrupt"},
		{name: "xlsx with a damaged middle", in: damage(xlsx), err: ErrFormat, reason: "file_corrupt"},
		{name: "zip that is no workbook", in: zipOf(t, map[string]string{"a.txt": "姓名,手机号"}), err: ErrFormat, reason: "file_corrupt"},
		{name: "named .xlsx but text", in: []byte("hello"), filename: "名单.xlsx", err: ErrFormat, reason: "file_corrupt"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := tc.filename
			if name == "" {
				name = "名单.csv"
			}
			res, err := Parse(bytes.NewReader(tc.in), name, testNow)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v (result %d rows)", err, tc.err, res.Rows)
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("%T is not a *FileError", err)
			}
			if fe.Reason != tc.reason || fe.Column != tc.column {
				t.Errorf("reason %q column %q, want %q %q", fe.Reason, fe.Column, tc.reason, tc.column)
			}
			if tc.message != "" && fe.Message() != tc.message {
				t.Errorf("message %q, want %q", fe.Message(), tc.message)
			}
			if fe.Text("en") == "" || fe.Message() == "" || strings.Contains(fe.Text("en")+fe.Message(), "%!") {
				t.Errorf("bad messages %q / %q", fe.Message(), fe.Text("en"))
			}
			if len(res.Volunteers) != 0 || len(res.Errors) != 0 {
				t.Errorf("a file error came with a partial result")
			}
		})
	}
}

// TestHeaderDataIsNotEchoed checks that a header cell that looks like personal data is named by
// its column number, not its text.
func TestHeaderDataIsNotEchoed(t *testing.T) {
	_, err := Parse(bytes.NewReader(lines("姓名,手机号,13812345678", "张三,13912345678,x")), "x.csv", testNow)
	var fe *FileError
	if !errors.As(err, &fe) || fe.Reason != "column_unknown" || fe.ColumnNo != 3 || fe.Column != "" {
		t.Fatalf("err %#v", err)
	}
	for _, s := range []string{fe.Error(), fe.Message(), fe.Text("en")} {
		if strings.Contains(s, "13812345678") {
			t.Errorf("message echoes the number: %q", s)
		}
	}
	if !strings.Contains(fe.Message(), "第 3 列") {
		t.Errorf("message %q does not name the column", fe.Message())
	}
}

// damage overwrites the middle of a file with zeros, as an interrupted upload might.
func damage(b []byte) []byte {
	out := bytes.Clone(b)
	for i := len(out) / 3; i < len(out)/3+200 && i < len(out); i++ {
		out[i] = 0
	}
	return out
}
