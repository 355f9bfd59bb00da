package org

import (
	"errors"
	"strings"
)

// Errors of the code validators.
var (
	// ErrUSCCFormat means the text is not 18 characters of the credit-code alphabet (digits and
	// upper-case letters without I, O, S, V, Z), or positions 3–8 are not six digits.
	ErrUSCCFormat = errors.New("org: unified social credit code must be 18 digits and letters (no I O S V Z)")
	// ErrUSCCChecksum means the check character of the embedded organization code (position 17) or
	// of the whole code (position 18) does not match, which almost always means a typing mistake.
	ErrUSCCChecksum = errors.New("org: unified social credit code check character does not match")
	// ErrDivisionCode means the text is not a 6- or 12-digit administrative division code of a known
	// province whose levels nest (no community under a zero street, no county under a zero city).
	ErrDivisionCode = errors.New("org: not a valid administrative division code")
)

// usccAlphabet is the character set of GB 32100-2015, in the order of their values 0–30.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// ValidateUSCC checks an 18-character unified social credit code (统一社会信用代码, GB 32100-2015) and
// returns it trimmed and in upper case.
//
// Position 1 (registration authority, e.g. 1 government bodies, 5 civil affairs, 9 market
// regulation, Y others) and position 2 (category) accept any character of the alphabet: the standard
// lets authorities add values, and refusing a real organization is worse than admitting an unlikely
// prefix. Positions 3–8 must be digits (the division code, not checked against the tree because
// codes of abolished divisions stay valid). Positions 9–17 are the organization code of GB 11714,
// whose own check character is verified, and position 18 is the check character of the whole code.
func ValidateUSCC(s string) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 18 {
		return "", ErrUSCCFormat
	}
	var vals [18]int
	for i := range 18 {
		v := strings.IndexByte(usccAlphabet, s[i])
		if v < 0 {
			return "", ErrUSCCFormat
		}
		vals[i] = v
	}
	for i := 2; i < 8; i++ {
		if vals[i] > 9 {
			return "", ErrUSCCFormat
		}
	}
	if orgCodeCheck(s[8:16]) != s[16] {
		return "", ErrUSCCChecksum
	}
	// The weights are 3^i mod 31, kept as a running product.
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

// orgCodeCheck computes the GB 11714 check character of the 8-character organization code body
// (digits have their value, letters A=10 … Z=35). The caller has already limited the characters to
// the credit-code alphabet.
func orgCodeCheck(body string) byte {
	weights := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		v := int(body[i] - '0')
		if body[i] >= 'A' {
			v = int(body[i]-'A') + 10
		}
		sum += v * w
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

// Level is a level of the five-level region tree used by the statistics bureau's 12-digit division
// codes (统计用区划代码).
type Level int

// The five levels, from the top.
const (
	Province  Level = iota + 1 // province, autonomous region or municipality (省级)
	City                       // prefecture-level city (地级)
	County                     // county, district or county-level city (县级)
	Street                     // street or township (街道/乡镇)
	Community                  // community or village (社区/村)
)

// String returns the level's English name, which also serves as its translation key suffix.
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

// prefixLen is how many leading digits identify a division of level l, the parts of a 12-digit
// code being PP CC DD SSS RRR; prefixLen(0) is 0 so that the part of level l is always
// code[prefixLen(l-1):prefixLen(l)].
func prefixLen(l Level) int {
	return [...]int{0, 2, 4, 6, 9, 12}[l]
}

// normalizeDivision pads a 6-digit code (county and above, as GB/T 2260 writes them) to 12 digits.
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

// divisionProvince reports whether pp is a province-level code of GB/T 2260, Taiwan, Hong Kong and
// Macau included.
func divisionProvince(pp string) bool {
	n := int(pp[0]-'0')*10 + int(pp[1]-'0')
	switch {
	case n >= 11 && n <= 15, n >= 21 && n <= 23, n >= 31 && n <= 37, n >= 41 && n <= 46,
		n >= 50 && n <= 54, n >= 61 && n <= 65, n == 71, n == 81, n == 82:
		return true
	}
	return false
}

// DivisionLevel returns the level of an administrative division code: 12 digits PPCCDDSSSRRR, or 6
// digits PPCCDD (county and above, as GB/T 2260 prints them) read as if followed by six zeros;
// surrounding spaces are ignored. The level is that of the last non-zero part, and every part
// before it must be non-zero too: 330481000001 (a community under no street) and 330081000000 (a
// county under no city) are refused. The province part must be a known province-level code.
func DivisionLevel(code string) (Level, error) {
	c, ok := normalizeDivision(code)
	if !ok || !divisionProvince(c[:2]) {
		return 0, ErrDivisionCode
	}
	level := Province
	for l := City; l <= Community; l++ {
		if strings.Trim(c[prefixLen(l-1):prefixLen(l)], "0") == "" {
			// A zero part ends the code: everything after it must be zero too.
			if strings.Trim(c[prefixLen(l):], "0") != "" {
				return 0, ErrDivisionCode
			}
			break
		}
		level = l
	}
	return level, nil
}

// ParentDivision returns the 12-digit code of the division directly above code. A province has no
// parent and gives ErrDivisionCode.
func ParentDivision(code string) (string, error) {
	l, err := DivisionLevel(code)
	if err != nil {
		return "", err
	}
	if l == Province {
		return "", ErrDivisionCode
	}
	c, _ := normalizeDivision(code)
	keep := prefixLen(l - 1)
	return c[:keep] + strings.Repeat("0", 12-keep), nil
}

// IsWithin reports whether code lies inside ancestor or is ancestor itself; both may be 6 or 12
// digits. Invalid codes are within nothing, so a bad value never grants access to a region.
func IsWithin(code, ancestor string) bool {
	cl, err1 := DivisionLevel(code)
	al, err2 := DivisionLevel(ancestor)
	if err1 != nil || err2 != nil || al > cl {
		return false
	}
	c, _ := normalizeDivision(code)
	a, _ := normalizeDivision(ancestor)
	keep := prefixLen(al)
	return c[:keep] == a[:keep]
}

// Digits is how many leading digits of a 12-digit code identify a division of the level (2 for a
// province … 12 for a community): every code inside a division starts with its first Digits.
func (l Level) Digits() int {
	if l < Province || l > Community {
		return 0
	}
	return prefixLen(l)
}

// NormalizeDivision returns the 12-digit form of a valid division code (6 or 12 digits) and its
// level. Errors: ErrDivisionCode.
func NormalizeDivision(code string) (string, Level, error) {
	l, err := DivisionLevel(code)
	if err != nil {
		return "", 0, err
	}
	c, _ := normalizeDivision(code)
	return c, l, nil
}
