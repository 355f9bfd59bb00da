package pages

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/care"
	"timebank/pkg/chinatime"
	"timebank/pkg/org"
	"timebank/web/guard"
)

// colourKeys translate the risk colours.
var colourKeys = map[string]string{
	care.Red:    "page.care.colour.red",
	care.Yellow: "page.care.colour.yellow",
	care.Green:  "page.care.colour.green",
}

// categoryKeys translate the categories of people who receive care.
var categoryKeys = map[string]string{
	"alone":       "page.care.category.alone",
	"empty_nest":  "page.care.category.empty_nest",
	"disabled":    "page.care.category.disabled",
	"dibao":       "page.care.category.dibao",
	"tekun":       "page.care.category.tekun",
	"left_behind": "page.care.category.left_behind",
	"other":       "page.care.category.other",
}

// careCard is a card of the board or of a volunteer's list, worded.
type careCard struct {
	care.Card
	ColourLabel string
	Categories  string
	LastVisit   string // "" when never visited
	NextDue     string
}

// careBoardView is a community's (or a street's) board.
type careBoardView struct {
	Code        string
	Screen      bool // the big-screen layout, refreshed every minute
	Cards       []careCard
	Communities []care.CommunityCount
	Street      bool // more than one community: show the counts per community
	Totals      care.CommunityCount
	Register    string // the registration form, for those who manage care here
	Frequency   string // the region's visit frequencies, for those who manage the region
}

func (s *server) careCards(lang string, cards []care.Card) []careCard {
	out := make([]careCard, 0, len(cards))
	for _, c := range cards {
		w := careCard{Card: c, ColourLabel: s.msgs.Get(lang, colourKeys[c.Colour]), NextDue: c.NextDue.Format(time.DateOnly),
			Categories: s.careCategories(lang, c.Categories)}
		if c.LastVisitAt != nil {
			w.LastVisit = c.LastVisitAt.In(chinatime.Zone()).Format(time.DateOnly)
		}
		out = append(out, w)
	}
	return out
}

func (s *server) careCategories(lang string, cats []string) string {
	out := ""
	for i, k := range cats {
		if i > 0 {
			out += "、"
		}
		out += s.msgs.Get(lang, categoryKeys[k])
	}
	return out
}

// careBoardPage shows the 三色 board of the community or street in the path: every person as a
// coloured card, overdue first; ?screen=1 lays it out for a big screen.
func (s *server) careBoardPage(c *fiber.Ctx) error {
	code := c.Params("code")
	b, err := s.Care.Board(c.UserContext(), code)
	if err != nil {
		return err
	}
	v := s.newView(c, "page.care.board.title")
	d := careBoardView{Code: code, Screen: c.Query("screen") == "1", Cards: s.careCards(v.Lang, b.Cards),
		Communities: b.Communities, Street: len(b.Communities) > 1}
	for _, n := range b.Communities {
		d.Totals.Red += n.Red
		d.Totals.Yellow += n.Yellow
		d.Totals.Green += n.Green
		d.Totals.Overdue += n.Overdue
	}
	p := guard.Principal(c)
	if t, err := s.Care.Target(c.UserContext(), code); err != nil {
		return err
	} else if p.Can(access.ManageCare, t) {
		d.Register = careNewLink(code)
	}
	if p.Can(access.ManageRegions, org.RegionTarget(code)) {
		d.Frequency = careFrequencyLink(code)
	}
	if len(b.Communities) == 1 {
		v.Title = b.Communities[0].RegionName + " · " + v.Title
	}
	v.Data = d
	return s.render(c, fiber.StatusOK, "care_board", v)
}

// careRateLine is a community's visit rate on the region's page.
type careRateLine struct {
	care.CommunityRate
	Percent int
}

// careRates are the region's communities' visit rates this month, for its page; nil when the
// caller may not read the registry there.
func (s *server) careRates(c *fiber.Ctx, code string) ([]careRateLine, error) {
	rates, err := s.Care.VisitRate(c.UserContext(), code, time.Now())
	if err != nil {
		return nil, err
	}
	out := make([]careRateLine, 0, len(rates))
	for _, r := range rates {
		out = append(out, careRateLine{CommunityRate: r, Percent: r.Percent()})
	}
	return out, nil
}

// personLink is the page of a person of the registry.
func personLink(id int64) string { return "/care/people/" + strconv.FormatInt(id, 10) }
