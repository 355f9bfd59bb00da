package pages

import (
	"strconv"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/pkg/activity"
	"timebank/web/guard"
)

// callOffView is the form that cancels an activity: what is cancelled, who will be told, a reason
// and a box to tick.
type callOffView struct {
	activity.Activity
	When string // the day with its weekday and the hours
	Over bool   // it has ended: nothing to cancel
}

// callOffPage shows the cancellation form; an activity already cancelled is shown as such on its
// own page.
func (s *server) callOffPage(c *fiber.Ctx) error {
	a, err := s.activityOfPath(c)
	if err != nil {
		return err
	}
	if a.Status == activity.StatusActivityCancelled {
		return redirect(c, "/activities/"+strconv.FormatInt(a.ID, 10))
	}
	return s.callOffForm(c, fiber.StatusOK, s.actView(c, "page.act.call_off.title"), a)
}

func (s *server) callOffForm(c *fiber.Ctx, status int, v view, a activity.Activity) error {
	v.Data = callOffView{Activity: a, When: s.whenText(v.Lang, a), Over: !s.Activities.Now().Before(a.EndsAt)}
	return s.render(c, status, "activity_call_off", v)
}

// callOffSubmit cancels the activity with the reason once the box is ticked, and goes back to the
// coordinator's activities. Sent again (a double tap, a reload), it finds the activity cancelled
// and goes back the same way.
func (s *server) callOffSubmit(c *fiber.Ctx) error {
	a, err := s.activityOfPath(c)
	if err != nil {
		return err
	}
	f := readForm(c, "reason", "confirm")
	// The reason may be longer than readForm shows again; the service checks it.
	reason := c.FormValue("reason")
	if utf8.ValidString(reason) && len(reason) <= 4000 {
		f.Values["reason"] = reason
	}
	if f.Values["confirm"] == "" {
		err = fields.New(activity.ErrInvalid, "confirm", "not_confirmed")
	} else {
		_, err = s.Activities.CancelActivity(c.UserContext(), guard.By(c), a.ID, reason)
	}
	if err != nil {
		status, err := s.failForm(c, &f, err, nil)
		if err != nil {
			return err
		}
		v := s.actView(c, "page.act.call_off.title")
		v.Form = f
		return s.callOffForm(c, status, v, a)
	}
	return redirect(c, "/activities/manage?done=activity-cancelled")
}
