package pages

import (
	"github.com/gofiber/fiber/v2"

	"timebank/ledger"
	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/pkg/certificate"
	"timebank/pkg/store"
	"timebank/web/guard"
)

// homeView is what needs the signed-in person, by what they do: for administrators of regions and
// the platform, the years whose public holidays are not entered yet (from 1 December, next year's);
// for coordinators, what waits in each of their organizations and the activities coming; for a
// store's staff, the orders to hand out and the items running low; for everyone, their time
// credits and the activities they signed up for (the unread notices are the layout's).
type homeView struct {
	MissingHolidays []int
	EnterHolidays   bool

	Orgs       []homeOrg
	Activities []homeActivity // the organizations' activities not ended yet, soonest first
	Stores     []store.Waiting
	// Grids are the communities (or streets) where the person is a grid worker: their care boards,
	// and the desks' codes they scan to ask for a resident.
	Grids []access.Grant

	Balance ledger.Balance
	Signups []homeActivity // the person's coming sign-ups, soonest first
}

// homeActivity is an activity in a list of the home page, with its badge (see activityBadge).
type homeActivity struct {
	activity.Activity
	Badge string
}

// badged gives each of the activities its badge at the recording service's clock.
func (s *server) badged(as []activity.Activity) []homeActivity {
	now := s.Activities.Now()
	out := make([]homeActivity, len(as))
	for i, a := range as {
		out[i] = homeActivity{Activity: a, Badge: activityBadge(a, now)}
	}
	return out
}

// homeOrg is what waits in one of the coordinator's organizations.
type homeOrg struct {
	ID    int64
	Name  string
	Work  activity.Waiting
	Certs *certificate.Waiting // nil when the person does not read its certificate requests
}

// Any reports whether anything waits in the organization.
func (o homeOrg) Any() bool { return o.Work.Any() || (o.Certs != nil && o.Certs.Any()) }

// How many activities the home page lists, of the organizations and of the person's sign-ups.
const (
	homeActivities = 5
	homeSignups    = 3
)

// homePage explains the service to a visitor and offers log-in and registration; a signed-in person
// sees what needs them, then the pages they can use.
func (s *server) homePage(c *fiber.Ctx) error {
	v := s.newView(c, "page.home.title")
	if v.User == nil {
		return s.render(c, fiber.StatusOK, "home", v)
	}
	ctx := c.UserContext()
	p := guard.Principal(c)
	var data homeView
	if p.CanAnywhere(access.ManageRegions) {
		missing, err := s.Activities.Calendar().Missing(ctx)
		if err != nil {
			return err
		}
		data.MissingHolidays, data.EnterHolidays = missing, p.CanAnywhere(access.ManageRules)
	}
	if err := s.homeOrgs(c, p, &data); err != nil {
		return err
	}
	for _, g := range p.Grants {
		if g.Role == access.GridWorker {
			data.Grids = append(data.Grids, g)
		}
	}
	var err error
	if data.Stores, err = s.Store.WaitingFor(ctx, placesOf(p, access.ServeCounter, access.Store)); err != nil {
		return err
	}
	u, err := s.Users.ByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	if data.Balance, err = s.Ledger.Balance(ctx, u.AccountCode); err != nil {
		return err
	}
	signups, err := s.Activities.MySignups(ctx, p.UserID)
	if err != nil {
		return err
	}
	data.Signups = s.badged(signups[:min(len(signups), homeSignups)])
	v.Data = data
	return s.render(c, fiber.StatusOK, "home", v)
}

// homeOrgs fills in what waits in the organizations where the person reads activities, and their
// activities still to come.
func (s *server) homeOrgs(c *fiber.Ctx, p *access.Principal, data *homeView) error {
	ctx := c.UserContext()
	ids := placesOf(p, access.ReadActivities, access.Org)
	if len(ids) == 0 {
		return nil
	}
	work, err := s.Activities.WaitingFor(ctx, ids)
	if err != nil {
		return err
	}
	certIDs := placesOf(p, access.ReadCertificates, access.Org)
	certs, err := s.Certificates.WaitingFor(ctx, certIDs)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, g := range p.Scopes(access.ReadActivities) {
		names[g.OrgID] = g.Name
	}
	for i, id := range ids {
		o := homeOrg{ID: id, Name: names[id], Work: work[i]}
		for j := range certs {
			if certs[j].OrgID == id {
				o.Certs = &certs[j]
			}
		}
		data.Orgs = append(data.Orgs, o)
	}
	page, err := s.Activities.Activities(ctx, activity.ListQuery{OrgIDs: ids, Limit: homeActivities})
	data.Activities = s.badged(page.Items)
	return err
}

// placesOf returns the organizations (kind access.Org) or the stores (access.Store) where the
// principal's own grants allow the action, each once, in the order of the grants. Administrators of
// a region or the platform reach these from the organization pages instead.
func placesOf(p *access.Principal, a access.Action, kind access.ScopeKind) []int64 {
	orgs, stores := navPlaces(p, a)
	if kind == access.Store {
		return stores
	}
	return orgs
}
