// Package target finds where a request's action happens (the organization, store, region,
// activity or record in its path, or the scope of a grant), for the rules of the routes and the
// checks of handlers. It imports no handler.
package target

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/pkg/org"
	"timebank/web/problem"
	"timebank/web/request"
)

// Finder looks targets up in the registry of organizations and in the activities.
type Finder struct {
	orgs       *org.Registry
	activities *activity.Service
}

// New builds a finder over the registry and the activities.
func New(orgs *org.Registry, activities *activity.Service) *Finder {
	return &Finder{orgs: orgs, activities: activities}
}

// Org is the target of routes about the organization in the path.
func (f *Finder) Org(c *fiber.Ctx) (access.Target, error) {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return access.Target{}, err
	}
	return f.orgs.OrgTarget(c.UserContext(), id)
}

// Store is the target of routes about the store in the path.
func (f *Finder) Store(c *fiber.Ctx) (access.Target, error) {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return access.Target{}, err
	}
	return f.orgs.StoreTarget(c.UserContext(), id)
}

// Region is the target of routes about the region in the path.
func (f *Finder) Region(c *fiber.Ctx) (access.Target, error) {
	code := c.Params("code")
	if _, err := org.DivisionLevel(code); err != nil {
		return access.Target{}, problem.BadRequest("code", "division_code")
	}
	return org.RegionTarget(code), nil
}

// Activity is the target of routes about the activity in the path: its organization.
func (f *Finder) Activity(c *fiber.Ctx) (access.Target, error) {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return access.Target{}, err
	}
	orgID, err := f.activities.ActivityOrg(c.UserContext(), id)
	if err != nil {
		return access.Target{}, err
	}
	return f.OrgOf(c, orgID)
}

// Record is the target of routes about the record in the path: the organization that made it.
func (f *Finder) Record(c *fiber.Ctx) (access.Target, error) {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return access.Target{}, err
	}
	_, orgID, err := f.activities.RecordOwner(c.UserContext(), id)
	if err != nil {
		return access.Target{}, err
	}
	return f.OrgOf(c, orgID)
}

// OrgOf is the target of the organization orgID.
func (f *Finder) OrgOf(c *fiber.Ctx, orgID int64) (access.Target, error) {
	t, err := f.orgs.OrgTarget(c.UserContext(), orgID)
	return access.Target(t), err
}

// Grant is where a grant's scope lies, for checking who may revoke it.
func (f *Finder) Grant(c *fiber.Ctx, g access.Grant) (access.Target, error) {
	switch g.Kind {
	case access.Region:
		return org.RegionTarget(g.RegionCode), nil
	case access.Org:
		return f.orgs.OrgTarget(c.UserContext(), g.OrgID)
	case access.Store:
		return f.orgs.StoreTarget(c.UserContext(), g.StoreID)
	}
	return access.Target{}, nil // platform grants: only platform admins cover an empty target
}
