package roster

import (
	"bytes"
	"errors"
	"regexp"
	"testing"
	"unicode/utf8"

	"timebank/pkg/identity"
)

// longNumber finds what could be a phone or ID number in a message.
var longNumber = regexp.MustCompile(`[0-9]{11,}`)

// FuzzParse feeds Parse arbitrary bytes. It must not panic, and what it returns must hold
// together: only known reasons, no long number in any message, only valid and unique values in
// the good rows, every non-empty row either good or reported.
func FuzzParse(f *testing.F) {
	f.Add(lines("姓名,手机号,身份证号,性别,出生日期,志愿者编号,技能,服务类别",
		"张三,13812345678,"+idMale+",男,1990-01-31,A1,急救、驾驶,助老",
		"李四,13812345678,"+wrongCheck(idFemale)+",女,1985/7/15,3.3E+17,,",
		`王五,="13912345678",3.30102E+17,X,19850715,,"a,b",`))
	f.Add(gbk(f, lines("志愿者名单", "序号\t姓名\t手机\t证件号码", "1\t张三\t１３８１２３４５６７８\t"+idMale)))
	f.Add(utf16LE(f, lines("姓名,手机号", "张三,13812345678")))
	f.Add([]byte("姓名，手机号\n张三，13812345678"))
	f.Add([]byte("\"姓名\",\"手机号\"\n\"张\"\"三\",\"138\n"))
	f.Add(workbook(f, []any{"姓名", "手机号", "出生日期"}, nil, []any{"张三", 13812345678, 32874}))
	f.Add(append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, 0))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, in []byte) {
		res, err := Parse(bytes.NewReader(in), "fuzz", testNow)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("%T %v is not a *FileError", err, err)
			}
			if _, ok := fileReasons[fe.Reason]; !ok {
				t.Fatalf("unknown file reason %q", fe.Reason)
			}
			for _, s := range []string{fe.Error(), fe.Message(), fe.Text("en")} {
				if longNumber.MatchString(s) || !utf8.ValidString(s) {
					t.Fatalf("file error %q", s)
				}
			}
			return
		}
		badLines := map[int]bool{}
		for _, e := range res.Errors {
			if _, ok := rowReasons[e.Reason]; !ok || e.Line < 1 || e.ColumnNo < 1 || e.Message != e.Text("zh-CN") {
				t.Fatalf("row error %+v", e)
			}
			if longNumber.MatchString(e.Message) || longNumber.MatchString(e.Text("en")) {
				t.Fatalf("message holds a number: %q", e.Message)
			}
			badLines[e.Line] = true
		}
		if res.Rows != len(res.Volunteers)+len(badLines) || res.Rows == 0 || res.Rows > MaxRows {
			t.Fatalf("%d rows, %d volunteers, %d bad lines", res.Rows, len(res.Volunteers), len(badLines))
		}
		phones, ids := map[string]bool{}, map[string]bool{}
		last := 0
		for _, v := range res.Volunteers {
			if p, err := identity.NormalizePhone(v.Phone); err != nil || p != v.Phone || phones[p] {
				t.Fatalf("phone %q: %v (seen %v)", identity.MaskPhone(v.Phone), err, phones[p])
			}
			phones[v.Phone] = true
			if v.ResidentID != "" {
				if id, err := identity.NormalizeResidentID(v.ResidentID, testNow); err != nil || id != v.ResidentID || ids[id] {
					t.Fatalf("resident ID %s: %v", identity.MaskResidentID(v.ResidentID), err)
				}
				ids[v.ResidentID] = true
			}
			if n := utf8.RuneCountInString(v.Name); n < 1 || n > 50 || !utf8.ValidString(v.Name) || v.Line <= last || badLines[v.Line] {
				t.Fatalf("volunteer %v after line %d", v, last)
			}
			last = v.Line
		}
	})
}

// FuzzParseSheetXML puts arbitrary XML in the sheet and the shared strings of a valid workbook,
// where random bytes fed to FuzzParse almost never reach (the zip checksums refuse them first).
func FuzzParseSheetXML(f *testing.F) {
	parts := unzip(f, workbook(f, []any{"姓名", "手机号", "身份证号"}, []any{"张三", 13812345678, idMale}, nil,
		[]any{"李四", "13912345678", 3.3e17}))
	const sheet, strs = "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"
	f.Add([]byte(parts[sheet]), []byte(parts[strs]))
	f.Add([]byte(`<worksheet><sheetData><row r="5000"><c r="A5000" t="s"><v>99</v></c></row><row/></sheetData></worksheet>`),
		[]byte(parts[strs]))
	f.Add([]byte(`<worksheet><sheetData><row><c r="XFD1" t="inlineStr"><is><t>姓名</t></is></c><c t="d"><v>x</v></c></row></sheetData></worksheet>`),
		[]byte(`<sst><si><r><t>a</t></r></si></sst>`))
	f.Fuzz(func(t *testing.T, sheetXML, stringsXML []byte) {
		p := map[string]string{}
		for k, v := range parts {
			p[k] = v
		}
		p[sheet], p[strs] = string(sheetXML), string(stringsXML)
		res, err := Parse(bytes.NewReader(zipOf(t, p)), "fuzz.xlsx", testNow)
		var fe *FileError
		if err != nil && !errors.As(err, &fe) {
			t.Fatalf("%T %v is not a *FileError", err, err)
		}
		if err == nil && res.Rows != len(res.Volunteers)+countLines(res.Errors) {
			t.Fatalf("%d rows, %d volunteers, errors %q", res.Rows, len(res.Volunteers), reasons(res.Errors))
		}
	})
}

func countLines(errs []RowError) int {
	lines := map[int]bool{}
	for _, e := range errs {
		lines[e.Line] = true
	}
	return len(lines)
}
