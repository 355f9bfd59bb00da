package pages

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/activity"
	"timebank/web/guard"
)

// cookiePendingScan keeps a kiosk scan made in a browser that was not signed in: the held scan,
// signed by the service, for that browser only (HttpOnly, never shown to a script or in a URL).
// It is cleared when the scan is made, and lives no longer than the held scan itself.
const cookiePendingScan = "tb_scan"

// pendingPath is where a held scan is confirmed once the person has signed in or registered.
const pendingPath = "/scan"

// holdScan is scanPage for a visitor who is not signed in, as a phone opened from WeChat or the
// camera usually is: the code is checked now, the moment of the scan kept in a held scan, and the
// visitor sent to sign in (or to register, a link away), to come back to pendingPath. A code that
// is forged or expired is refused now, as a scan would be.
func (s *scanPages) holdScan(c *fiber.Ctx, token string) error {
	pending, err := s.Activities.HoldScan(token)
	if err != nil {
		return s.scanFailed(c, s.newView(c, "page.act.scan.title"), err)
	}
	s.guard.SetCookie(c, cookiePendingScan, pending, int(activity.PendingScanTTL/time.Second))
	return redirect(c, "/login?next="+pendingPath)
}

// pendingNote tells the sign-in and registration pages that a scan waits for them.
type pendingNote struct {
	Text string // "Your check-in at 09:02 for 社区助老 is kept: …"
}

// pendingScanNote reads the browser's held scan, if any, for the banner above the sign-in and
// registration forms; nil when there is none or it can no longer be used.
func (s *server) pendingScanNote(c *fiber.Ctx, lang string) *pendingNote {
	pending := c.Cookies(cookiePendingScan)
	if pending == "" {
		return nil
	}
	p, err := s.Activities.ReadPendingScan(pending)
	if err != nil {
		return nil
	}
	a, err := s.Activities.Activity(c.UserContext(), p.ActivityID)
	if err != nil {
		return nil
	}
	key := "page.scan.pending_in"
	if p.CheckOut {
		key = "page.scan.pending_out"
	}
	until := p.ScannedAt.Add(activity.PendingScanTTL)
	return &pendingNote{Text: fmt.Sprintf(s.msgs.Get(lang, key), clockOf(&p.ScannedAt), a.Title, clockOf(&until))}
}

// pendingPage shows the held scan's step once the person has signed in: the same page as a scan
// made signed in, whose script sends it at once (with the phone's position when the activity asks
// for it). The scan counts from when the code was scanned.
func (s *scanPages) pendingPage(c *fiber.Ctx) error {
	v := s.newView(c, "page.act.scan.title")
	pending := c.Cookies(cookiePendingScan)
	if pending == "" {
		return s.noPendingScan(c, v)
	}
	p, err := s.Activities.ReadPendingScan(pending)
	if err == nil {
		var a activity.Activity
		if a, err = s.Activities.Activity(c.UserContext(), p.ActivityID); err == nil {
			v.Data = scanView{Path: pendingPath, Activity: a.Title, CheckOut: p.CheckOut, ScannedAt: clockOf(&p.ScannedAt),
				AskPosition: a.Latitude != nil && a.Longitude != nil && a.RadiusM != nil}
			return s.render(c, fiber.StatusOK, "activity_scan", v)
		}
	}
	s.guard.SetCookie(c, cookiePendingScan, "", -1)
	return s.scanFailed(c, v, err)
}

// pendingSubmit makes the held scan for the person now signed in, once: the cookie is cleared
// whatever the outcome, and the held scan itself is spent, so a copy of it does nothing either.
func (s *scanPages) pendingSubmit(c *fiber.Ctx) error {
	v := s.newView(c, "page.act.scan.title")
	pending := c.Cookies(cookiePendingScan)
	s.guard.SetCookie(c, cookiePendingScan, "", -1)
	if pending == "" {
		return s.noPendingScan(c, v)
	}
	res, err := s.Activities.ApplyScan(c.UserContext(), guard.Principal(c).UserID, pending, positionOf(c))
	if err != nil {
		return s.scanFailed(c, v, err)
	}
	v.Data = scanView{Path: pendingPath, Activity: res.ActivityTitle, Result: s.scanDone(v.Lang, res)}
	return s.render(c, fiber.StatusOK, "activity_scan", v)
}

// noPendingScan answers pendingPath when the browser holds no scan: it was made already, it
// expired, or it was never held here.
func (s *scanPages) noPendingScan(c *fiber.Ctx, v view) error {
	v.Data = scanView{Result: &scanOutcome{Action: "no-pending-scan", Headline: s.msgs.Get(v.Lang, "page.scan.none"),
		Detail: s.msgs.Get(v.Lang, "page.scan.none_detail")}}
	return s.render(c, fiber.StatusNotFound, "activity_scan", v)
}

// positionOf reads the position a scan page sent, if any and if it is a position on Earth.
func positionOf(c *fiber.Ctx) *activity.Position {
	lat, err1 := strconv.ParseFloat(c.FormValue("lat"), 64)
	lng, err2 := strconv.ParseFloat(c.FormValue("lng"), 64)
	if pos := (activity.Position{Lat: lat, Lng: lng}); err1 == nil && err2 == nil && pos.Valid() {
		return &pos
	}
	return nil
}
