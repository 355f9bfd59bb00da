package problem

import "timebank/web/i18n"

// ReasonMessage is the message of a field refused for a reason: the field's own where the
// catalogues have one (reason.ends_at.too_long: the activity is too long, not the text), else the
// reason's (reason.too_long).
func ReasonMessage(msgs i18n.Messages, lang, field, reason string) string {
	if m, ok := msgs[lang]["reason."+field+"."+reason]; ok {
		return m
	}
	return msgs.Get(lang, "reason."+reason)
}
