package pages

import (
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/report"
	"timebank/web/guard"
	"timebank/web/request"
)

// reportPageView is an organization's or a store's figures page.
type reportPageView struct {
	Store   *storeHead // the store's sub-menu, on a store's page
	Name    string
	Back    string // the organization's page, on an organization's
	Figures figuresView
}

// insider says whether the caller holds a role in the organization: its own people see the
// volunteers' ranking with names in full, everyone else masked.
func insider(c *fiber.Ctx) report.Insider {
	p := guard.Principal(c)
	return func(orgID int64) bool {
		return p != nil && slices.ContainsFunc(p.Grants, func(g access.Grant) bool {
			return g.Kind == access.Org && g.OrgID == orgID
		})
	}
}

// period reads the page's period (?from=&to=); a bad one is a 400 page saying which field is wrong.
func (s *server) period(c *fiber.Ctx) (report.Period, error) {
	return s.Reports.ParsePeriod(c.Query("from"), c.Query("to"))
}

// regionFigures are the figures of the region for the period the page asks for.
func (s *server) regionFigures(c *fiber.Ctx, lang, code string) (figuresView, error) {
	p, err := s.period(c)
	if err != nil {
		return figuresView{}, err
	}
	sum, err := s.Reports.RegionSummary(c.UserContext(), code, p)
	if err != nil {
		return figuresView{}, err
	}
	return s.figures(c, lang, sum, "/regions/"+sum.Code, "/api/v1/regions/"+sum.Code+"/summary.xlsx"), nil
}

// orgSummaryPage shows an organization's figures for a period (its stores' included), by month and
// by store, with its volunteers' ranking.
func (s *server) orgSummaryPage(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	p, err := s.period(c)
	if err != nil {
		return err
	}
	sum, err := s.Reports.OrgSummary(c.UserContext(), id, p, insider(c))
	if err != nil {
		return err
	}
	v := s.newView(c, "page.report.title")
	v.Title = sum.Name + " · " + v.Title
	path := "/orgs/" + strconv.FormatInt(id, 10)
	v.Data = reportPageView{Name: sum.Name, Back: path,
		Figures: s.figures(c, v.Lang, sum, path+"/summary", "/api/v1"+path+"/summary.xlsx")}
	return s.render(c, fiber.StatusOK, "report", v)
}

// storeSummaryPage shows a store's figures for a period, by month, with the ranking of the
// volunteers of the organization running it.
func (s *server) storeSummaryPage(c *fiber.Ctx) error {
	v := s.newView(c, "page.report.title")
	head, err := s.storeHead(c, v.Lang, "summary")
	if err != nil {
		return err
	}
	p, err := s.period(c)
	if err != nil {
		return err
	}
	sum, err := s.Reports.StoreSummary(c.UserContext(), head.ID, p, insider(c))
	if err != nil {
		return err
	}
	v.Title = sum.Name + " · " + v.Title
	path := "/stores/" + strconv.FormatInt(head.ID, 10)
	v.Data = reportPageView{Store: &head, Name: sum.Name,
		Figures: s.figures(c, v.Lang, sum, path+"/summary", "/api/v1"+path+"/summary.xlsx")}
	return s.render(c, fiber.StatusOK, "report", v)
}
