package fields

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text is the rule for a text field of a request (a name, an address, a note): what it accepts,
// so that every area trims and refuses text alike.
type Text struct {
	Max       int  // the most characters (runes) it may hold
	Required  bool // an empty field (after trimming) is refused
	Multiline bool // newlines and tabs are allowed; other control characters never are
}

// Clean trims s and returns it with the key of the reason it is unacceptable, or "" when it is
// acceptable: "required" when empty and required, "format" when it holds control characters or
// invalid UTF-8 (which PostgreSQL would refuse or a page would show garbled), "too_long" when it is
// longer than Max characters.
func (t Text) Clean(s string) (string, string) {
	s = strings.TrimSpace(s)
	bad := func(r rune) bool {
		return unicode.IsControl(r) && !(t.Multiline && (r == '\n' || r == '\r' || r == '\t'))
	}
	switch {
	case s == "" && t.Required:
		return s, "required"
	case !utf8.ValidString(s) || strings.ContainsFunc(s, bad):
		return s, "format"
	case utf8.RuneCountInString(s) > t.Max:
		return s, "too_long"
	}
	return s, ""
}
