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
