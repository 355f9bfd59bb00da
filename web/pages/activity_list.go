package pages

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// activityLine is one activity in a list, as a volunteer reads it.
type activityLine struct {
	activity.Activity
	Category string // the category's name in the reader's language
	Distance string // "350 m", "1.2 km"; "" when the list was not asked near a point
	Places   int    // the capacity; 0 when there is no limit
	SignedUp bool
	Begun    bool // sign-up and cancelling are over
	Full     bool
	Badge    string // cancelled, ongoing, soon or "" (see activityBadge)
}

// activitiesView is the list of open activities: of my organizations, near me, or all.
type activitiesView struct {
	Show         string // mine, near or all
	Items        []activityLine
	Next         string // the link to the next page; "" at the end
	Back         string // this page, for its forms to come back to
	NeedPosition bool   // "near me" before the browser gave a position: the page's script asks
}

// activitiesPage lists open activities that have not ended, soonest first, with sign-up and
// cancel buttons. "Near me" takes the position the page's script put in ?near= (rounded there to
// about a kilometre, since a list needs no more and the address may end up in a browser history).
func (s *server) activitiesPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := guard.Principal(c)
	data := activitiesView{Show: c.Query("show", "mine"), Back: localPath(c.OriginalURL(), "/activities")}
	q := activity.ListQuery{Cursor: c.Query("cursor")}
	switch data.Show {
	case "near":
		if near := c.Query("near"); near != "" {
			pos, ok := parsePoint(near)
			if !ok {
				return problem.BadRequest("near", "format")
			}
			q.Near = &pos
		} else {
			data.NeedPosition = true
		}
	case "all":
	default:
		data.Show = "mine"
		q.OrgIDs = []int64{}
		for _, g := range p.Grants {
			if g.Kind == access.Org {
				q.OrgIDs = append(q.OrgIDs, g.OrgID)
			}
		}
	}
	v := s.actView(c, "page.act.list.title")
	if !data.NeedPosition {
		page, err := s.Activities.Activities(ctx, q)
		if err != nil {
			return err
		}
		if data.Items, err = s.activityLines(ctx, v.Lang, p.UserID, page.Items); err != nil {
			return err
		}
		if page.Next != "" {
			next := c.Queries()
			delete(next, "done")
			delete(next, "failed")
			next["cursor"] = page.Next
			data.Next = "/activities?" + encodeQuery(next)
		}
	}
	v.Data = data
	return s.render(c, fiber.StatusOK, "activity_list", v)
}

// activityLines dresses activities for a list: category names, distances, and the reader's own
// sign-ups.
func (s *server) activityLines(ctx context.Context, lang string, userID int64, as []activity.Activity) ([]activityLine, error) {
	cats, err := s.categoryNames(ctx, lang)
	if err != nil {
		return nil, err
	}
	mine, err := s.Activities.MySignups(ctx, userID)
	if err != nil {
		return nil, err
	}
	signed := map[int64]bool{}
	for _, a := range mine {
		signed[a.ID] = true
	}
	now := s.Activities.Now()
	out := make([]activityLine, 0, len(as))
	for _, a := range as {
		l := activityLine{Activity: a, Category: cats[a.Category], SignedUp: signed[a.ID], Begun: !now.Before(a.StartsAt),
			Full: a.Capacity != nil && a.Signups >= *a.Capacity, Badge: activityBadge(a, now)}
		if a.Capacity != nil {
			l.Places = *a.Capacity
		}
		if l.Category == "" {
			l.Category = a.Category
		}
		if a.DistanceM != nil {
			l.Distance = distanceText(*a.DistanceM)
		}
		out = append(out, l)
	}
	return out, nil
}

// categoryNames maps each category's code to its name in the language.
func (s *server) categoryNames(ctx context.Context, lang string) (map[string]string, error) {
	cats, err := s.Activities.Categories(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(cats))
	for _, c := range cats {
		out[c.Code] = c.NameZH
		if lang == "en" {
			out[c.Code] = c.NameEN
		}
	}
	return out, nil
}

// signupSubmit takes a place at the activity and goes back to the list it was asked from.
func (s *server) signupSubmit(c *fiber.Ctx) error {
	return s.signupChange(c, "signed-up", func(ctx context.Context, id, userID int64) error {
		_, _, err := s.Activities.SignUp(ctx, id, userID)
		return err
	})
}

// cancelSignupSubmit gives the place back.
func (s *server) cancelSignupSubmit(c *fiber.Ctx) error {
	return s.signupChange(c, "cancelled", func(ctx context.Context, id, userID int64) error {
		_, err := s.Activities.CancelSignup(ctx, id, userID)
		return err
	})
}

// signupChange runs a sign-up change and redirects back with its outcome; the problems a
// volunteer can meet (full, begun) are shown on the page they came from.
func (s *server) signupChange(c *fiber.Ctx, done string, change func(ctx context.Context, id, userID int64) error) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	back := c.FormValue("back")
	if err := change(c.UserContext(), id, guard.Principal(c).UserID); err != nil {
		if _, slug := problem.Classify(err); actFailed[slug] {
			return redirect(c, withQuery(back, "/activities", "failed", slug))
		}
		return err
	}
	return redirect(c, withQuery(back, "/activities", "done", done))
}

// myActivitiesView is what the volunteer has signed up for, and where they are checked in now.
type myActivitiesView struct {
	Upcoming []activityLine
	Present  []activity.MyRecord // checked in, not yet out
}

// myActivitiesPage lists the volunteer's sign-ups for activities that have not ended and the
// activities they are checked in at.
func (s *server) myActivitiesPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	userID := guard.Principal(c).UserID
	v := s.actView(c, "page.act.mine.title")
	mine, err := s.Activities.MySignups(ctx, userID)
	if err != nil {
		return err
	}
	data := myActivitiesView{}
	if data.Upcoming, err = s.activityLines(ctx, v.Lang, userID, mine); err != nil {
		return err
	}
	recent, err := s.Activities.MyRecords(ctx, userID, 0, 20)
	if err != nil {
		return err
	}
	for _, r := range recent.Items {
		if r.CheckInAt != nil && r.CheckOutAt == nil && r.Status == activity.MyPending {
			data.Present = append(data.Present, r)
		}
	}
	v.Data = data
	return s.render(c, fiber.StatusOK, "activity_mine", v)
}

// parsePoint reads "lat,lng".
func parsePoint(v string) (activity.Position, bool) {
	lat, lng, ok := strings.Cut(v, ",")
	la, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
	ln, err2 := strconv.ParseFloat(strings.TrimSpace(lng), 64)
	p := activity.Position{Lat: la, Lng: ln}
	return p, ok && err1 == nil && err2 == nil && p.Valid()
}

// distanceText shows metres as "350 m" or, from a kilometre, "1.2 km".
func distanceText(m int) string {
	if m < 1000 {
		return fmt.Sprintf("%d m", m)
	}
	return fmt.Sprintf("%d.%d km", m/1000, m%1000/100)
}

// encodeQuery encodes query parameters in a stable order.
func encodeQuery(q map[string]string) string {
	vals := url.Values{}
	for k, v := range q {
		vals.Set(k, v)
	}
	return vals.Encode()
}
