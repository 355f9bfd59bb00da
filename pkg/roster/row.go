package roster

import (
	"errors"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"timebank/pkg/identity"
)

// checker validates data rows against a header and remembers the values that must be unique in
// the file.
type checker struct {
	h           header
	now         time.Time
	serialDates bool // XLSX: a date cell reads as its serial number
	date1904    bool
	phones      map[string]int // normalised value → first line
	ids         map[string]int
	numbers     map[string]int
}

func newChecker(h header, now time.Time) *checker {
	return &checker{h: h, now: now, phones: map[string]int{}, ids: map[string]int{}, numbers: map[string]int{}}
}

// rowErrors collects the bad cells of one row.
type rowErrors struct {
	c    *checker
	line int
	errs []RowError
}

func (r *rowErrors) add(col int, reason string, otherLine int) {
	e := RowError{Line: r.line, ColumnNo: col + 1, Reason: reason, OtherLine: otherLine}
	if col < len(r.c.h.texts) {
		e.Column = r.c.h.texts[col]
	}
	e.Message = rowText(e, false)
	r.errs = append(r.errs, e)
}

// check validates one non-empty data row. It returns the volunteer when the row is good, and the
// errors of its bad cells in column order otherwise. Valid phone, ID and volunteer numbers are
// remembered even on a bad row, so that one upload reports every duplicate at once.
func (c *checker) check(line int, cells []string) (Volunteer, []RowError) {
	v := Volunteer{Line: line}
	r := rowErrors{c: c, line: line}
	// Only the first cell under no header is reported: a row of an XLSX can reach 16,384 columns,
	// and the work and the errors of a row must not grow with the width of a hostile sheet.
	for i, s := range cells {
		if s != "" && (i >= len(c.h.fields) || c.h.fields[i] == fieldNone) && clean(s) != "" {
			r.add(i, "cell_without_header", 0)
			break
		}
	}
	col := c.h.index
	cell := map[field]string{}
	for f, i := range col {
		if i < len(cells) {
			cell[f] = clean(cells[i])
		}
	}

	var reason string
	if v.Name, reason = checkName(cell[fieldName]); reason != "" {
		r.add(col[fieldName], reason, 0)
	}
	if v.Phone, reason = checkPhone(cell[fieldPhone]); reason != "" {
		r.add(col[fieldPhone], reason, 0)
	} else if first, dup := c.phones[v.Phone]; dup {
		r.add(col[fieldPhone], "phone_duplicate", first)
	} else {
		c.phones[v.Phone] = line
	}
	if i, ok := col[fieldResidentID]; ok {
		if v.ResidentID, reason = checkResidentID(cell[fieldResidentID], c.now); reason != "" {
			r.add(i, reason, 0)
		} else if first, dup := c.ids[v.ResidentID]; dup && v.ResidentID != "" {
			r.add(i, "resident_id_duplicate", first)
		} else if v.ResidentID != "" {
			c.ids[v.ResidentID] = line
		}
	}
	if v.ResidentID != "" {
		// Both cannot fail: NormalizeResidentID checked the length and the date.
		v.Gender, _ = identity.GenderFromResidentID(v.ResidentID)
		v.BirthDate, _ = identity.BirthDateFromResidentID(v.ResidentID)
	}
	if i, ok := col[fieldGender]; ok {
		g, ok := parseGender(cell[fieldGender])
		switch {
		case !ok:
			r.add(i, "gender_invalid", 0)
		case g != "" && v.ResidentID != "" && g != v.Gender:
			r.add(i, "gender_mismatch", 0)
		case g != "":
			v.Gender = g
		}
	}
	if i, ok := col[fieldBirthDate]; ok && cell[fieldBirthDate] != "" {
		d, ok := c.parseBirthDate(cell[fieldBirthDate])
		switch {
		case !ok:
			r.add(i, "birth_date_invalid", 0)
		case v.ResidentID != "" && !d.Equal(v.BirthDate):
			r.add(i, "birth_date_mismatch", 0)
		default:
			v.BirthDate = d
		}
	}
	if i, ok := col[fieldVolunteerNo]; ok {
		if v.VolunteerNo, reason = checkVolunteerNo(cell[fieldVolunteerNo]); reason != "" {
			r.add(i, reason, 0)
		} else if first, dup := c.numbers[v.VolunteerNo]; dup && v.VolunteerNo != "" {
			r.add(i, "volunteer_no_duplicate", first)
		} else if v.VolunteerNo != "" {
			c.numbers[v.VolunteerNo] = line
		}
	}
	if i, ok := col[fieldSkills]; ok {
		if v.Skills, reason = checkList(cell[fieldSkills], "skills"); reason != "" {
			r.add(i, reason, 0)
		}
	}
	if i, ok := col[fieldServiceCategories]; ok {
		if v.ServiceCategories, reason = checkList(cell[fieldServiceCategories], "service_categories"); reason != "" {
			r.add(i, reason, 0)
		}
	}
	if len(r.errs) > 0 {
		slices.SortStableFunc(r.errs, func(a, b RowError) int { return a.ColumnNo - b.ColumnNo })
		return Volunteer{}, r.errs
	}
	return v, nil
}

// checkName returns the trimmed name or the reason it is refused. Names of Han characters lose the
// spaces that align two-character names in spreadsheets (张　三 is 张三); others keep theirs.
func checkName(s string) (string, string) {
	s = strings.TrimSpace(s)
	if isHanName(s) {
		s = strings.Map(func(r rune) rune {
			if isPadding(r) {
				return -1
			}
			return r
		}, s)
	}
	switch {
	case s == "":
		return "", "name_missing"
	case !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl):
		return "", "name_invalid"
	case utf8.RuneCountInString(s) > 50:
		return "", "name_too_long"
	case longDigits(fold(s), 6):
		return "", "name_number"
	}
	return s, ""
}

// isHanName reports whether s is Han characters, the middle dot of transcribed names, and spaces.
func isHanName(s string) bool {
	han := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			han = true
		case r == '·' || r == '•' || isPadding(r):
		default:
			return false
		}
	}
	return han
}

// isPadding reports whether r is a space that aligns text: ASCII, no-break or ideographic.
func isPadding(r rune) bool { return r == ' ' || r == '\u00a0' || r == '\u3000' }

// checkPhone returns the 11-digit phone number or the reason it is refused.
func checkPhone(s string) (string, string) {
	if s == "" {
		return "", "phone_missing"
	}
	s = numberish(s)
	if scientific.MatchString(s) {
		return "", "phone_as_number"
	}
	if wholeFloat.MatchString(s) {
		s = s[:strings.IndexByte(s, '.')]
	}
	p, err := identity.NormalizePhone(s)
	if err != nil {
		return "", "phone_invalid"
	}
	return p, ""
}

// checkResidentID returns the normalised ID number, "" for an empty cell, or the reason it is
// refused, with the keys the registration form uses.
func checkResidentID(s string, now time.Time) (string, string) {
	if s == "" {
		return "", ""
	}
	s = numberish(s)
	if scientific.MatchString(s) {
		return "", "resident_id_as_number"
	}
	id, err := identity.NormalizeResidentID(s, now)
	switch {
	case err == nil:
		return id, ""
	case errors.Is(err, identity.ErrResidentIDRegion):
		return "", "resident_id_region"
	case errors.Is(err, identity.ErrResidentIDBirthDate):
		return "", "resident_id_birth"
	case errors.Is(err, identity.ErrResidentIDChecksum) && strings.HasSuffix(s, "000"):
		// A number cell keeps 15 significant digits, so an ID that went through one ends in
		// zeros; a typo that happens to end so is rare, and the advice fits both.
		return "", "resident_id_as_number"
	case errors.Is(err, identity.ErrResidentIDChecksum):
		return "", "resident_id_checksum"
	}
	return "", "resident_id_format"
}
