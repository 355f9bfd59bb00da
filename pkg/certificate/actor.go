package certificate

import (
	"strings"
	"unicode/utf8"
)

// Actor is who acts: the principal's label ("user:42") for the record and the audit log, and the
// display name printed on a certificate as its 经办人 (handler). The web layer, which authorized the
// action, gives it.
type Actor struct {
	Label string
	Name  string
}

// check reports a missing or oversized label or name as field errors.
func (a *Actor) check(bad FieldErrors) {
	a.Label, a.Name = strings.TrimSpace(a.Label), strings.TrimSpace(a.Name)
	if a.Label == "" || len(a.Label) > 100 || !utf8.ValidString(a.Label) {
		bad["actor"] = "required"
	}
	if n := utf8.RuneCountInString(a.Name); n < 1 || n > 50 || !utf8.ValidString(a.Name) {
		bad["actor_name"] = "required"
	}
}

// cleanText trims s and reports "required" (when required and empty) or "too_long" as the reason.
func cleanText(s *string, max int, required bool) string {
	*s = strings.TrimSpace(*s)
	switch n := utf8.RuneCountInString(*s); {
	case !utf8.ValidString(*s):
		return "invalid"
	case required && n == 0:
		return "required"
	case n > max:
		return "too_long"
	}
	return ""
}
