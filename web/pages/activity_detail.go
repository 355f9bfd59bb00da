package pages

import (
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/ledger"
	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/pkg/chinatime"
	"timebank/web/guard"
	"timebank/web/request"
)

// soonWithin is how close its start an activity is badged "starting soon": the day before, when
// its volunteers are reminded too.
const soonWithin = activity.ReminderBefore

// Badges of an activity in lists and on its page.
const (
	badgeCancelled = "cancelled"
	badgeOngoing   = "ongoing"
	badgeSoon      = "soon"
	badgeEnded     = "ended"
)

// activityBadge says where the activity stands at now: cancelled, ongoing, starting soon, ended,
// or nothing worth a badge ("").
func activityBadge(a activity.Activity, now time.Time) string {
	switch {
	case a.Status == activity.StatusActivityCancelled:
		return badgeCancelled
	case !now.Before(a.EndsAt):
		return badgeEnded
	case !now.Before(a.StartsAt):
		return badgeOngoing
	case a.StartsAt.Sub(now) <= soonWithin:
		return badgeSoon
	}
	return ""
}

// activityDetailView is an activity as a volunteer reads it before going.
type activityDetailView struct {
	activityLine
	When      string // the day with its weekday and the hours, in the reader's language
	Hours     string // the hours it counts for, as hours
	MapURL    string // a marker on Amap where the activity has coordinates, else a search by address
	Contact   string // the organization's contact, when it names one
	Left      int    // places left, when there is a limit
	CanManage bool   // the reader may change or cancel it
	Editable  bool   // it has not begun and is not cancelled
	Back      string // this page, for the sign-up forms to come back to
}

// activityDetailPage shows one activity to any signed-in person: what, where (with a map link),
// who runs it, when, the hours it counts for, the places left, and the sign-up or its cancelling; a
// cancelled activity says so and why.
func (s *server) activityDetailPage(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	a, err := s.Activities.Activity(ctx, id)
	if err != nil {
		return err
	}
	v := s.actView(c, "page.act.detail.title")
	v.Title = a.Title
	lines, err := s.activityLines(ctx, v.Lang, guard.Principal(c).UserID, []activity.Activity{a})
	if err != nil {
		return err
	}
	o, err := s.Orgs.Org(ctx, a.OrgID)
	if err != nil {
		return err
	}
	data := activityDetailView{activityLine: lines[0], When: s.whenText(v.Lang, a), Hours: ledger.FormatHours(a.LengthMinutes()),
		MapURL: mapURL(a), Contact: o.ContactName, Back: "/activities/" + strconv.FormatInt(id, 10)}
	if a.Capacity != nil {
		data.Left = max(0, *a.Capacity-a.Signups)
	}
	if t, err := s.targets.OrgOf(c, a.OrgID); err == nil {
		data.CanManage = guard.Principal(c).Can(access.ManageActivities, t)
	}
	data.Editable = a.Status != activity.StatusActivityCancelled && !data.Begun
	v.Data = data
	return s.render(c, fiber.StatusOK, "activity_detail", v)
}

// whenText is the activity's time for people: "2025年3月10日 星期一 09:00 – 12:00", with the end's
// day too when it ends on another day (a night shift).
func (s *server) whenText(lang string, a activity.Activity) string {
	start, end := a.StartsAt.In(chinatime.Zone()), a.EndsAt.In(chinatime.Zone())
	out := s.dayText(lang, start) + " " + start.Format("15:04") + " – "
	if end.YearDay() != start.YearDay() || end.Year() != start.Year() {
		out += s.dayText(lang, end) + " "
	}
	return out + end.Format("15:04")
}

// weekdayKeys name the days of the week, Sunday first as time.Weekday counts them.
var weekdayKeys = [7]string{"page.act.weekday.0", "page.act.weekday.1", "page.act.weekday.2", "page.act.weekday.3",
	"page.act.weekday.4", "page.act.weekday.5", "page.act.weekday.6"}

// dayText is a day with its weekday in the language.
func (s *server) dayText(lang string, t time.Time) string {
	weekday := s.msgs.Get(lang, weekdayKeys[t.Weekday()])
	return fmt.Sprintf(s.msgs.Get(lang, "page.act.date_format"), t.Year(), int(t.Month()), t.Day(), weekday, t.Month().String())
}

// mapURL opens the activity's place on Amap, which Chinese phones have (and which opens in any
// browser): a marker at its coordinates, which phones report in WGS-84, or else a search for its
// address.
func mapURL(a activity.Activity) string {
	q := url.Values{"src": {"timebank"}, "callnative": {"0"}}
	if a.Latitude != nil && a.Longitude != nil {
		q.Set("position", strconv.FormatFloat(*a.Longitude, 'f', 6, 64)+","+strconv.FormatFloat(*a.Latitude, 'f', 6, 64))
		q.Set("name", a.Address)
		q.Set("coordinate", "wgs84")
		return "https://uri.amap.com/marker?" + q.Encode()
	}
	q.Set("keyword", a.Address)
	return "https://uri.amap.com/search?" + q.Encode()
}
