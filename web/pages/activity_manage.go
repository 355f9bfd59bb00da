package pages

import (
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/web/guard"
)

// manageView is the coordinator's start page: per organization, the activities waiting for
// verification (most urgent deadline first) and those still to come, with their kiosk and queue.
type manageView struct {
	Orgs      []manageOrg
	CanCreate bool
	Now       time.Time // the recording service's clock: an activity not begun may still be changed
}

// manageOrg is one organization the coordinator reads activities of.
type manageOrg struct {
	ID       int64
	Name     string
	Pending  []activity.PendingActivity
	Upcoming []activity.Activity
	Kiosk    bool // the caller may run its kiosk screen
	Create   bool // the caller may create its activities
}

// upcomingShown is how many coming activities the start page lists per organization.
const upcomingShown = 20

// manageActivitiesPage lists the organizations the caller holds a role in that reads activities.
// Administrators of a region or the platform reach an activity's pages from its organization.
func (s *server) manageActivitiesPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := guard.Principal(c)
	holds := func(a access.Action, orgID int64) bool {
		return slices.ContainsFunc(p.Scopes(a), func(g access.Grant) bool { return g.Kind == access.Org && g.OrgID == orgID })
	}
	data := manageView{CanCreate: p.CanAnywhere(access.ManageActivities), Now: s.Activities.Now()}
	seen := map[int64]bool{}
	for _, g := range p.Scopes(access.ReadActivities) {
		if g.Kind != access.Org || seen[g.OrgID] {
			continue
		}
		seen[g.OrgID] = true
		o := manageOrg{ID: g.OrgID, Name: g.Name, Kiosk: holds(access.RunKiosk, g.OrgID), Create: holds(access.ManageActivities, g.OrgID)}
		var err error
		if o.Pending, err = s.Activities.PendingActivities(ctx, g.OrgID); err != nil {
			return err
		}
		page, err := s.Activities.Activities(ctx, activity.ListQuery{OrgIDs: []int64{g.OrgID}, Limit: upcomingShown})
		if err != nil {
			return err
		}
		o.Upcoming = page.Items
		data.Orgs = append(data.Orgs, o)
	}
	v := s.actView(c, "page.act.manage.title")
	v.Data = data
	return s.render(c, fiber.StatusOK, "activity_manage", v)
}
