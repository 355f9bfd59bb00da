package roster

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"timebank/pkg/identity"
)

// twentyOneSkills is one skill too many.
var twentyOneSkills = func() string {
	var s []string
	for i := range 21 {
		s = append(s, fmt.Sprintf("技能%d", i))
	}
	return strings.Join(s, "、")
}()

// TestParseCSV reads the CSV variants other systems export and checks each row's verdict.
func TestParseCSV(t *testing.T) {
	const header = "姓名,手机号,身份证号,性别"
	good := lines(header, "张三,13812345678,"+idMale+",男", "李四,13912345678,"+idFemale+",女")
	cases := []struct {
		name     string
		in       []byte
		encoding string
		want     []string // phones of the good rows, in order
		errs     []string // line:column:reason
		rows     int
	}{
		{name: "UTF-8", in: good, encoding: "UTF-8", want: []string{"13812345678", "13912345678"}, rows: 2},
		{name: "UTF-8 with BOM", in: append([]byte("\xEF\xBB\xBF"), good...), encoding: "UTF-8",
			want: []string{"13812345678", "13912345678"}, rows: 2},
		{name: "GBK from Excel on Chinese Windows", in: gbk(t, good), encoding: "GB18030",
			want: []string{"13812345678", "13912345678"}, rows: 2},
		{name: "UTF-16LE Unicode text, tab separated",
			in:       utf16LE(t, lines("姓名\t手机号\t身份证号", "张三\t13812345678\t"+idMale)),
			encoding: "UTF-16LE", want: []string{"13812345678"}, rows: 1},
		{name: "tab separated UTF-8", in: lines("姓名\t手机\t性别", "张三\t138 1234 5678\t男", "王五\t+86 139-1234-5678\t"),
			encoding: "UTF-8", want: []string{"13812345678", "13912345678"}, rows: 2},
		{name: "English headers, any case and separator",
			in:       lines("Name,Mobile,ID Number,Gender,volunteer_no", "Li Lei,13812345678,"+idMale+",male,ZJ-001"),
			encoding: "UTF-8", want: []string{"13812345678"}, rows: 1},
		{name: "annotated headers and a row-number column",
			in:       lines("序号,*姓名,手机号码（必填）,身份证号码(选填)", "1,张三,13812345678,", "2,李四,13912345678,"),
			encoding: "UTF-8", want: []string{"13812345678", "13912345678"}, rows: 2},
		{name: "title row above the header", in: lines("2024年志愿者花名册,,", "姓名,手机号,性别", "张三,13812345678,男"),
			encoding: "UTF-8", want: []string{"13812345678"}, rows: 1},
		{name: "empty rows are skipped and lines still count them",
			in:       lines(header, "", ",,,", "张三,13812345678,,", "  ,\t, ,", "李四,123,,"),
			encoding: "UTF-8", want: []string{"13812345678"}, errs: []string{"6:手机号:phone_invalid"}, rows: 2},
		{name: `full-width digits, ="..." wrappers and spaces`,
			in:       lines(header, "  张　三 ,=\"１３８１２３４５６７８\",=\""+idMale+"\", 男 "),
			encoding: "UTF-8", want: []string{"13812345678"}, rows: 1},
		{name: "bad phones", in: lines(header, "甲,12812345678,,", "乙,,,", "丙,0571-88888888,,", "丁,1.38123E+10,,"),
			encoding: "UTF-8", rows: 4, errs: []string{"2:手机号:phone_invalid", "3:手机号:phone_missing",
				"4:手机号:phone_invalid", "5:手机号:phone_as_number"}},
		{name: "bad ID check digit", in: lines(header, "张三,13812345678,"+wrongCheck(idMale)+",男"),
			encoding: "UTF-8", rows: 1, errs: []string{"2:身份证号:resident_id_checksum"}},
		{name: "other bad IDs", in: lines(header,
			"甲,13800000001,"+residentID("99010219900131001")+",",
			"乙,13800000002,"+residentID("33010220300131001")+",",
			"丙,13800000003,33010219900131001,",
			"丁,13800000004,3.30102E+17,",
			"戊,13800000005,330102199001310000000,"),
			encoding: "UTF-8", rows: 5, errs: []string{"2:身份证号:resident_id_region", "3:身份证号:resident_id_birth",
				"4:身份证号:resident_id_format", "5:身份证号:resident_id_as_number", "6:身份证号:resident_id_format"}},
		{name: "gender mismatch and unknown gender", in: lines(header, "张三,13812345678,"+idMale+",女",
			"李四,13912345678,"+idFemale+",F", "王五,13712345678,,妖"),
			encoding: "UTF-8", rows: 3, want: []string{"13912345678"},
			errs: []string{"2:性别:gender_mismatch", "4:性别:gender_invalid"}},
		{name: "duplicates are errors on the later line", in: lines(header,
			"张三,13812345678,"+idMale+",",
			"张三,138-1234-5678,,",
			"李四,13912345678,"+idMale+",",
			"王五,13712345678,"+idFemale+",",
			"赵六,13712345678,"+idFemale+","),
			encoding: "UTF-8", rows: 5, want: []string{"13812345678", "13712345678"},
			errs: []string{"3:手机号:phone_duplicate", "4:身份证号:resident_id_duplicate",
				"6:手机号:phone_duplicate", "6:身份证号:resident_id_duplicate"}},
		{name: "names", in: lines(header, ",13800000001,,", "\"张\n三\",13800000002,,",
			"13800000009,13800000003,,", string(bytes.Repeat([]byte("名"), 51))+",13800000004,,",
			string(bytes.Repeat([]byte("名"), 50))+",13800000005,,"),
			encoding: "UTF-8", rows: 5, want: []string{"13800000005"},
			errs: []string{"2:姓名:name_missing", "3:姓名:name_invalid", "5:姓名:name_number", "6:姓名:name_too_long"}},
		{name: "a stray comma shifts cells past the header", in: lines("姓名,手机号", "张三,13812345678,多余"),
			encoding: "UTF-8", rows: 1, errs: []string{"2::cell_without_header"}},
		{name: "CRLF-less last line and a quoted comma", in: []byte("姓名,手机号,技能\n\"Smith, John\",13812345678,\"急救、驾驶\""),
			encoding: "UTF-8", rows: 1, want: []string{"13812345678"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Parse(bytes.NewReader(tc.in), "名单.csv", testNow)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var phones []string
			for _, v := range res.Volunteers {
				phones = append(phones, v.Phone)
			}
			if !slices.Equal(phones, tc.want) {
				t.Errorf("good rows %v, want %v", phones, tc.want)
			}
			if got := reasons(res.Errors); !slices.Equal(got, tc.errs) {
				t.Errorf("errors %q, want %q", got, tc.errs)
			}
			if res.Rows != tc.rows || res.Format != "csv" || res.Encoding != tc.encoding {
				t.Errorf("rows %d format %s encoding %s, want %d csv %s", res.Rows, res.Format, res.Encoding, tc.rows, tc.encoding)
			}
		})
	}
}

// TestParseNormalisedValues checks what a good row carries: trimmed name, 11-digit phone, upper
// case X, gender and birth date from the ID, lists split.
func TestParseNormalisedValues(t *testing.T) {
	id := residentID("11010519491231002") // check character X
	if id[17] != 'X' {
		t.Fatalf("test ID %s should end in X", identity.MaskResidentID(id))
	}
	lower := id[:17] + "x"
	in := lines("姓名,联系电话,证件号码,性别,志愿者编号,出生日期,特长,服务类别",
		" 张　三 ,+86 138 1234 5678,"+lower+",,'０１２３４5,1949年12月31日,急救、驾驶；摄影, 助老/助残 ",
		"Mary Ann,139-1234-5678,,女,ZJ_9,1990/2/3,,",
		"王五,13712345678,,1,,1990-02-03 00:00:00,,")
	res, err := Parse(bytes.NewReader(in), "x.csv", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 0 || len(res.Volunteers) != 3 {
		t.Fatalf("errors %v, %d volunteers", reasons(res.Errors), len(res.Volunteers))
	}
	v := res.Volunteers[0]
	want := Volunteer{Line: 2, Name: "张三", Phone: "13812345678", ResidentID: id, Gender: identity.Female,
		BirthDate: time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC), VolunteerNo: "012345",
		Skills: []string{"急救", "驾驶", "摄影"}, ServiceCategories: []string{"助老", "助残"}}
	if v.Name != want.Name || v.Phone != want.Phone || v.ResidentID != want.ResidentID || v.Gender != want.Gender ||
		!v.BirthDate.Equal(want.BirthDate) || v.VolunteerNo != want.VolunteerNo || v.Line != want.Line ||
		!slices.Equal(v.Skills, want.Skills) || !slices.Equal(v.ServiceCategories, want.ServiceCategories) {
		t.Errorf("got  %#v %v %v %v %s\nwant %#v", v, v.Gender, v.BirthDate, v.Skills, v.VolunteerNo, want)
	}
	if v := res.Volunteers[1]; v.Name != "Mary Ann" || v.Gender != identity.Female || v.VolunteerNo != "ZJ_9" ||
		!v.BirthDate.Equal(time.Date(1990, 2, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("second row %#v %v %v", v, v.Gender, v.BirthDate)
	}
	if v := res.Volunteers[2]; v.Gender != identity.Male || !v.BirthDate.Equal(time.Date(1990, 2, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("third row: GB/T 2261.1 code 1 is male; got %v %v", v.Gender, v.BirthDate)
	}
}

// TestParseOptionalColumns checks the optional columns' own rules.
func TestParseOptionalColumns(t *testing.T) {
	in := lines("姓名,手机号,身份证号,出生日期,志愿者编号,技能",
		"甲,13800000001,"+idMale+",1990-01-31,A1,",     // agrees with the ID
		"乙,13800000002,"+idMale[:0]+",1990-02-30,A2,", // no such day
		"丙,13800000003,"+idFemale+",1985-07-16,A3,",   // disagrees with the ID
		"丁,13800000004,,2026-01-01,A4,",               // after today
		"戊,13800000005,,,A1,",                         // duplicate number
		"己,13800000006,,,编号5,",                        // not letters and digits
		"庚,13800000007,,,1.2E+15,",                    // mangled by Excel
		"辛,13800000008,,,,"+twentyOneSkills,
		"壬,13800000009,,19900131,,"+string(bytes.Repeat([]byte("长"), 51)))
	res, err := Parse(bytes.NewReader(in), "x.csv", testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"3:出生日期:birth_date_invalid", "4:出生日期:birth_date_mismatch", "5:出生日期:birth_date_invalid",
		"6:志愿者编号:volunteer_no_duplicate", "7:志愿者编号:volunteer_no_invalid", "8:志愿者编号:volunteer_no_as_number",
		"9:技能:skills_too_long", "10:技能:skills_too_long"}
	if got := reasons(res.Errors); !slices.Equal(got, want) {
		t.Errorf("errors\n%q\nwant\n%q", got, want)
	}
	if len(res.Volunteers) != 1 || res.Volunteers[0].Line != 2 {
		t.Errorf("volunteers %v, want line 2 only", res.Volunteers)
	}
	if e := res.Errors[3]; e.OtherLine != 2 {
		t.Errorf("duplicate volunteer number points at line %d, want 2", e.OtherLine)
	}
}
