package pages

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/web/problem"
)

// form is a submitted form being shown again: what was entered (never a password) and what is
// wrong, next to each field and in a summary at the top.
type form struct {
	Values map[string]string
	Errors map[string]string // field → translated message
	order  []string          // the form's fields, top to bottom, for the summary
	other  []string          // messages about the form as a whole
}

// formError is one line of the summary; Field is empty for the form as a whole.
type formError struct {
	Field   string
	Message string
}

// maxEcho is the longest value a form shows again; anything longer is no honest typing mistake.
const maxEcho = 200

// readForm takes the posted values of the named fields, in the order the form shows them, to show
// them again. A password field keeps its place in the order, for its error, but never its value.
func readForm(c *fiber.Ctx, fields ...string) form {
	f := form{Values: map[string]string{}, Errors: map[string]string{}, order: fields}
	for _, name := range fields {
		if strings.Contains(name, "password") {
			continue
		}
		v := c.FormValue(name)
		if len(v) > maxEcho || !utf8.ValidString(v) {
			v = ""
		}
		f.Values[name] = v
	}
	return f
}

// fail notes what is wrong with a field, or with the form as a whole when the field is not one of
// the form's.
func (f *form) fail(field, message string) {
	for _, name := range f.order {
		if name == field {
			f.Errors[field] = message
			return
		}
	}
	if !slices.Contains(f.other, message) { // several refused lines may ask for the same summary line
		f.other = append(f.other, message)
	}
}

// Failed reports whether anything is wrong.
func (f form) Failed() bool { return len(f.Errors) > 0 || len(f.other) > 0 }

// Summary lists what is wrong: the form as a whole first, then the fields top to bottom.
func (f form) Summary() []formError {
	var out []formError
	for _, m := range f.other {
		out = append(out, formError{Message: m})
	}
	for _, name := range f.order {
		if m, ok := f.Errors[name]; ok {
			out = append(out, formError{Field: name, Message: m})
		}
	}
	return out
}

// failForm puts a domain error on the form, translated, and returns the status to show the form
// again with. An error that is not the person's to fix (a 5xx) is returned for the error page.
// Field errors land next to their fields; others (a taken phone number, a limit) go to the field
// that fieldOf names for their problem slug, or to the top.
func (s *server) failForm(c *fiber.Ctx, f *form, err error, fieldOf map[string]string) (int, error) {
	status, slug := problem.Classify(err)
	if status >= 500 {
		return 0, err
	}
	lang := s.msgs.Lang(c)
	var fe *fields.Error
	switch {
	case errors.As(err, &fe):
		for field, reason := range fe.Fields() {
			f.fail(field, problem.ReasonMessage(s.msgs, lang, field, reason))
		}
	case slug == "rate-limited":
		secs, _ := strconv.Atoi(string(c.Response().Header.Peek(fiber.HeaderRetryAfter)))
		f.fail("", fmt.Sprintf(s.msgs.Get(lang, "page.form.rate_limited"), max(1, (secs+59)/60)))
	default:
		f.fail(fieldOf[slug], s.msgs.Get(lang, "problem."+slug))
	}
	switch status {
	case fiber.StatusTooManyRequests, fiber.StatusConflict:
		return status, nil
	}
	return fiber.StatusUnprocessableEntity, nil
}

// lineFault is one thing wrong with a request that has lines (an order, a sale, a hand-out, an
// allocation, a donation, a write-off): a field of one of its lines, or of the request itself, with
// the message a page shows for it.
type lineFault struct {
	Line    int    // the line's index in the request, -1 for a field of the request itself
	Field   string // the field within the line ("qty"), or the request's own field ("lines", "note")
	Path    string // the whole JSON path, "lines[2].qty"
	Reason  string
	Message string // the reason's message, or the problem's when the reason has none
}

// linePath matches the field of a line in a refusal: lines[2].qty.
var linePath = regexp.MustCompile(`^lines\[(\d+)\]\.`)

// lineFaults reads a refused request with lines, for a page to put each fault beside its line or
// field: the request's own fields first, then the lines in order. Refused lines (out of stock, over
// a limit …) and malformed fields come alike, as the one field error. ok is false when err names no
// field: the page shows the problem's title instead.
func (s *server) lineFaults(lang string, err error) (faults []lineFault, ok bool) {
	var fe *fields.Error
	if !errors.As(err, &fe) {
		return nil, false
	}
	_, slug := problem.Classify(err)
	for path, reason := range fe.Fields() {
		lf := lineFault{Line: -1, Field: path, Path: path, Reason: reason, Message: problem.LineMessage(s.msgs, lang, reason, slug)}
		if m := linePath.FindStringSubmatch(path); m != nil {
			lf.Line, _ = strconv.Atoi(m[1])
			lf.Field = strings.TrimPrefix(path, m[0])
		}
		faults = append(faults, lf)
	}
	slices.SortFunc(faults, func(a, b lineFault) int { return cmp.Or(a.Line-b.Line, strings.Compare(a.Field, b.Field)) })
	return faults, true
}

// localPath returns next when it is a path on this site, else fallback. An absolute URL, a
// scheme-relative //host, a backslash (browsers read /\host as //host) or a control character
// (browsers drop tabs and newlines, so /<tab>/host becomes //host) would send a person who just
// signed in to another site: an open redirect.
func localPath(next, fallback string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, `\`) ||
		strings.ContainsFunc(next, unicode.IsControl) || !utf8.ValidString(next) {
		return fallback
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") {
		return fallback
	}
	return next
}

// notices are the messages a redirect may ask the next page to show (?notice=…): a fixed list, so
// a link cannot put words of its own on the page.
var notices = map[string]string{
	"region-role-revoked":  "page.region.roles.revoked",
	"service-confirmed":    "page.notice.service_confirmed",
	"service-rated":        "page.notice.service_rated",
	"service-take":         "page.notice.service_take",
	"service-accept":       "page.notice.service_accept",
	"service-start":        "page.notice.service_start",
	"service-finish":       "page.notice.service_finish",
	"service-confirm-code": "page.notice.service_confirm_code",
	"service-assign":       "page.notice.service_assign",
	"service-publish":      "page.notice.service_publish",
	"service-reject":       "page.notice.service_reject",
	"service-confirm":      "page.notice.service_confirm",
	"service-cancel":       "page.notice.service_cancel",
	"service-cancelled":    "page.notice.service_cancelled",
	"service-desk":         "page.notice.service_desk",
	"care-registered":      "page.notice.care_registered",
	"care-changed":         "page.notice.care_changed",
	"care-paired":          "page.notice.care_paired",
	"care-unpaired":        "page.notice.care_unpaired",
	"care-frequency-saved": "page.notice.care_frequency_saved",
	"welcome":              "page.notice.welcome",
	"signed-out":           "page.notice.signed_out",
	"password-changed":     "page.notice.password_changed",
	"password-reset":       "page.notice.password_reset",
	"reset-sent":           "page.notice.reset_sent",
	"holidays-saved":       "page.notice.holidays_saved",
}
