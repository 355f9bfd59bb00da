package pages

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/pkg/activity"
	"timebank/pkg/identity"
	"timebank/web/guard"
	"timebank/web/request"
)

// manualView is the page of hours added by hand (补录) at an activity: the form to add them, and
// those waiting for a second person's approval.
type manualView struct {
	Activity activity.Activity
	Pending  []manualLine
	// NotYet says the activity has not ended: hours can be added by hand only afterwards, so the page
	// says when instead of offering a form the service would refuse.
	NotYet bool
	// Failed is the entry whose approval or rejection failed, to show its error beside it.
	Failed int64
}

// manualLine is one entry waiting for approval. Mine says the reader added it: the service lets
// only someone else approve it, so the page offers them only to withdraw it.
type manualLine struct {
	activity.Attendance
	ByName string
	Mine   bool
}

// manualFields are the form's fields: the volunteer by phone number or volunteer number, the time
// as minutes or as from and to, and the reason. decideFields are those of an entry's decision.
var (
	manualFields = []string{"volunteer", "minutes", "from", "to", "reason"}
	decideFields = []string{"att", "action", "decide_reason"}
)

// manualPage shows the form and the entries waiting for a second approval.
func (s *server) manualPage(c *fiber.Ctx) error {
	return s.manualForm(c, fiber.StatusOK, s.fixView(c, "page.act.manual.title"))
}

// manualForm renders the page in v, whose form may hold an entry or a decision that failed.
func (s *server) manualForm(c *fiber.Ctx, status int, v view) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	a, err := s.Activities.Activity(ctx, id)
	if err != nil {
		return err
	}
	pending, err := s.Activities.PendingManual(ctx, id)
	if err != nil {
		return err
	}
	me := guard.By(c).Label()
	data := manualView{Activity: a, NotYet: s.Activities.Now().Before(a.EndsAt)}
	data.Failed, _ = strconv.ParseInt(v.Form.Values["att"], 10, 64)
	names := s.actorNames(v.Lang)
	for _, p := range pending {
		l := manualLine{Attendance: p}
		if p.RequestedBy != nil {
			l.Mine = *p.RequestedBy == me
			if l.ByName, err = names.name(ctx, *p.RequestedBy); err != nil {
				return err
			}
		}
		data.Pending = append(data.Pending, l)
	}
	v.Title = a.Title + " · " + v.Title
	v.Data = data
	return s.render(c, status, "activity_manual", v)
}

// manualSubmit adds hours by hand for a volunteer found by phone number or volunteer number, with
// the time as minutes or from and to (on the activity's day), and a reason. The entry waits for a
// second person's approval.
func (s *server) manualSubmit(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	f := readForm(c, manualFields...)
	m := activity.ManualHours{Reason: c.FormValue("reason")}
	bad := fields.Set{}
	who := strings.TrimSpace(f.Values["volunteer"])
	if who == "" {
		bad["volunteer"] = "required"
	}
	if field, reason := manualMinutes(f.Values, &m.Minutes); reason != "" {
		bad[field] = reason
	}
	if strings.TrimSpace(m.Reason) == "" {
		bad["reason"] = "required"
	}
	if err := bad.Err(activity.ErrInvalid); err != nil {
		return s.manualFailed(c, f, err)
	}
	m.VolunteerNo = who
	if phone, err := identity.NormalizePhone(who); err == nil {
		u, err := s.Users.ByPhone(c.UserContext(), phone)
		if err != nil {
			return s.manualFailed(c, f, err)
		}
		m.VolunteerNo = u.VolunteerNo
	}
	if _, err := s.Activities.AddManual(c.UserContext(), guard.By(c), id, m); err != nil {
		return s.manualFailed(c, f, renameField(err, "volunteer_no", "volunteer"))
	}
	return redirect(c, "/activities/"+strconv.FormatInt(id, 10)+"/manual?done=manual-added")
}

// manualMinutes reads the time of the form into minutes: the minutes when given, else the span from
// "from" to "to" (HH:MM). It returns the wrong field and why, or "" when the time is readable (the
// service checks it against the activity).
func manualMinutes(values map[string]string, minutes *int64) (field, reason string) {
	raw, from, to := strings.TrimSpace(values["minutes"]), strings.TrimSpace(values["from"]), strings.TrimSpace(values["to"])
	if raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 0 {
			return "minutes", "not_a_number"
		}
		*minutes = n
		return "", ""
	}
	if from == "" && to == "" {
		return "minutes", "required"
	}
	start, err := time.Parse("15:04", from)
	if err != nil {
		return "from", "format"
	}
	end, err := time.Parse("15:04", to)
	if err != nil {
		return "to", "format"
	}
	if !end.After(start) {
		return "to", "before_start"
	}
	*minutes = int64(end.Sub(start) / time.Minute)
	return "", ""
}

// manualDecideSubmit approves or rejects one entry of the activity's hours added by hand. The
// service refuses an approval by the person who added the entry; the page offers them no such
// button, and says so if the form is posted anyway.
func (s *server) manualDecideSubmit(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	f := readForm(c, decideFields...)
	attID, err := strconv.ParseInt(f.Values["att"], 10, 64)
	if err != nil || attID <= 0 {
		return s.manualFailed(c, f, activity.ErrAttendanceNotFound)
	}
	att, err := s.Activities.Attendance(c.UserContext(), attID)
	if err == nil && (att.ActivityID != id || att.Source != activity.SourceManual) {
		err = activity.ErrAttendanceNotFound // the rule checked the path's activity, not this one
	}
	if err != nil {
		return s.manualFailed(c, f, err)
	}
	req := activity.VerifyRequest{IDs: []int64{attID}, Action: f.Values["action"], Reason: c.FormValue("decide_reason")}
	if req.Action != activity.ActionApprove && req.Action != activity.ActionReject {
		return s.manualFailed(c, f, fields.New(activity.ErrInvalid, "action", "unknown"))
	}
	if _, err := s.Activities.Verify(c.UserContext(), guard.By(c), req); err != nil {
		return s.manualFailed(c, f, renameField(err, "reason", "decide_reason"))
	}
	done := map[string]string{activity.ActionApprove: "manual-approved", activity.ActionReject: "manual-rejected"}[req.Action]
	return redirect(c, "/activities/"+strconv.FormatInt(id, 10)+"/manual?done="+done)
}

// manualFailed shows the page again with what was wrong beside the fields, an unknown volunteer
// beside the volunteer field.
func (s *server) manualFailed(c *fiber.Ctx, f form, err error) error {
	v := s.fixView(c, "page.act.manual.title")
	status := fiber.StatusUnprocessableEntity
	if errors.Is(err, identity.ErrUserNotFound) {
		f.fail("volunteer", s.msgs.Get(v.Lang, "page.act.manual.volunteer_unknown"))
	} else if status, err = s.failForm(c, &f, err, map[string]string{"attendance-exists": "volunteer"}); err != nil {
		return err
	}
	v.Form = f
	return s.manualForm(c, status, v)
}
