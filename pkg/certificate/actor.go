package certificate

import (
	"strings"
	"unicode/utf8"

	"timebank/fields"
	"timebank/pkg/principal"
)

// checkActor reports who acts as field errors when they cannot be recorded: none, or without the
// display name a certificate prints as its 经办人 (handler). The web layer, which authorized the
// action, gives the principal.
func checkActor(by *principal.Principal, bad fields.Set) {
	if by == nil {
		bad["actor"] = "required"
		return
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(by.Name)); n < 1 || n > 50 || !utf8.ValidString(by.Name) {
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
