package identity

import (
	"errors"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "13812345678", "13812345678"},
		{"surrounding spaces", "  13812345678\t", "13812345678"},
		{"grouped with spaces", " 138 1234 5678 ", "13812345678"},
		{"grouped with dashes", "138-1234-5678", "13812345678"},
		{"ideographic and no-break spaces", "138\u30001234\u00a05678", "13812345678"},
		{"plus 86", "+8613812345678", "13812345678"},
		{"plus 86 spaced", "+86 199 0000 1111", "19900001111"},
		{"plus 86 dashed", "+86-166-0000-1111", "16600001111"},
		{"0086", "008615712345678", "15712345678"},
		{"86", "8618912345678", "18912345678"},
		{"86 spaced", "86 189 1234 5678", "18912345678"},
		{"lowest second digit", "13000000000", "13000000000"},
		{"highest second digit", "19999999999", "19999999999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizePhone(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestNormalizePhoneInvalid(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"spaces only", "   "},
		{"10 digits", "1381234567"},
		{"12 digits", "138123456789"},
		{"leading 12", "12812345678"},
		{"leading 10", "10012345678"},
		{"leading 11", "11012345678"},
		{"not starting with 1", "23812345678"},
		{"landline with area code", "0571-87654321"},
		{"landline 86 prefix", "+86 571 8765 4321"},
		{"letter", "1381234567a"},
		{"letter inside", "138-abcd-5678"},
		{"full-width digits", "１３８１２３４５６７８"},
		{"other country", "+1 202 555 0123"},
		{"86 and 12 digits", "86138123456789"},
		{"two prefixes", "+86008613812345678"},
		{"plus inside", "138+12345678"},
		{"parentheses", "(+86)13812345678"},
		{"dot separated", "138.1234.5678"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := NormalizePhone(tt.in); !errors.Is(err, ErrPhoneInvalid) {
				t.Errorf("NormalizePhone(%q) = %q, %v; want ErrPhoneInvalid", tt.in, got, err)
			}
		})
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{"19900001111", "199****1111"},
		{"", ""},
		{"7", "*"},
		{"78", "**"},
		{"12345", "***45"},
		{"+8613812345678", "************78"},
		{"电话号码很长的", "*****长的"},
	}
	for _, tt := range tests {
		if got := MaskPhone(tt.in); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
