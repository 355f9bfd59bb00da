package pages

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/activity"
)

// actDone are the messages a redirect of these pages may ask the next page to show (?done=…), and
// actFailed the problems it may report (?failed=…): fixed lists, so that a link cannot put words of
// its own on the page.
var (
	actDone = map[string]string{
		"signed-up":   "page.act.done.signed_up",
		"cancelled":   "page.act.done.cancelled",
		"disputed":    "page.act.done.disputed",
		"transferred": "page.act.done.transferred",
		"donated":     "page.act.done.donated",
		"created":     "page.act.done.created",
		"approve":     "page.act.done.approved",
		"adjust":      "page.act.done.adjusted",
		"reject":      "page.act.done.rejected",
		// Changing and cancelling an activity (activity_edit.go, activity_call_off.go).
		"updated":            "page.act.done.updated",
		"activity-cancelled": "page.act.done.activity_cancelled",
	}
	actFailed = map[string]bool{"activity-full": true, "signup-closed": true, "not-signed-up": true, "activity-not-found": true}
)

// actView is newView with the outcome a redirect reported: ?done= as the notice (with ?n= for the
// messages that count), ?failed= in the error summary.
func (s *server) actView(c *fiber.Ctx, titleKey string) view {
	v := s.newView(c, titleKey)
	v.Form = form{Values: map[string]string{}, Errors: map[string]string{}}
	if key, ok := actDone[c.Query("done")]; ok {
		v.Notice = s.msgs.Get(v.Lang, key)
		if strings.Contains(v.Notice, "%d") {
			n, err := strconv.Atoi(c.Query("n"))
			if err != nil || n < 0 || n > activity.MaxBatch {
				n = 0
			}
			v.Notice = fmt.Sprintf(v.Notice, n)
		}
	}
	if slug := c.Query("failed"); actFailed[slug] {
		v.Form.fail("", s.msgs.Get(v.Lang, "problem."+slug))
	}
	return v
}

// withQuery returns the local path with the query parameter set (a path that is not local becomes
// fallback first).
func withQuery(path, fallback, key, value string) string {
	u, err := url.Parse(localPath(path, fallback))
	if err != nil {
		u = &url.URL{Path: fallback}
	}
	q := u.Query()
	q.Del("done")
	q.Del("failed")
	q.Del("n")
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}
