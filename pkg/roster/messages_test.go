package roster

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestEveryRowReason builds a file in which each line breaks one rule, and checks that the
// reasons found are exactly the catalogue: no reason without a message, no message never used.
func TestEveryRowReason(t *testing.T) {
	in := lines("姓名,手机号,身份证号,性别,出生日期,志愿者编号,技能,服务类别,",
		",13800000001,,,,,,,",
		"名"+strings.Repeat("字", 50)+",13800000002,,,,,,,",
		"\"张\x01三\",13800000003,,,,,,,",
		"王1380000000,13800000004,,,,,,,",
		"甲,,,,,,,,",
		"乙,12800000005,,,,,,,",
		"丙,1.38E+10,,,,,,,",
		"丁,13800000001,,,,,,,",
		"戊,13800000009,123,,,,,,",
		"己,13800000010,"+residentID("99010219900131001")+",,,,,,",
		"庚,13800000011,"+residentID("33010220300131001")+",,,,,,",
		"辛,13800000012,"+wrongCheck(idMale)+",,,,,,",
		"壬,13800000013,3.30102E+17,,,,,,",
		"癸,13800000014,"+idMale+",,,,,,",
		"子,13800000015,"+idMale+",,,,,,",
		"丑,13800000016,,X,,,,,",
		"寅,13800000017,"+idFemale+",男,,,,,",
		"卯,13800000018,,,1990-13-01,,,,",
		"辰,13800000019,"+idFemale+",,1985-07-16,,,,",
		"巳,13800000020,,,,编号,,,",
		"午,13800000021,,,,1.2E+15,,,",
		"未,13800000022,,,,A1,,,",
		"申,13800000023,,,,A1,,,",
		"酉,13800000024,,,,,"+strings.Repeat("长", 51)+",,",
		"戌,13800000025,,,,,\"急\x07救\",,",
		"亥,13800000026,,,,,,"+strings.Repeat("长", 51)+",",
		"甲乙,13800000027,,,,,,\"助\x07老\",",
		"丙丁,13800000028,,,,,,,多余")
	res, err := Parse(bytes.NewReader(in), "x.csv", testNow)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range res.Errors {
		seen[e.Reason] = true
	}
	catalogue := maps.Clone(rowReasons)
	delete(catalogue, "resident_id_taken") // found by the import, after Parse
	got, want := slices.Sorted(maps.Keys(seen)), slices.Sorted(maps.Keys(catalogue))
	if !slices.Equal(got, want) {
		t.Errorf("reasons found\n%q\ncatalogue\n%q", got, want)
	}
	if len(res.Errors) != res.Rows-1 { // the first of the two A1 lines is good
		t.Errorf("%d errors on %d rows: %q", len(res.Errors), res.Rows, reasons(res.Errors))
	}
}

// TestMessages pins the wording of messages in both languages.
func TestMessages(t *testing.T) {
	res, err := Parse(bytes.NewReader(lines("姓名,手机号", "张三,13812345678", "李四,123", "王五,13812345678", "赵六,13912345678,多余")), "x.csv", testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ zh, en string }{
		{"第 3 行「手机号」：不是有效的大陆手机号码", `line 3, column "手机号": not a valid mainland China mobile number`},
		{"第 4 行「手机号」：与第 2 行的手机号码重复", `line 4, column "手机号": the same phone number as line 2`},
		{"第 5 行第 3 列：这一列没有表头，内容无法导入（可能某个单元格里多了一个逗号）",
			"line 5, column 3: this column has no header, so its content cannot be imported (a cell may hold a stray comma)"},
	}
	if len(res.Errors) != len(want) {
		t.Fatalf("errors %q", reasons(res.Errors))
	}
	for i, w := range want {
		e := res.Errors[i]
		if e.Message != w.zh || e.Text("zh-CN") != w.zh || e.Text("en") != w.en || e.Text("en-GB") != w.en {
			t.Errorf("error %d: %q / %q, want %q / %q", i, e.Message, e.Text("en"), w.zh, w.en)
		}
	}
	fe := &FileError{Err: ErrMissingColumn, Reason: "column_missing", Column: "手机号"}
	if fe.Text("en") != `the required column "phone" is missing` {
		t.Errorf("english missing column: %q", fe.Text("en"))
	}
}

// TestNoPersonalDataInErrors fills a file with wrong and duplicate numbers and checks that no
// message, no error string and no printed volunteer holds a phone or ID number.
func TestNoPersonalDataInErrors(t *testing.T) {
	secrets := []string{"13812345678", "13912345678", idMale, idFemale, wrongCheck(idMale)[:17], "3301021990013", "1381234567"}
	in := lines("姓名,手机号,身份证号,性别",
		"张三,13812345678,"+idMale+",女",
		"李四,13812345678,"+wrongCheck(idMale)+",",
		"王五,1381234567,"+idMale+",",
		"赵六,13912345678,"+idFemale+",",
		"钱七,13912345678,3.30102199001310E+17,")
	res, err := Parse(bytes.NewReader(in), "x.csv", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) < 5 || len(res.Volunteers) != 1 {
		t.Fatalf("errors %q volunteers %d", reasons(res.Errors), len(res.Volunteers))
	}
	var out strings.Builder
	for _, e := range res.Errors {
		fmt.Fprintln(&out, e.Message, e.Text("en"), e)
	}
	v := res.Volunteers[0]
	fmt.Fprintf(&out, "%v %+v %#v %s %v\n", v, v, v, v, res)
	slog.New(slog.NewJSONHandler(&out, nil)).Info("imported", "volunteer", v, "all", res.Volunteers)
	slog.New(slog.NewTextHandler(&out, nil)).Info("imported", "volunteer", v, "all", res.Volunteers)
	js, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	out.Write(js)
	for _, s := range secrets {
		if strings.Contains(out.String(), s) {
			t.Errorf("output holds %s…: %s", s[:4], out.String())
		}
	}
	if !strings.Contains(out.String(), "139****5678") || !strings.Contains(out.String(), "3301**********") {
		t.Errorf("masked forms missing: %s", out.String())
	}
}

// TestReject checks that an error made after Parse names the column as the file does.
func TestReject(t *testing.T) {
	res, err := Parse(bytes.NewReader(lines("证件号码,姓名,手机", idMale+",张三,13812345678")), "x.csv", testNow)
	if err != nil || len(res.Volunteers) != 1 {
		t.Fatalf("%v %v", err, res.Errors)
	}
	e := res.Reject(res.Volunteers[0], "resident_id", "resident_id_taken")
	if e.Line != 2 || e.Column != "证件号码" || e.ColumnNo != 1 || !strings.HasPrefix(e.Message, "第 2 行「证件号码」：该身份证号码已属于") {
		t.Errorf("%+v", e)
	}
	if e := (Result{}).Reject(Volunteer{Line: 7}, "phone", "phone_invalid"); e.Column != "手机号" || e.Text("en") != `line 7, column "手机号": not a valid mainland China mobile number` {
		t.Errorf("without a header: %+v", e)
	}
}
