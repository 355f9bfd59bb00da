package pages

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/report"
	"timebank/web/guard"
)

// figuresView is what the figures of a region, an organization or a store show: the period's form,
// the totals, two charts by month, the table by month, the places below (linked where the reader
// may open them: a region's page drills down) and, for an organization or a store, the ranking.
type figuresView struct {
	Action  string // where the period's form goes
	From    string
	To      string
	XLSX    string // the same figures as an Excel workbook
	Summary report.Summary
	Hours   chart
	Credits chart
	Months  []monthLine
	Parts   []partLine
	Ranking []report.Ranked
	Ranked  bool // the page shows a ranking (an organization's or a store's), even when empty
}

// monthLine is a month of the table, its label as people read it.
type monthLine struct {
	Label string
	report.Figures
}

// partLine is a place below, with its kind translated and a link when the reader may open it.
type partLine struct {
	Name string
	Kind string
	Link string
	report.Figures
}

// partKinds translate the kinds of places below.
var partKinds = map[string]string{
	"region": "page.report.part.region",
	"org":    "page.report.part.org",
	"store":  "page.report.part.store",
}

// figures words a summary for the page: action is the page's own path, xlsx the workbook's.
func (s *server) figures(c *fiber.Ctx, lang string, sum report.Summary, action, xlsx string) figuresView {
	v := figuresView{Action: action, From: sum.From, To: sum.To, Summary: sum, Ranking: sum.Ranking,
		Ranked: sum.Kind != "region", XLSX: xlsx + "?from=" + sum.From + "&to=" + sum.To}
	labels := make([]string, len(sum.Months))
	hours := [][]int64{make([]int64, len(sum.Months)), make([]int64, len(sum.Months))}
	credits := [][]int64{make([]int64, len(sum.Months)), make([]int64, len(sum.Months))}
	for i, m := range sum.Months {
		labels[i] = monthLabel(lang, m.Month)
		hours[0][i], hours[1][i] = m.ScanMinutes, m.ManualMinutes
		credits[0][i], credits[1][i] = m.CreditsIssued, m.CreditsRedeemed
		v.Months = append(v.Months, monthLine{Label: m.Month, Figures: m.Figures})
	}
	t := func(key string) string { return s.msgs.Get(lang, key) }
	v.Hours = barChart(t("page.report.chart.hours"), labels,
		[]string{t("page.report.scan"), t("page.report.manual")}, hours, true)
	v.Credits = barChart(t("page.report.chart.credits"), labels,
		[]string{t("page.report.issued"), t("page.report.redeemed")}, credits, false)
	p := guard.Principal(c)
	period := "?from=" + sum.From + "&to=" + sum.To
	for _, part := range sum.Parts {
		l := partLine{Name: part.Name, Kind: t(partKinds[part.Kind]), Figures: part.Figures}
		switch part.Kind {
		case "region":
			if p.Can(access.ReadRegion, access.Target{RegionCode: part.Code}) {
				l.Link = "/regions/" + part.Code + period
			}
		case "org":
			// An organization sitting in a region the reader reads is theirs to read as well.
			if p.Can(access.ReadReports, access.Target{RegionCode: sum.Code, OrgIDs: []int64{part.ID}}) {
				l.Link = "/orgs/" + strconv.FormatInt(part.ID, 10) + "/summary" + period
			}
		case "store":
			if p.Can(access.ReadReports, access.Target{OrgIDs: []int64{sum.ID}, StoreID: part.ID}) {
				l.Link = "/stores/" + strconv.FormatInt(part.ID, 10) + "/summary" + period
			}
		}
		v.Parts = append(v.Parts, l)
	}
	return v
}
