package pages

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/org"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// RegionPageSize is how many organizations a region page lists at a time.
const RegionPageSize = 50

// regionPageView is what the region page shows: where the node is, what lies directly below it,
// and a page of the organizations anywhere below it.
type regionPageView struct {
	Region   org.Region
	Level    string // translated
	Path     []crumb
	Children []regionLine
	Orgs     []orgLine
	Status   string // the status filter: "", "registered" or "filed"
	Statuses []option
	First    string // the first page's URL, when this is not the first page
	Next     string // the next page's URL, when there may be one
	Figures  figuresView
	// CreditRules links the region's credit policy, for those who manage the region.
	CreditRules bool
	// Care is the monthly visit rate of the region's communities and a link to its care board, for
	// those who read the care registry there.
	Care      bool
	CareRates []careRateLine
}

// crumb is one node of the breadcrumb; Link is false for nodes the caller may not open.
type crumb struct {
	Code string
	Name string
	Link bool
}

// regionLine is a region in a list.
type regionLine struct {
	Code  string
	Name  string
	Level string // translated
}

// orgLine is an organization in a list, with how it is known to the authorities.
type orgLine struct {
	ID         int64
	Name       string
	Status     org.Status
	StatusText string // translated: 登记 or 备案
	CreditCode string
	FiledBy    string // the filing street's name
	Region     string // the name of the region it sits in
	Link       bool   // the caller may open its page
}

// levelKeys translate the levels of the region tree.
var levelKeys = map[org.Level]string{
	org.Province:  "page.region.level.province",
	org.City:      "page.region.level.city",
	org.County:    "page.region.level.county",
	org.Street:    "page.region.level.street",
	org.Community: "page.region.level.community",
}

// regionPage shows a region node: its path from the province, its children, and its organizations
// (?status= narrows them, ?after= pages on).
func (s *server) regionPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	r, err := s.Orgs.Region(ctx, c.Params("code"))
	if err != nil {
		return err
	}
	after, _, err := request.Page(c, org.MaxLimit)
	if err != nil {
		return err
	}
	status := org.Status(c.Query("status"))
	if status != "" && status != org.Registered && status != org.Filed {
		return problem.BadRequest("status", "unknown")
	}
	v := s.newView(c, "page.region.title")
	v.Title = r.Name
	p := guard.Principal(c)
	d := regionPageView{Region: r, Level: s.msgs.Get(v.Lang, levelKeys[r.Level]), Status: string(status)}
	d.CreditRules = p.Can(access.ManageRegions, org.RegionTarget(r.Code))
	if t, err := s.Care.Target(ctx, r.Code); err != nil {
		return err
	} else if d.Care = p.Can(access.ReadCare, t); d.Care {
		if d.CareRates, err = s.careRates(c, r.Code); err != nil {
			return err
		}
	}
	if d.Figures, err = s.regionFigures(c, v.Lang, r.Code); err != nil {
		return err
	}
	path, err := s.Orgs.Path(ctx, r.Code)
	if err != nil {
		return err
	}
	for _, n := range path {
		d.Path = append(d.Path, crumb{Code: n.Code, Name: n.Name, Link: p.Can(access.ReadRegion, org.RegionTarget(n.Code))})
	}
	children, err := s.Orgs.Children(ctx, r.Code)
	if err != nil {
		return err
	}
	d.Children = s.regionLines(v.Lang, children)
	orgs, err := s.Orgs.OrgsInRegion(ctx, r.Code, status, after, RegionPageSize)
	if err != nil {
		return err
	}
	d.Orgs = s.orgLines(c, v.Lang, orgs)
	for _, st := range []org.Status{"", org.Registered, org.Filed} {
		key := "page.region.status.all"
		if st != "" {
			key = orgStatusKeys[st]
		}
		d.Statuses = append(d.Statuses, option{Value: string(st), Label: s.msgs.Get(v.Lang, key)})
	}
	base := "/regions/" + r.Code + "?"
	if status != "" {
		base += "status=" + url.QueryEscape(string(status)) + "&"
	}
	if after > 0 {
		d.First = base + "#orgs"
	}
	if len(orgs) == RegionPageSize {
		d.Next = base + "after=" + strconv.FormatInt(orgs[len(orgs)-1].ID, 10) + "#orgs"
	}
	v.Data = d
	return s.render(c, fiber.StatusOK, "region", v)
}

// regionLines are regions as lists show them.
func (s *server) regionLines(lang string, rs []org.Region) []regionLine {
	out := make([]regionLine, 0, len(rs))
	for _, r := range rs {
		out = append(out, regionLine{Code: r.Code, Name: r.Name, Level: s.msgs.Get(lang, levelKeys[r.Level])})
	}
	return out
}

// orgLines are organizations as lists show them, each linked when the caller may open it.
func (s *server) orgLines(c *fiber.Ctx, lang string, orgs []org.Org) []orgLine {
	p := guard.Principal(c)
	names := regionNames{s: s, c: c}
	out := make([]orgLine, 0, len(orgs))
	for _, o := range orgs {
		// The link needs no query of the organization's ancestors: whoever reads a region reads the
		// organizations below it, and an organization's own grants name it.
		t := access.Target{RegionCode: o.RegionCode, OrgIDs: []int64{o.ID}}
		if o.ParentID != nil {
			t.OrgIDs = append(t.OrgIDs, *o.ParentID)
		}
		l := orgLine{ID: o.ID, Name: o.Name, Status: o.Status, StatusText: s.msgs.Get(lang, orgStatusKeys[o.Status]),
			CreditCode: o.CreditCode, Region: names.name(o.RegionCode), Link: p.Can(access.ReadOrg, t)}
		if o.FiledBy != "" && o.FiledBy != o.RegionCode { // a street's own organization: said once
			l.FiledBy = names.name(o.FiledBy)
		}
		out = append(out, l)
	}
	return out
}

// regionNames finds region names for one request, asking the registry once per code: the
// organizations of a page mostly sit in a handful of communities.
type regionNames struct {
	s     *server
	c     *fiber.Ctx
	known map[string]string
}

// name returns the region's name, or its code when it cannot be read (a list should not fail for
// want of a label).
func (n *regionNames) name(code string) string {
	if v, ok := n.known[code]; ok {
		return v
	}
	if n.known == nil {
		n.known = map[string]string{}
	}
	v := code
	if r, err := n.s.Orgs.Region(n.c.UserContext(), code); err == nil {
		v = r.Name
	}
	n.known[code] = v
	return v
}
