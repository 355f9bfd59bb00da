package api

import (
	"bytes"
	"slices"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/report"
	"timebank/web/guard"
	"timebank/web/request"
)

// xlsxType is the content type of an Excel workbook.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// insider tells the report service whether the caller belongs to an organization (holds a role in
// it), which shows the volunteers' ranking with names in full; everyone else sees them masked.
func insider(c *fiber.Ctx) report.Insider {
	p := guard.Principal(c)
	return func(orgID int64) bool {
		return p != nil && slices.ContainsFunc(p.Grants, func(g access.Grant) bool {
			return g.Kind == access.Org && g.OrgID == orgID
		})
	}
}

// summaryOf reads the period (?from=&to=, YYYY-MM-DD) and returns the summary of the region, the
// organization or the store in the path.
func (s *server) summaryOf(c *fiber.Ctx, kind string) (report.Summary, error) {
	p, err := s.Reports.ParsePeriod(c.Query("from"), c.Query("to"))
	if err != nil {
		return report.Summary{}, err
	}
	ctx := c.UserContext()
	switch kind {
	case "region":
		return s.Reports.RegionSummary(ctx, c.Params("code"), p)
	case "org":
		id, _ := request.IDParam(c, "id") // the rule's target has read it already
		return s.Reports.OrgSummary(ctx, id, p, insider(c))
	}
	id, _ := request.IDParam(c, "id")
	return s.Reports.StoreSummary(ctx, id, p, insider(c))
}

// summaryJSON answers the summary as JSON.
func (s *server) summaryJSON(c *fiber.Ctx, kind string) error {
	sum, err := s.summaryOf(c, kind)
	if err != nil {
		return err
	}
	return c.JSON(sum)
}

// summaryXLSX answers the summary as an Excel workbook named after the place and the period.
func (s *server) summaryXLSX(c *fiber.Ctx, kind string) error {
	sum, err := s.summaryOf(c, kind)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.WriteXLSX(sum, &buf); err != nil {
		return err
	}
	name := kind + "-" + c.Params("code") + c.Params("id") + "-" + sum.From + "-" + sum.To + ".xlsx"
	c.Set(fiber.HeaderContentType, xlsxType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Send(buf.Bytes())
}

func (s *server) regionSummary(c *fiber.Ctx) error     { return s.summaryJSON(c, "region") }
func (s *server) regionSummaryXLSX(c *fiber.Ctx) error { return s.summaryXLSX(c, "region") }
func (s *server) orgSummary(c *fiber.Ctx) error        { return s.summaryJSON(c, "org") }
func (s *server) orgSummaryXLSX(c *fiber.Ctx) error    { return s.summaryXLSX(c, "org") }
func (s *server) storeSummary(c *fiber.Ctx) error      { return s.summaryJSON(c, "store") }
func (s *server) storeSummaryXLSX(c *fiber.Ctx) error  { return s.summaryXLSX(c, "store") }
