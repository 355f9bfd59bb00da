package org

import (
	"errors"
	"strings"
)

// Errors of the code validators.
var (
	// ErrUSCCFormat means the text is not 18 characters of the credit-code alphabet.
	ErrUSCCFormat = errors.New("org: unified social credit code must be 18 characters (digits and letters, no I O S V Z)")
	// ErrUSCCChecksum means one of the two check characters does not match (a typo).
	ErrUSCCChecksum = errors.New("org: unified social credit code check character does not match")
	// ErrDivisionCode means the text is not a 12-digit administrative division code of a known shape.
	ErrDivisionCode = errors.New("org: not a valid administrative division code")
)

// usccAlphabet is the character set of GB 32100-2015, in the order of their values 0–30.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// ValidateUSCC checks an 18-character unified social credit code (统一社会信用代码, GB 32100-2015):
// the alphabet, the embedded organization code's own check character (GB 11714, positions 9–17) and
// the final check character. It returns the code in upper case.
func ValidateUSCC(s string) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 18 {
		return "", ErrUSCCFormat
	}
	vals := make([]int, 18)
	for i := range 18 {
		v := strings.IndexByte(usccAlphabet, s[i])
		if v < 0 {
			return "", ErrUSCCFormat
		}
		vals[i] = v
	}
	for i := 2; i < 8; i++ { // the administrative division code
		if s[i] < '0' || s[i] > '9' {
			return "", ErrUSCCFormat
		}
	}
	if !orgCodeOK(s[8:17]) {
		return "", ErrUSCCChecksum
	}
	sum, w := 0, 1
	for i := range 17 {
		sum += vals[i] * w
		w = w * 3 % 31
	}
	if usccAlphabet[(31-sum%31)%31] != s[17] {
		return "", ErrUSCCChecksum
	}
	return s, nil
}

// orgCodeOK checks the 9-character organization code of GB 11714: 8 digits or letters and a check
// character (a digit or X).
func orgCodeOK(c string) bool {
	weights := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 8 {
		switch ch := c[i]; {
		case ch >= '0' && ch <= '9':
			sum += int(ch-'0') * weights[i]
		case ch >= 'A' && ch <= 'Z':
			sum += int(ch-'A'+10) * weights[i]
		default:
			return false
		}
	}
	want := byte('0' + (11-sum%11)%11)
	if (11-sum%11)%11 == 10 {
		want = 'X'
	}
	return c[8] == want
}

// Level is a level of the five-level region tree.
type Level int

// The five levels, from the top.
const (
	Province Level = iota + 1
	City
	County
	Street // street or township (街道/乡镇)
	Community
)

func (l Level) String() string {
	switch l {
	case Province:
		return "province"
	case City:
		return "city"
	case County:
		return "county"
	case Street:
		return "street"
	case Community:
		return "community"
	}
	return "unknown"
}

// normalizeDivision pads a 6-digit code (county and above, as GB/T 2260 writes them) to the
// 12-digit form the statistics bureau uses down to communities.
func normalizeDivision(code string) (string, bool) {
	code = strings.TrimSpace(code)
	if len(code) == 6 {
		code += "000000"
	}
	if len(code) != 12 {
		return "", false
	}
	for i := range 12 {
		if code[i] < '0' || code[i] > '9' {
			return "", false
		}
	}
	return code, true
}

// provinceCodes are the province-level divisions of GB/T 2260.
var provinceCodes = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82") {
		m[c] = true
	}
	return m
}()

// DivisionLevel returns the level of a 12-digit division code (PP CC DD SSS RRR); a zero part may only
// be followed by zero parts, so a community cannot hang below no street.
func DivisionLevel(code string) (Level, error) {
	c, ok := normalizeDivision(code)
	if !ok || !provinceCodes[c[:2]] {
		return 0, ErrDivisionCode
	}
	parts := []string{c[2:4], c[4:6], c[6:9], c[9:12]}
	level := Province
	for i, p := range parts {
		if strings.Trim(p, "0") == "" {
			for _, rest := range parts[i+1:] {
				if strings.Trim(rest, "0") != "" {
					return 0, ErrDivisionCode
				}
			}
			return level, nil
		}
		level++
	}
	return level, nil
}

// ParentDivision returns the 12-digit code of the division directly above.
func ParentDivision(code string) (string, error) {
	l, err := DivisionLevel(code)
	if err != nil {
		return "", err
	}
	c, _ := normalizeDivision(code)
	keep := map[Level]int{City: 2, County: 4, Street: 6, Community: 9}[l]
	if keep == 0 {
		return "", ErrDivisionCode // a province has no parent
	}
	return c[:keep] + strings.Repeat("0", 12-keep), nil
}

// IsWithin says whether code lies inside (or is) ancestor.
func IsWithin(code, ancestor string) bool {
	for c := code; ; {
		if n, _ := normalizeDivision(c); n != "" {
			if a, _ := normalizeDivision(ancestor); a == n {
				return true
			}
		}
		p, err := ParentDivision(c)
		if err != nil {
			return false
		}
		c = p
	}
}
