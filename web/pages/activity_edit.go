package pages

import (
	"strconv"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/pkg/activity"
	"timebank/pkg/chinatime"
	"timebank/web/guard"
	"timebank/web/request"
)

// editActivityView is the form that changes an activity before it starts.
type editActivityView struct {
	ID      int64
	Title   string // as it is now, for the heading
	Signups int    // the capacity may not go below them
	Locked  string // why it can no longer be changed (translated); "" while it can
	// Cancellable offers cancelling instead, to a locked activity that has not ended.
	Cancellable bool
}

// editActivityFields are the form's fields, top to bottom: the JSON names of ActivityChange where
// there is one, so the service's field errors land next to their fields.
var editActivityFields = []string{"title", "content", "address", "date", "starts_at", "ends_at", "capacity",
	"leader_name", "people_served", "latitude", "longitude", "radius_m"}

// editActivityPage shows the form filled in with the activity as it is, or why it can no longer
// be changed.
func (s *server) editActivityPage(c *fiber.Ctx) error {
	a, err := s.activityOfPath(c)
	if err != nil {
		return err
	}
	v := s.actView(c, "page.act.edit.title")
	v.Form.Values = editValues(a)
	return s.editActivityForm(c, fiber.StatusOK, v, a)
}

func (s *server) editActivityForm(c *fiber.Ctx, status int, v view, a activity.Activity) error {
	data := editActivityView{ID: a.ID, Title: a.Title, Signups: a.Signups}
	now := s.Activities.Now()
	switch {
	case a.Status == activity.StatusActivityCancelled:
		data.Locked = s.msgs.Get(v.Lang, "page.act.edit.locked_cancelled")
	case !now.Before(a.StartsAt):
		data.Locked = s.msgs.Get(v.Lang, "page.act.edit.locked_started")
		data.Cancellable = now.Before(a.EndsAt)
	}
	v.Data = data
	return s.render(c, status, "activity_edit", v)
}

// editValues are the form's values for the activity as it is, its times in China Standard Time.
func editValues(a activity.Activity) map[string]string {
	start, end := a.StartsAt.In(chinatime.Zone()), a.EndsAt.In(chinatime.Zone())
	val := map[string]string{"title": a.Title, "content": a.Content, "address": a.Address,
		"date": start.Format("2006-01-02"), "starts_at": start.Format("15:04"), "ends_at": end.Format("15:04"),
		"leader_name": a.LeaderName, "people_served": a.PeopleServed}
	if a.Capacity != nil {
		val["capacity"] = strconv.Itoa(*a.Capacity)
	}
	if a.Latitude != nil && a.Longitude != nil {
		val["latitude"] = strconv.FormatFloat(*a.Latitude, 'f', -1, 64)
		val["longitude"] = strconv.FormatFloat(*a.Longitude, 'f', -1, 64)
	}
	if a.RadiusM != nil {
		val["radius_m"] = strconv.Itoa(*a.RadiusM)
	}
	return val
}

// editActivitySubmit changes the activity as the form says and shows it; what is wrong is shown
// next to its field, with what was typed, and nothing changes. Empty coordinates, radius or
// capacity keep what the activity has.
func (s *server) editActivitySubmit(c *fiber.Ctx) error {
	a, err := s.activityOfPath(c)
	if err != nil {
		return err
	}
	f := readForm(c, editActivityFields...)
	val := f.Values
	// The content may be longer than readForm shows again; the service checks it.
	content := c.FormValue("content")
	if utf8.ValidString(content) && len(content) <= 8000 {
		val["content"] = content
	}
	text := func(name string) *string { v := val[name]; return &v }
	ch := activity.ActivityChange{Title: text("title"), Content: &content, Address: text("address"),
		LeaderName: text("leader_name"), PeopleServed: text("people_served")}
	bad := fields.Set{}
	start, end := formSchedule(bad, val)
	ch.StartsAt, ch.EndsAt = &start, &end
	whole := func(name string) *int {
		if v := formWhole(bad, val, name, false); v != 0 {
			n := int(min(v, 1<<30)) // the service refuses it as out of range
			return &n
		}
		return nil
	}
	ch.Capacity, ch.RadiusM = whole("capacity"), whole("radius_m")
	ch.Latitude, ch.Longitude = formDecimal(bad, val, "latitude"), formDecimal(bad, val, "longitude")
	err = bad.Err(activity.ErrInvalid)
	if err == nil {
		_, err = s.Activities.UpdateActivity(c.UserContext(), guard.By(c), a.ID, ch)
	}
	if err != nil {
		status, err := s.failForm(c, &f, err, nil)
		if err != nil {
			return err
		}
		v := s.actView(c, "page.act.edit.title")
		v.Form = f
		return s.editActivityForm(c, status, v, a)
	}
	return redirect(c, "/activities/"+strconv.FormatInt(a.ID, 10)+"?done=updated")
}

// activityOfPath reads the activity in the path (its organization is the route's rule's).
func (s *server) activityOfPath(c *fiber.Ctx) (activity.Activity, error) {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return activity.Activity{}, err
	}
	return s.Activities.Activity(c.UserContext(), id)
}
