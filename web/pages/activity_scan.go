package pages

import (
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/ledger"
	"timebank/pkg/activity"
	"timebank/pkg/chinatime"
	"timebank/pkg/qr"
	"timebank/web/guard"
	"timebank/web/problem"
)

// scanPages are what a scanned code opens: a phone's camera or WeChat reads BASE_URL/q/<token>
// and opens it here. They read which activity a check-in code names with the service's signer, to
// know before the scan whether to ask for the phone's position; the scan itself is the recording
// service's to judge.
type scanPages struct {
	*server
	codes *qr.Signer
}

// scanView is the page of a kiosk code: first the step that sends the scan (with the phone's
// position when the activity has a place to be inside of), then what the scan did.
type scanView struct {
	Path        string // where the scan is posted: /q/<token>
	Activity    string
	CheckOut    bool // the kiosk's check-out code (a check-in code checks out too, once in)
	AskPosition bool
	ScannedAt   string       // a held scan's time of day: it counts from then
	Result      *scanOutcome // nil until the scan has been made
}

// scanOutcome is a scan's result as the volunteer reads it, big, on a phone.
type scanOutcome struct {
	OK       bool
	Action   string // checked_in, checked_out or unchanged; the problem slug when not OK
	Headline string
	Detail   string
	Hint     string
	Outside  bool // the phone seemed outside the activity's area: the coordinator will look
}

// qrPage dispatches by the code's type, its first character: a kiosk code checks the volunteer in
// or out, a receipt code is verified for anyone, and a member or pickup code opened on a phone
// explains that it is meant for the scanner at the counter or kiosk. A certificate's code is not
// one of these: it is signed with Ed25519 and opens /c/<code> (certificateCheckPage).
func (s *scanPages) qrPage(c *fiber.Ctx) error {
	token := qr.FromScan(c.Params("token"))
	var t qr.Type
	if token != "" {
		t = qr.Type(token[0])
	}
	switch t {
	case qr.CheckIn, qr.CheckOut:
		return s.scanPage(c, token)
	case qr.Receipt:
		return s.receiptCheckPage(c, token)
	case qr.Certificate:
		return s.qrInfoPage(c, fiber.StatusOK, "certificate")
	case qr.Member, qr.Pickup:
		return s.qrInfoPage(c, fiber.StatusOK, "counter")
	case qr.ServiceDesk:
		return s.serviceAskPage(c, token)
	case qr.ServiceVisit:
		return s.serviceVisitPage(c, token)
	case qr.CareCard:
		return careCardScanned(c, token)
	}
	return s.qrInfoPage(c, fiber.StatusBadRequest, "unknown")
}

// scanPage shows the step before a kiosk code's scan. A visitor not signed in has the scan held
// (holdScan), to be made after signing in with the time of this request. The page's script posts the scan at once, after asking for the position when the activity has
// one; without the script, the volunteer taps the button.
func (s *scanPages) scanPage(c *fiber.Ctx, token string) error {
	if p := guard.Principal(c); p == nil || p.UserID == 0 {
		return s.holdScan(c, token)
	}
	v := s.newView(c, "page.act.scan.title")
	claims, err := s.codes.Parse(token, time.Now())
	if err != nil {
		return s.scanFailed(c, v, err)
	}
	a, err := s.Activities.Activity(c.UserContext(), claims.Subject)
	if err != nil {
		return s.scanFailed(c, v, err)
	}
	v.Data = scanView{Path: "/q/" + token, Activity: a.Title, CheckOut: claims.Type == qr.CheckOut,
		AskPosition: a.Latitude != nil && a.Longitude != nil && a.RadiusM != nil}
	return s.render(c, fiber.StatusOK, "activity_scan", v)
}

// scanSubmit makes the scan with the position the page sent, if any: used once to decide inside or
// outside the activity's radius, and never kept.
func (s *scanPages) scanSubmit(c *fiber.Ctx) error {
	token := qr.FromScan(c.Params("token"))
	sc := activity.Scan{Token: token, Position: positionOf(c)}
	v := s.newView(c, "page.act.scan.title")
	res, err := s.Activities.ScanKiosk(c.UserContext(), guard.Principal(c).UserID, sc)
	if err != nil {
		return s.scanFailed(c, v, err)
	}
	v.Data = scanView{Path: "/q/" + token, Activity: res.ActivityTitle, Result: s.scanDone(v.Lang, res)}
	return s.render(c, fiber.StatusOK, "activity_scan", v)
}

// scanDone words what a successful scan did.
func (s *scanPages) scanDone(lang string, res activity.ScanResult) *scanOutcome {
	att := res.Attendance
	o := &scanOutcome{OK: true, Action: res.Action}
	in := clockOf(att.CheckInAt)
	switch {
	case res.Action == activity.ActionCheckedIn:
		o.Headline = s.msgs.Get(lang, "page.act.scan.checked_in")
		o.Detail = fmt.Sprintf(s.msgs.Get(lang, "page.act.scan.checked_in_at"), in)
		o.Hint = s.msgs.Get(lang, "page.act.scan.checkout_hint")
		o.Outside = att.InsideAtCheckIn != nil && !*att.InsideAtCheckIn
	case res.Action == activity.ActionCheckedOut:
		o.Headline = s.msgs.Get(lang, "page.act.scan.checked_out")
		o.Detail = fmt.Sprintf(s.msgs.Get(lang, "page.act.scan.checked_out_at"), in, clockOf(att.CheckOutAt),
			ledger.FormatHours(servedMinutes(att)))
		o.Hint = s.msgs.Get(lang, "page.act.scan.pending_hint")
		o.Outside = att.InsideAtCheckOut != nil && !*att.InsideAtCheckOut
	case att.Status == activity.StatusOpen:
		o.Headline = s.msgs.Get(lang, "page.act.scan.already_in")
		o.Detail = fmt.Sprintf(s.msgs.Get(lang, "page.act.scan.checked_in_at"), in)
		o.Hint = s.msgs.Get(lang, "page.act.scan.again_hint")
	default:
		o.Headline = s.msgs.Get(lang, "page.act.scan.already_out")
		o.Detail = fmt.Sprintf(s.msgs.Get(lang, "page.act.scan.checked_out_at"), in, clockOf(att.CheckOutAt),
			ledger.FormatHours(servedMinutes(att)))
	}
	return o
}

// scanFailHints say what to do about a refused scan, where there is more to say than the problem's
// title: above all, that a kiosk code changes every half minute, so a photo of it soon fails.
var scanFailHints = map[string]string{
	"token-expired":      "page.act.scan.expired_hint",
	"token-invalid":      "page.act.scan.invalid_hint",
	"token-malformed":    "page.act.scan.invalid_hint",
	"token-wrong-type":   "page.act.scan.invalid_hint",
	"not-signed-up":      "page.act.scan.signup_hint",
	"check-in-not-open":  "page.act.scan.not_open_hint",
	"activity-not-found": "page.act.scan.invalid_hint",
}

// scanFailed shows why a scan was refused, with the problem's status. A fault of the server is
// left to the error page.
func (s *server) scanFailed(c *fiber.Ctx, v view, err error) error {
	status, slug := problem.Classify(err)
	if status >= 500 {
		return err
	}
	o := &scanOutcome{Action: slug, Headline: s.msgs.Get(v.Lang, "page.act.scan.failed"),
		Detail: s.msgs.Get(v.Lang, "problem."+slug)}
	if key, ok := scanFailHints[slug]; ok {
		o.Hint = s.msgs.Get(v.Lang, key)
	}
	v.Data = scanView{Result: o}
	return s.render(c, status, "activity_scan", v)
}

// clockOf is the time of day in China Standard Time, "09:02"; "" for none.
func clockOf(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(chinatime.Zone()).Format("15:04")
}

// servedMinutes is the time between check-in and check-out in whole minutes: what the volunteer
// sees at once. The verified hours follow the organization's rules and may differ.
func servedMinutes(a activity.Attendance) int64 {
	if a.CheckInAt == nil || a.CheckOutAt == nil {
		return 0
	}
	return int64(a.CheckOutAt.Sub(*a.CheckInAt) / time.Minute)
}
