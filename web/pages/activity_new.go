package pages

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/pkg/chinatime"
	"timebank/web/guard"
	"timebank/web/problem"
)

// newActivityView is the form that creates an activity or a weekly series.
type newActivityView struct {
	Orgs       []actOption // organizations the caller runs activities for
	OrgInput   bool        // an administrator of a region or the platform names the organization by number
	Categories []actOption
}

// newActivityFields are the form's fields, top to bottom; the JSON names of NewActivity where
// there is one, so the service's field errors land next to their fields.
var newActivityFields = []string{"org_id", "title", "category", "content", "address", "date", "starts_at", "ends_at",
	"repeat_weekly_until", "capacity", "signup_required", "leader_name", "people_served", "is_service",
	"latitude", "longitude", "radius_m"}

// newActivityPage shows the form, counting as volunteer service by default, led by the caller.
func (s *server) newActivityPage(c *fiber.Ctx) error {
	v := s.actView(c, "page.act.new.title")
	v.Form.Values = map[string]string{"is_service": "1", "leader_name": guard.Principal(c).Name, "org_id": c.Query("org")}
	return s.newActivityForm(c, fiber.StatusOK, v)
}

func (s *server) newActivityForm(c *fiber.Ctx, status int, v view) error {
	data := newActivityView{}
	for _, g := range guard.Principal(c).Scopes(access.ManageActivities) {
		if g.Kind == access.Org {
			data.Orgs = append(data.Orgs, actOption{Value: strconv.FormatInt(g.OrgID, 10), Label: g.Name})
		} else {
			data.OrgInput = true
		}
	}
	cats, err := s.Activities.Categories(c.UserContext())
	if err != nil {
		return err
	}
	for _, cat := range cats {
		o := actOption{Value: cat.Code, Label: cat.NameZH}
		if v.Lang == "en" {
			o.Label = cat.NameEN
		}
		data.Categories = append(data.Categories, o)
	}
	v.Data = data
	return s.render(c, status, "activity_new", v)
}

// newActivitySubmit creates the activity (every week up to the repeat date, when given) at the
// organization of the form, which the caller must run activities for. Day and times are read in
// China Standard Time; an end before the start is the next day's (a night shift).
func (s *server) newActivitySubmit(c *fiber.Ctx) error {
	f := readForm(c, newActivityFields...)
	val := f.Values
	// The content may be longer than readForm shows again; the service checks it.
	content := c.FormValue("content")
	if utf8.ValidString(content) && len(content) <= 8000 {
		val["content"] = content
	}
	n := activity.NewActivity{Title: val["title"], Content: content, Category: val["category"],
		Address: val["address"], SignupRequired: val["signup_required"] != "", LeaderName: val["leader_name"],
		PeopleServed: val["people_served"], RepeatWeeklyUntil: strings.TrimSpace(val["repeat_weekly_until"])}
	service := val["is_service"] != ""
	n.IsService = &service
	bad := fields.Set{}
	n.OrgID = formWhole(bad, val, "org_id", true)
	n.StartsAt, n.EndsAt = formSchedule(bad, val)
	if v := formWhole(bad, val, "capacity", false); v != 0 {
		capacity := int(v)
		n.Capacity = &capacity
	}
	if v := formWhole(bad, val, "radius_m", false); v != 0 {
		radius := int(v)
		n.RadiusM = &radius
	}
	n.Latitude, n.Longitude = formDecimal(bad, val, "latitude"), formDecimal(bad, val, "longitude")
	if err := bad.Err(activity.ErrInvalid); err != nil {
		return s.newActivityFailed(c, f, err)
	}
	t, err := s.targets.OrgOf(c, n.OrgID)
	if err == nil {
		err = guard.Can(c, access.ManageActivities, t)
	}
	if err != nil {
		return s.newActivityFailed(c, f, err)
	}
	as, err := s.Activities.CreateActivities(c.UserContext(), guard.By(c), n)
	if err != nil {
		return s.newActivityFailed(c, f, err)
	}
	return redirect(c, "/activities/manage?done=created&n="+strconv.Itoa(len(as)))
}

// newActivityFailed shows the form again with what is wrong next to its field. Being refused the
// organization is the error page's, as anywhere.
func (s *server) newActivityFailed(c *fiber.Ctx, f form, err error) error {
	if status, _ := problem.Classify(err); status == fiber.StatusForbidden {
		return err
	}
	status, err := s.failForm(c, &f, err, map[string]string{"org-not-found": "org_id"})
	if err != nil {
		return err
	}
	v := s.actView(c, "page.act.new.title")
	v.Form = f
	return s.newActivityForm(c, status, v)
}

// formSchedule reads the day and the start and end times of the form in China Standard Time.
func formSchedule(bad fields.Set, val map[string]string) (start, end time.Time) {
	day := strings.TrimSpace(val["date"])
	if day == "" {
		bad["date"] = "required"
		return
	}
	at := func(field string) time.Time {
		v := strings.TrimSpace(val[field])
		if v == "" {
			bad[field] = "required"
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+v, chinatime.Zone())
		if err != nil {
			bad[field] = "format"
		}
		return t
	}
	start, end = at("starts_at"), at("ends_at")
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		bad["date"] = "format"
	}
	if !start.IsZero() && !end.IsZero() && !end.After(start) {
		end = end.Add(24 * time.Hour)
	}
	return start, end
}

// formWhole reads a whole number field; 0 when it is empty and optional.
func formWhole(bad fields.Set, val map[string]string, field string, required bool) int64 {
	v := strings.TrimSpace(val[field])
	if v == "" {
		if required {
			bad[field] = "required"
		}
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		bad[field] = "not_a_number"
		return 0
	}
	return n
}

// formDecimal reads an optional decimal field (a coordinate).
func formDecimal(bad fields.Set, val map[string]string, field string) *float64 {
	v := strings.TrimSpace(val[field])
	if v == "" {
		return nil
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		bad[field] = "not_a_number"
		return nil
	}
	return &x
}
