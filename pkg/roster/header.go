package roster

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// field is what a column holds.
type field int

const (
	fieldNone    field = iota // a column whose header cell is empty
	fieldIgnored              // a row number (序号): spreadsheets carry one, it means nothing here
	fieldName
	fieldPhone
	fieldResidentID
	fieldGender
	fieldVolunteerNo
	fieldBirthDate
	fieldSkills
	fieldServiceCategories
)

// fieldNames are the names messages use for a field, Chinese and English, when the file's own
// header text is not at hand.
var fieldNames = map[field]text{
	fieldName:              {"姓名", "name"},
	fieldPhone:             {"手机号", "phone"},
	fieldResidentID:        {"身份证号", "resident ID"},
	fieldGender:            {"性别", "gender"},
	fieldVolunteerNo:       {"志愿者编号", "volunteer number"},
	fieldBirthDate:         {"出生日期", "birth date"},
	fieldSkills:            {"技能", "skills"},
	fieldServiceCategories: {"服务类别", "service categories"},
}

// fieldKeys are the keys callers name a field by (Result.Reject).
var fieldKeys = map[string]field{
	"name": fieldName, "phone": fieldPhone, "resident_id": fieldResidentID, "gender": fieldGender,
	"volunteer_no": fieldVolunteerNo, "birth_date": fieldBirthDate, "skills": fieldSkills,
	"service_categories": fieldServiceCategories,
}

// fieldByChinese returns the English name of a required field given its Chinese name.
func fieldByChinese(zh string) string {
	for _, t := range fieldNames {
		if t.zh == zh {
			return t.en
		}
	}
	return zh
}

// aliases maps header keys (see headerKey) to fields. The Chinese names are those the volunteer
// platforms and the 民政部 record format use; the English ones those of hand-made templates.
var aliases = map[string]field{
	"序号": fieldIgnored, "no.": fieldIgnored, "#": fieldIgnored,

	"姓名": fieldName, "真实姓名": fieldName, "name": fieldName, "fullname": fieldName,

	"手机号": fieldPhone, "手机": fieldPhone, "手机号码": fieldPhone, "联系电话": fieldPhone,
	"电话": fieldPhone, "电话号码": fieldPhone, "phone": fieldPhone, "mobile": fieldPhone,

	"身份证号": fieldResidentID, "身份证号码": fieldResidentID, "身份证": fieldResidentID,
	"证件号码": fieldResidentID, "证件号": fieldResidentID, "idnumber": fieldResidentID,
	"residentid": fieldResidentID,

	"性别": fieldGender, "gender": fieldGender, "sex": fieldGender,

	"志愿者编号": fieldVolunteerNo, "志愿者号": fieldVolunteerNo, "volunteerno": fieldVolunteerNo,
	"volunteernumber": fieldVolunteerNo,

	"出生日期": fieldBirthDate, "生日": fieldBirthDate, "birthdate": fieldBirthDate,
	"dateofbirth": fieldBirthDate, "birthday": fieldBirthDate,

	"技能": fieldSkills, "特长": fieldSkills, "技能特长": fieldSkills, "专业特长": fieldSkills,
	"skills": fieldSkills, "skill": fieldSkills,

	"服务类别": fieldServiceCategories, "服务类型": fieldServiceCategories,
	"servicecategory": fieldServiceCategories, "servicecategories": fieldServiceCategories,
}

// annotation matches the notes templates add to a header: 手机号（必填）, 身份证号[18位], *姓名.
var annotation = regexp.MustCompile(`\([^)]*\)|\[[^\]]*\]|【[^】]*】|\*`)

// headerKey reduces a header cell to the form aliases are keyed by: full-width folded, notes and
// separators removed, lower case. "ID Number", "id_number" and "身份证号码（选填）" all match.
func headerKey(s string) string {
	s = annotation.ReplaceAllString(fold(s), "")
	s = strings.ToLower(s)
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '_', '-', '\t':
			return -1
		}
		return r
	}, s)
}

// header is the meaning of each column of a file.
type header struct {
	line   int
	fields []field
	texts  []string      // the header cells as in the file, trimmed
	index  map[field]int // the column of each field present, 0-based
}

// readHeader reads the header row: the first non-empty row, after at most a few title rows (a
// single cell such as "2024 年志愿者花名册" above the table, as exports often have).
func readHeader(s sheet) (header, error) {
	const maxTitleRows = 5
	titles := 0
	for {
		cells, line, err := s.next()
		if err != nil {
			return header{}, orNoHeader(err)
		}
		filled := 0
		for _, c := range cells {
			if clean(c) != "" {
				filled++
			}
		}
		if filled == 0 {
			continue
		}
		if filled == 1 && !anyAlias(cells) && titles < maxTitleRows {
			titles++
			continue
		}
		return parseHeader(cells, line)
	}
}

// orNoHeader turns the end of the file before a header into ErrNoHeader.
func orNoHeader(err error) error {
	if _, ok := err.(*FileError); ok {
		return err
	}
	return fileError(ErrNoHeader, "no_header")
}

func anyAlias(cells []string) bool {
	for _, c := range cells {
		if _, ok := aliases[headerKey(clean(c))]; ok {
			return true
		}
	}
	return false
}

// parseHeader maps header cells to fields. Problems are reported in column order, then the
// missing required columns; a row that names no known column at all is not taken for a header,
// because it is most likely data, and data must not be echoed in an error.
func parseHeader(cells []string, line int) (header, error) {
	h := header{line: line, fields: make([]field, len(cells)), texts: make([]string, len(cells))}
	if !anyAlias(cells) {
		return header{}, &FileError{Err: ErrNoHeader, Reason: "no_header", Line: line}
	}
	seen := map[field]int{}
	h.index = seen
	for i, c := range cells {
		t := clean(c)
		h.texts[i] = t
		if t == "" {
			continue
		}
		f, ok := aliases[headerKey(t)]
		if !ok {
			return header{}, &FileError{Err: ErrUnknownColumn, Reason: "column_unknown",
				Column: safeHeader(t), ColumnNo: i + 1, Line: line}
		}
		if j, dup := seen[f]; dup && f != fieldIgnored {
			return header{}, &FileError{Err: ErrDuplicateColumn, Reason: "column_duplicate",
				Column: t, Other: h.texts[j], ColumnNo: i + 1, Line: line}
		}
		seen[f] = i
		h.fields[i] = f
	}
	for _, f := range []field{fieldName, fieldPhone} {
		if _, ok := seen[f]; !ok {
			return header{}, &FileError{Err: ErrMissingColumn, Reason: "column_missing",
				Column: fieldNames[f].zh, Line: line}
		}
	}
	return h, nil
}

// safeHeader returns an unknown header's text for a message, or "" when it may be personal data
// (a long number, as when the header row is missing and a phone number sits in its place) or too
// long to be a column name.
func safeHeader(t string) string {
	if longDigits(fold(t), 6) || utf8.RuneCountInString(t) > 30 || strings.ContainsFunc(t, unicode.IsControl) {
		return ""
	}
	return t
}

// longDigits reports whether s holds a run of at least n ASCII digits.
func longDigits(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if run++; run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}
