package identity

import (
	"errors"
	"strings"
)

// ErrPhoneInvalid means the text is not a mainland China mobile number: after removing separators
// and a +86 / 86 / 0086 country prefix it is not 11 digits starting with 13–19.
var ErrPhoneInvalid = errors.New("identity: not a mainland mobile number")

// NormalizePhone returns the 11-digit form of a mainland China mobile number. It accepts the number
// the way people type or paste it: surrounding white space, inner spaces and dashes, and a +86, 86
// or 0086 country prefix. Landlines, other countries and full-width digits are refused, because
// text messages can only reach mainland mobiles.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '\u00a0' || r == '\u3000':
			// Copied numbers carry no-break spaces, and Chinese input methods type U+3000.
		default:
			return "", ErrPhoneInvalid
		}
	}
	d := b.String()
	// Only one prefix is removed, so "+860086…" cannot pass as a number.
	switch {
	case strings.HasPrefix(d, "+86"):
		d = d[3:]
	case len(d) == 15 && strings.HasPrefix(d, "0086"):
		d = d[4:]
	case len(d) == 13 && strings.HasPrefix(d, "86"):
		d = d[2:]
	}
	if !isMobile(d) {
		return "", ErrPhoneInvalid
	}
	return d, nil
}

// isMobile reports whether d matches ^1[3-9]\d{9}$.
func isMobile(d string) bool {
	if len(d) != 11 || d[0] != '1' || d[1] < '3' || d[1] > '9' {
		return false
	}
	for i := 2; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}

// MaskPhone hides the middle of a phone number for screens and logs: 13812345678 becomes
// 138****5678. Anything that is not 11 characters long (an unnormalized or foreign value) keeps only
// its last two characters, so a mistake upstream never prints a whole number.
func MaskPhone(p string) string {
	r := []rune(p)
	if len(r) == 11 {
		return string(r[:3]) + "****" + string(r[7:])
	}
	if len(r) <= 2 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-2) + string(r[len(r)-2:])
}
