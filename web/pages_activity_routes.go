package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/web/guard"
)

// activityPageRoutes are the pages of earning hours: what a scanned code opens (/q/<token>), the
// kiosk screen, a volunteer's activities, records, member code and transfers, and a coordinator's
// activities, new activity and verification queue. Forms post to page routes that call the same
// recording service as the JSON API; the kiosk page's script calls the JSON API itself.
func (s *server) activityPageRoutes() {
	get, post := fiber.MethodGet, fiber.MethodPost
	own := guard.SignedIn()
	scans := &scanPages{server: s, codes: s.codes}
	s.handle(get, "/q/:token", guard.Public(), scans.qrPage)
	s.handle(post, "/q/:token", own, scans.scanSubmit)

	s.handle(get, "/activities", own, s.activitiesPage)
	s.handle(post, "/activities/:id/signup", own, s.signupSubmit)
	s.handle(post, "/activities/:id/cancel", own, s.cancelSignupSubmit)
	s.handle(get, "/me/activities", own, s.myActivitiesPage)
	s.handle(get, "/me/records", own, s.myRecordsPage)
	s.handle(get, "/me/records/:id", own, s.myRecordPage)
	s.handle(post, "/me/records/:id/dispute", own, s.disputeSubmit)
	s.handle(get, "/me/code", own, s.memberCodePage)
	s.handle(get, "/me/code/image", own, s.memberCodeImage)
	s.handle(get, "/me/transfer", own, s.transferPage)
	s.handle(post, "/me/transfer", own, s.transferSubmit)

	// The organization comes from the form; the handler checks the caller may act there.
	s.handle(get, "/activities/manage", guard.Allow(access.ReadActivities, nil), s.manageActivitiesPage)
	s.handle(get, "/activities/new", guard.Allow(access.ManageActivities, nil), s.newActivityPage)
	s.handle(post, "/activities", guard.Allow(access.ManageActivities, nil), s.newActivitySubmit)
	kiosk := guard.Allow(access.RunKiosk, s.targets.Activity)
	s.handle(get, "/activities/:id/kiosk", kiosk, s.kioskPage)
	s.handle(get, "/activities/:id/kiosk/code", kiosk, s.kioskCodeImage)
	s.handle(get, "/activities/:id/kiosk/status", kiosk, s.kioskStatus)
	s.handle(get, "/activities/:id/queue", guard.Allow(access.ReadActivities, s.targets.Activity), s.queuePage)
	s.handle(post, "/activities/:id/verify", guard.Allow(access.VerifyHours, s.targets.Activity), s.verifySubmit)
	s.activityCorrectionRoutes()
}

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
