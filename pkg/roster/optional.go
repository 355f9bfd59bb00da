package roster

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"timebank/pkg/identity"
)

// The optional columns: gender, birth date, the other system's volunteer number, skills and
// service categories. An empty cell in them is never an error.

// parseGender reads a gender cell: 男/女 as people write them, English words, and the codes of
// GB/T 2261.1 (1 male, 2 female, 0 unknown, 9 unstated). Unknown or unstated is "" and ok.
func parseGender(s string) (identity.Gender, bool) {
	switch strings.ToLower(fold(s)) {
	case "男", "男性", "m", "male", "1":
		return identity.Male, true
	case "女", "女性", "f", "female", "2":
		return identity.Female, true
	case "", "未知", "未说明", "0", "9":
		return "", true
	}
	return "", false
}

// checkVolunteerNo returns the other system's volunteer number, "" for an empty cell, or the
// reason it is refused.
func checkVolunteerNo(s string) (string, string) {
	if s == "" {
		return "", ""
	}
	s = numberish(s)
	if scientific.MatchString(s) {
		return "", "volunteer_no_as_number"
	}
	if wholeFloat.MatchString(s) {
		s = s[:strings.IndexByte(s, '.')]
	}
	if len(s) > 32 || strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_')
	}) {
		return "", "volunteer_no_invalid"
	}
	return s, ""
}

// checkList splits a list cell into at most 20 items of at most 50 characters.
func checkList(s, reasonPrefix string) ([]string, string) {
	items := splitList(s)
	if len(items) > 20 {
		return nil, reasonPrefix + "_too_long"
	}
	for _, it := range items {
		if strings.ContainsFunc(it, unicode.IsControl) || !utf8.ValidString(it) {
			return nil, reasonPrefix + "_invalid"
		}
		if utf8.RuneCountInString(it) > 50 {
			return nil, reasonPrefix + "_too_long"
		}
	}
	return items, ""
}

// parseBirthDate reads the ways a date is written in Chinese spreadsheets — 1990-01-31,
// 1990/1/31, 1990.1.31, 1990年1月31日, 19900131, with or without a time after it — and, in an
// XLSX, the serial number behind a date cell. It returns midnight UTC, as the resident ID's date.
func (c *checker) parseBirthDate(s string) (time.Time, bool) {
	s = fold(s)
	if c.serialDates {
		if n, err := strconv.ParseFloat(s, 64); err == nil && n >= 1 && n < 100000 {
			if t, err := excelDate(n, c.date1904); err == nil {
				return c.bounded(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC))
			}
			return time.Time{}, false
		}
	}
	if i := strings.IndexAny(s, " T"); i > 0 {
		s = s[:i]
	}
	s = strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-").Replace(s)
	var y, m, d int
	var err error
	if parts := strings.Split(s, "-"); len(parts) == 3 {
		y, err = strconv.Atoi(parts[0])
		if err == nil {
			m, err = strconv.Atoi(parts[1])
		}
		if err == nil {
			d, err = strconv.Atoi(parts[2])
		}
	} else if len(s) == 8 {
		y, err = strconv.Atoi(s[:4])
		if err == nil {
			m, err = strconv.Atoi(s[4:6])
		}
		if err == nil {
			d, err = strconv.Atoi(s[6:])
		}
	} else {
		return time.Time{}, false
	}
	if err != nil || m < 1 || m > 12 || d < 1 || d > 31 || y < 1000 || y > 9999 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 2 月 30 日 rolled over into March
		return time.Time{}, false
	}
	return c.bounded(t)
}

// bounded accepts birth dates from 1900 to today, the range resident IDs accept.
func (c *checker) bounded(t time.Time) (time.Time, bool) {
	y, m, d := c.now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if t.Year() < 1900 || t.After(today) {
		return time.Time{}, false
	}
	return t, true
}
