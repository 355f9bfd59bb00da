package identity

import (
	"errors"
	"strings"
)

// ErrPhoneInvalid means the text is not a mainland China mobile number.
var ErrPhoneInvalid = errors.New("identity: not a mainland mobile number")

// NormalizePhone returns the 11-digit form of a mainland mobile number, accepting spaces, dashes and
// a +86 / 86 / 0086 country prefix, as people type them.
func NormalizePhone(s string) (string, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u00a0' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	for _, p := range []string{"+86", "0086"} {
		s = strings.TrimPrefix(s, p)
	}
	if len(s) == 13 && strings.HasPrefix(s, "86") {
		s = s[2:]
	}
	if len(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9' {
		return "", ErrPhoneInvalid
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return "", ErrPhoneInvalid
		}
	}
	return s, nil
}

// MaskPhone shows a phone number as 138****5678, for screens and logs.
func MaskPhone(p string) string {
	if len(p) == 11 {
		return p[:3] + "****" + p[7:]
	}
	if len(p) <= 2 {
		return strings.Repeat("*", len(p))
	}
	return strings.Repeat("*", len(p)-2) + p[len(p)-2:]
}
