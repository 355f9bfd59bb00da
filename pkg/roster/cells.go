package roster

import (
	"regexp"
	"strings"
)

// clean trims a cell and unwraps ="…", the form some exports give numbers so that Excel keeps
// them as text.
func clean(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 3 && strings.HasPrefix(s, `="`) && strings.HasSuffix(s, `"`) {
		s = strings.TrimSpace(s[2 : len(s)-1])
	}
	return s
}

// fold turns full-width ASCII (０-９, Ｘ, （ …) into ASCII and the ideographic space into a space:
// Chinese input methods type them, and numbers must compare equal however they were typed.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '！' && r <= '～':
			return r - '！' + '!'
		case r == '\u3000':
			return ' '
		}
		return r
	}, s)
}

// numberish prepares a cell that holds a number kept as text (phone, ID, volunteer number):
// full-width folded, inner spaces removed, and the apostrophe some people type to keep Excel from
// converting it dropped.
func numberish(s string) string {
	s = strings.TrimPrefix(fold(s), "'")
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' {
			return -1
		}
		return r
	}, s)
}

// scientific matches a number Excel printed in scientific notation (3.30102E+17): what is left of
// a long number in a column formatted as a number. Its last digits are gone for good.
var scientific = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+$`)

// wholeFloat matches an integer written as a float (13812345678.0), as exports through a
// spreadsheet library often give numbers. Such a phone number has lost nothing.
var wholeFloat = regexp.MustCompile(`^[0-9]+\.0+$`)

// splitList splits a cell of skills or categories on the separators people use in Chinese and
// English lists, dropping empty items and repeats.
func splitList(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case '、', ',', '，', ';', '；', '|', '/', '\n':
			return true
		}
		return false
	})
	var out []string
	seen := map[string]bool{}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}
