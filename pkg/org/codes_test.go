package org

import (
	"errors"
	"strings"
	"testing"
)

// testAlphabet is the GB 32100 alphabet, written out again so a typo in the code's copy shows.
const testAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccFor completes 17 characters into a credit code, with the weights listed in the standard
// rather than the code's running product, and the check value found by search: the c that makes
// sum + c ≡ 0 (mod 31).
func usccFor(body string) string {
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i, w := range weights {
		sum += strings.IndexByte(testAlphabet, body[i]) * w
	}
	for c := range 31 {
		if (sum+c)%31 == 0 {
			return body + string(testAlphabet[c])
		}
	}
	panic("unreachable")
}

// orgCode completes 8 characters into a GB 11714 organization code, again by search: the check
// value c (X for 10) makes the weighted sum plus c ≡ 0 (mod 11).
func orgCode(body string) string {
	weights := []int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += strings.IndexByte("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", body[i]) * w
	}
	for c := range 11 {
		if (sum+c)%11 == 0 {
			return body + string("0123456789X"[c])
		}
	}
	panic("unreachable")
}

func TestValidateUSCC(t *testing.T) {
	tests := []struct{ name, in, want string }{
		// Codes printed on the business licences of large companies.
		{"published, Shenzhen", "914403001922038216", "914403001922038216"},
		{"published, Shenzhen, check X in org code", "9144030071526726XG", "9144030071526726XG"},
		{"published, Shenzhen, letter check", "91440300708461136T", "91440300708461136T"},
		{"published, Hangzhou", "91330100799655058B", "91330100799655058B"},
		{"published, Beijing", "91110000802100433B", "91110000802100433B"},
		{"company in Haining", usccFor("91330481" + orgCode("12345678")), ""},
		{"social service organization", usccFor("52330481" + orgCode("MA2B3C4D")), ""},
		{"social group", usccFor("51330481" + orgCode("00000000")), ""},
		{"foundation", usccFor("53330000" + orgCode("50012345")), ""},
		{"other authority Y", usccFor("Y1330481" + orgCode("MA27U8X8")), ""},
		{"org code check 0", usccFor("91330481" + orgCode("00000001")), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			if want == "" {
				want = tt.in
			}
			got, err := ValidateUSCC(tt.in)
			if err != nil || got != want {
				t.Errorf("ValidateUSCC(%q) = %q, %v; want %q", tt.in, got, err, want)
			}
		})
	}
	if got, err := ValidateUSCC(" 9144030071526726xg\t"); err != nil || got != "9144030071526726XG" {
		t.Errorf("lower case and spaces: %q, %v", got, err)
	}
}

// Every change of one character to another alphabet member must be caught: the final check is
// over a prime modulus with non-zero weights.
func TestValidateUSCCSingleChanges(t *testing.T) {
	for _, good := range []string{"914403001922038216", usccFor("52330481" + orgCode("MA2B3C4D"))} {
		for i := range 18 {
			for _, c := range []byte(testAlphabet) {
				if c == good[i] {
					continue
				}
				bad := good[:i] + string(c) + good[i+1:]
				if _, err := ValidateUSCC(bad); err == nil {
					t.Errorf("%s (position %d changed) accepted", bad, i+1)
				}
			}
		}
	}
}

func TestValidateUSCCInvalid(t *testing.T) {
	good := "914403001922038216"
	tests := []struct {
		name, in string
		want     error
	}{
		{"empty", "", ErrUSCCFormat},
		{"17 characters", good[:17], ErrUSCCFormat},
		{"19 characters", good + "0", ErrUSCCFormat},
		{"letter I", "91440300I922038216", ErrUSCCFormat},
		{"letter O", "9144030O1922038216", ErrUSCCFormat},
		{"letter Z", "Z14403001922038216", ErrUSCCFormat},
		{"letter S", "9S4403001922038216", ErrUSCCFormat},
		{"letter V", "91440300192203821V", ErrUSCCFormat},
		{"letter in division code", usccFor("9133A481" + orgCode("12345678")), ErrUSCCFormat},
		{"full-width digit", "９14403001922038216", ErrUSCCFormat},
		{"hyphen", "91440300-192203821", ErrUSCCFormat},
		{"old 15-digit registration number", "330481000012345", ErrUSCCFormat},
		{"wrong final check", "914403001922038217", ErrUSCCChecksum},
		{"wrong org code check, final check right", usccFor("91440300192203820"), ErrUSCCChecksum},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := ValidateUSCC(tt.in); !errors.Is(err, tt.want) {
				t.Errorf("ValidateUSCC(%q) = %q, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestDivisionLevel(t *testing.T) {
	tests := []struct {
		name, code string
		level      Level
		parent     string // empty for a province
	}{
		{"Zhejiang", "330000000000", Province, ""},
		{"Zhejiang, 6 digits", "330000", Province, ""},
		{"Jiaxing", "330400000000", City, "330000000000"},
		{"Haining", "330481000000", County, "330400000000"},
		{"Haining, 6 digits", "330481", County, "330400000000"},
		{"Haining, spaces", " 330481 ", County, "330400000000"},
		{"Xiashi street", "330481001000", Street, "330481000000"},
		{"community in Xiashi", "330481001001", Community, "330481001000"},
		{"township numbered 100", "330481100000", Street, "330481000000"},
		{"village numbered 200", "330481100200", Community, "330481100000"},
		{"Beijing district", "110101000000", County, "110100000000"},
		{"Hong Kong", "810000000000", Province, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := DivisionLevel(tt.code)
			if err != nil || l != tt.level {
				t.Errorf("DivisionLevel(%q) = %v, %v; want %v", tt.code, l, err, tt.level)
			}
			p, err := ParentDivision(tt.code)
			switch {
			case tt.parent == "" && !errors.Is(err, ErrDivisionCode):
				t.Errorf("ParentDivision(%q) = %q, %v; want ErrDivisionCode", tt.code, p, err)
			case tt.parent != "" && (err != nil || p != tt.parent):
				t.Errorf("ParentDivision(%q) = %q, %v; want %q", tt.code, p, err, tt.parent)
			}
		})
	}
}

func TestDivisionLevelInvalid(t *testing.T) {
	tests := []struct{ name, code string }{
		{"empty", ""},
		{"11 digits", "33048100100"},
		{"13 digits", "3304810010011"},
		{"7 digits", "3304810"},
		{"letter", "33048100100a"},
		{"full-width digits", "３３０４８１"},
		{"unknown province 99", "990000000000"},
		{"unknown province 00", "000000000000"},
		{"province 83 is only for ID numbers", "830000000000"},
		{"community under no street", "330481000001"},
		{"county under no city", "330081000000"},
		{"street under no county", "330400001000"},
		{"community directly under a province", "330000000001"},
		{"street under no city", "330001001000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if l, err := DivisionLevel(tt.code); !errors.Is(err, ErrDivisionCode) {
				t.Errorf("DivisionLevel(%q) = %v, %v; want ErrDivisionCode", tt.code, l, err)
			}
			if p, err := ParentDivision(tt.code); !errors.Is(err, ErrDivisionCode) {
				t.Errorf("ParentDivision(%q) = %q, %v; want ErrDivisionCode", tt.code, p, err)
			}
		})
	}
}

func TestIsWithin(t *testing.T) {
	tests := []struct {
		code, ancestor string
		want           bool
	}{
		{"330481001001", "330000000000", true},
		{"330481001001", "330400", true},
		{"330481001001", "330481", true},
		{"330481001001", "330481001000", true},
		{"330481001001", "330481001001", true},
		{"330481", "330481000000", true},
		{"330481001001", "330481001002", false},
		{"330481001001", "330482000000", false},
		{"330481001001", "320000000000", false},
		{"330481000000", "330481001000", false},
		{"330000000000", "330400000000", false},
		{"330481000001", "330000000000", false}, // invalid code
		{"330481001001", "330081000000", false}, // invalid ancestor
		{"", "", false},
	}
	for _, tt := range tests {
		if got := IsWithin(tt.code, tt.ancestor); got != tt.want {
			t.Errorf("IsWithin(%q, %q) = %v, want %v", tt.code, tt.ancestor, got, tt.want)
		}
	}
}

func TestLevelString(t *testing.T) {
	for l, want := range map[Level]string{Province: "province", City: "city", County: "county",
		Street: "street", Community: "community", 0: "unknown", 6: "unknown"} {
		if got := l.String(); got != want {
			t.Errorf("Level(%d).String() = %q, want %q", int(l), got, want)
		}
	}
}
