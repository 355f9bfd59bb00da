package pages

import (
	"slices"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/org"
	"timebank/web/guard"
)

// placesView is what the organization and region index pages show: the places the caller's roles
// reach. A role over a region leads to the region's page, where its organizations are listed;
// the platform's administrators start from the provinces.
type placesView struct {
	Orgs     []orgLine
	Regions  []regionLine
	Platform bool
	// CreditRules links the platform's credit policy, for those who may set it.
	CreditRules bool
	Figures     *figuresView // the figures of the one region a region's staff read: where they land
}

// orgsPage lists the organizations the caller's roles are held in, and the regions whose
// organizations they may see.
func (s *server) orgsPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	v := s.newView(c, "page.orgs.title")
	var d placesView
	var orgs []org.Org
	var regions []org.Region
	for _, g := range guard.Principal(c).Scopes(access.ReadOrg) {
		switch g.Kind {
		case access.Platform:
			d.Platform = true
		case access.Region:
			r, err := s.Orgs.Region(ctx, g.RegionCode)
			if err != nil {
				return err
			}
			regions = appendRegion(regions, r)
		case access.Org:
			if slices.ContainsFunc(orgs, func(o org.Org) bool { return o.ID == g.OrgID }) {
				continue // two roles in one organization
			}
			o, err := s.Orgs.Org(ctx, g.OrgID)
			if err != nil {
				return err
			}
			orgs = append(orgs, o)
		}
	}
	d.Orgs = s.orgLines(c, v.Lang, orgs)
	d.Regions = s.regionLines(v.Lang, regions)
	d.CreditRules = guard.Principal(c).CanAnywhere(access.ManageRules)
	v.Data = d
	return s.render(c, fiber.StatusOK, "orgs", v)
}

// regionsPage lists the region nodes the caller may read: those of their region roles, or the
// provinces for the platform's administrators.
func (s *server) regionsPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	v := s.newView(c, "page.regions.title")
	var d placesView
	var regions []org.Region
	for _, g := range guard.Principal(c).Scopes(access.ReadRegion) {
		switch g.Kind {
		case access.Platform:
			d.Platform = true
		case access.Region:
			r, err := s.Orgs.Region(ctx, g.RegionCode)
			if err != nil {
				return err
			}
			regions = appendRegion(regions, r)
		}
	}
	if d.Platform {
		provinces, err := s.Orgs.Children(ctx, "")
		if err != nil {
			return err
		}
		regions = provinces
	}
	d.Regions = s.regionLines(v.Lang, regions)
	d.CreditRules = guard.Principal(c).CanAnywhere(access.ManageRules)
	if len(regions) == 1 && !d.Platform {
		f, err := s.regionFigures(c, v.Lang, regions[0].Code)
		if err != nil {
			return err
		}
		d.Figures = &f
	}
	v.Data = d
	return s.render(c, fiber.StatusOK, "regions", v)
}

// appendRegion adds r unless it is listed already (two roles over one region).
func appendRegion(rs []org.Region, r org.Region) []org.Region {
	if slices.ContainsFunc(rs, func(x org.Region) bool { return x.Code == r.Code }) {
		return rs
	}
	return append(rs, r)
}
