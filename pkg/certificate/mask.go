package certificate

import (
	"strings"
	"unicode/utf8"
)

// MaskName hides a person's name for the public check: the family name stays, every other
// character becomes "*" (张三丰 → 张**), as on the store's acknowledgements.
func MaskName(name string) string {
	n := utf8.RuneCountInString(name)
	if n <= 1 {
		return name
	}
	first, _ := utf8.DecodeRuneInString(name)
	return string(first) + strings.Repeat("*", n-1)
}

// FormatHours writes minutes as hours with up to two decimals (rounded half up), never through a
// float: 90 → "1.5", 20 → "0.33", 600 → "10".
func FormatHours(minutes int64) string {
	sign := ""
	if minutes < 0 {
		sign, minutes = "-", -minutes
	}
	hundredths := (minutes*100 + 30) / 60
	whole, frac := hundredths/100, hundredths%100
	s := sign + itoa(whole)
	switch {
	case frac == 0:
	case frac%10 == 0:
		s += "." + itoa(frac/10)
	default:
		s += "." + string(rune('0'+frac/10)) + string(rune('0'+frac%10))
	}
	return s
}
