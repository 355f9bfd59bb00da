package org

import (
	"errors"
	"testing"
)

// usccFor completes 17 characters into a valid credit code, computing the check character with the
// weights written out as the standard lists them (not with the code's running product).
func usccFor(body string) string {
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	sum := 0
	for i, w := range weights {
		for v := range len(alphabet) {
			if alphabet[v] == body[i] {
				sum += v * w
			}
		}
	}
	return body + string(alphabet[(31-sum%31)%31])
}

func TestValidateUSCC(t *testing.T) {
	// A company, a social service organization and a social group registered in Haining (330481);
	// the organization code 12345678 has the GB 11714 check character 8.
	valid := []string{
		usccFor("91330481" + "123456788"),
		usccFor("52330481" + "MA2B3C4D" + orgCheck("MA2B3C4D")),
		usccFor("51330481" + "00000000" + orgCheck("00000000")),
	}
	for _, c := range valid {
		if got, err := ValidateUSCC(c); err != nil || got != c {
			t.Errorf("ValidateUSCC(%s): %q %v", c, got, err)
		}
	}
	good := valid[0]
	if got, err := ValidateUSCC(" " + toLower(good) + " "); err != nil || got != good {
		t.Errorf("lower case and spaces: %q %v", got, err)
	}
	for i := range 18 { // every single-character change is caught
		b := []byte(good)
		b[i] = "0123456789ABCDEFGHJKLMNPQRTUWXY"[(indexOf(b[i])+7)%31]
		if _, err := ValidateUSCC(string(b)); err == nil {
			t.Errorf("changed position %d: %s accepted", i, b)
		}
	}
	for _, c := range []struct {
		in   string
		want error
	}{
		{"", ErrUSCCFormat}, {good[:17], ErrUSCCFormat}, {good + "0", ErrUSCCFormat},
		{"91330481I23456788" + "0", ErrUSCCFormat}, {"9133A481123456788" + "0", ErrUSCCFormat},
		{usccFor("91330481" + "123456780"), ErrUSCCChecksum},
	} {
		if _, err := ValidateUSCC(c.in); !errors.Is(err, c.want) {
			t.Errorf("ValidateUSCC(%q): %v, want %v", c.in, err, c.want)
		}
	}
}

func orgCheck(code string) string {
	weights := []int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		c := code[i]
		v := int(c - '0')
		if c >= 'A' {
			v = int(c-'A') + 10
		}
		sum += v * w
	}
	switch r := 11 - sum%11; r {
	case 10:
		return "X"
	case 11:
		return "0"
	default:
		return string(rune('0' + r))
	}
}

func indexOf(c byte) int {
	for i := range 31 {
		if "0123456789ABCDEFGHJKLMNPQRTUWXY"[i] == c {
			return i
		}
	}
	return 0
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func TestDivisionCodes(t *testing.T) {
	for _, c := range []struct {
		code   string
		level  Level
		parent string
	}{
		{"330000000000", Province, ""},
		{"330400000000", City, "330000000000"},
		{"330481000000", County, "330400000000"},
		{"330481", County, "330400000000"},
		{"330481001000", Street, "330481000000"},
		{"330481001001", Community, "330481001000"},
	} {
		l, err := DivisionLevel(c.code)
		if err != nil || l != c.level {
			t.Errorf("DivisionLevel(%s) = %v %v, want %v", c.code, l, err, c.level)
		}
		p, err := ParentDivision(c.code)
		if c.parent == "" && err == nil || c.parent != "" && p != c.parent {
			t.Errorf("ParentDivision(%s) = %q %v, want %q", c.code, p, err, c.parent)
		}
	}
	for _, bad := range []string{"", "33048100000", "3304810010011", "33048100100a", "990000000000",
		"330481000001", "330081000000", "330400001000", "330000000001"} {
		if _, err := DivisionLevel(bad); !errors.Is(err, ErrDivisionCode) {
			t.Errorf("DivisionLevel(%q): %v, want ErrDivisionCode", bad, err)
		}
	}
	if !IsWithin("330481001001", "330000000000") || !IsWithin("330481001001", "330481001001") ||
		IsWithin("330481001001", "330482000000") || IsWithin("330481000000", "330481001000") {
		t.Error("IsWithin")
	}
}
