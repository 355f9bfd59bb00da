package identity

import (
	"strings"
	"unicode/utf8"
)

// MaskName hides a person's name wherever others may see it (the store's acknowledgements and
// counter, the public certificate check, rankings): the family name stays, every other character
// becomes "*" (张三丰 → 张**). A name of one character is shown as it is.
func MaskName(name string) string {
	n := utf8.RuneCountInString(name)
	if n <= 1 {
		return name
	}
	first, _ := utf8.DecodeRuneInString(name)
	return string(first) + strings.Repeat("*", n-1)
}
