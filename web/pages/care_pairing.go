package pages

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/pkg/care"
	"timebank/pkg/chinatime"
	"timebank/web/guard"
	"timebank/web/request"
)

// carePairFields are the pairing form's fields, top to bottom.
var carePairFields = []string{"who", "starts_on", "ends_on"}

// carePairingsView is a person's pairings with the form to pair a volunteer or a team.
type carePairingsView struct {
	Person      care.Person
	ColourLabel string
	Categories  string
	Pairings    []carePairingLine
	Who         []optionGroup
	Key         string // the pairing form's idempotency key: a form sent twice pairs once
}

// carePairingLine is a pairing as the list shows it: who, for which period, and whether it can end.
type carePairingLine struct {
	care.Pairing
	Who    string
	Period string
	Open   bool // not ended: it can be ended today
}

// carePairingsPage lists a person's pairings, the current ones first, with the form to add one.
func (s *server) carePairingsPage(c *fiber.Ctx) error {
	f := form{Values: map[string]string{"starts_on": chinatime.Midnight(time.Now()).Format(time.DateOnly)},
		Errors: map[string]string{}, order: carePairFields}
	return s.renderCarePairings(c, fiber.StatusOK, f)
}

func (s *server) renderCarePairings(c *fiber.Ctx, status int, f form) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	p, err := s.Care.Person(ctx, id)
	if err != nil {
		return err
	}
	v := s.newView(c, "page.care.pair.title")
	v.Title = p.NameMasked + " · " + v.Title
	v.Form = f
	d := carePairingsView{Person: p, ColourLabel: s.msgs.Get(v.Lang, colourKeys[p.Colour]), Categories: s.careCategories(v.Lang, p.Categories),
		Key: storeFormKey()}
	list, err := s.Care.Pairings(ctx, id)
	if err != nil {
		return err
	}
	today := chinatime.Midnight(time.Now())
	var ended []carePairingLine
	for _, pr := range list {
		l := carePairingLine{Pairing: pr, Who: pr.OrgName, Open: pr.OpenOn(today)}
		if pr.UserName != "" {
			l.Who = pr.UserName + " · " + pr.OrgName
		} else {
			l.Who = pr.OrgName + " · " + s.msgs.Get(v.Lang, "page.care.pair.team")
		}
		l.Period = fmt.Sprintf(s.msgs.Get(v.Lang, "page.care.pair.from"), pr.StartsOn.Format(time.DateOnly))
		if pr.EndsOn != nil {
			l.Period = fmt.Sprintf(s.msgs.Get(v.Lang, "page.care.pair.period"), pr.StartsOn.Format(time.DateOnly), pr.EndsOn.Format(time.DateOnly))
		}
		if l.Open {
			d.Pairings = append(d.Pairings, l)
		} else {
			ended = append(ended, l)
		}
	}
	d.Pairings = append(d.Pairings, ended...)
	if d.Who, err = s.carePairChoices(c, v.Lang, p.RegionCode); err != nil {
		return err
	}
	v.Data = d
	return s.render(c, status, "care_pairings", v)
}

// carePairChoices are the pairing form's choices of care.PairCandidates: for each organization the
// whole team, then its people by name. A value is "org" or "org:user".
func (s *server) carePairChoices(c *fiber.Ctx, lang, region string) ([]optionGroup, error) {
	teams, err := s.Care.PairCandidates(c.UserContext(), region)
	if err != nil {
		return nil, err
	}
	out := make([]optionGroup, 0, len(teams))
	for _, t := range teams {
		g := optionGroup{Label: t.OrgName, Options: []option{{Value: idString(t.OrgID),
			Label: t.OrgName + " · " + s.msgs.Get(lang, "page.care.pair.team")}}}
		for _, p := range t.People {
			g.Options = append(g.Options, option{Value: idString(t.OrgID) + ":" + idString(p.UserID), Label: p.Name + "（" + p.Phone + "）"})
		}
		out = append(out, g)
	}
	return out, nil
}

// parseWho reads the form's choice: an organization, and a volunteer of it or none (the team). A
// choice it cannot read is no organization (0), which the service refuses as missing.
func parseWho(v string) (orgID int64, userID *int64) {
	o, u, hasUser := strings.Cut(v, ":")
	orgID, _ = strconv.ParseInt(o, 10, 64)
	if hasUser {
		n, err := strconv.ParseInt(u, 10, 64)
		if err != nil || n <= 0 {
			return 0, nil
		}
		userID = &n
	}
	return orgID, userID
}

// carePairSubmit pairs the person with a volunteer or a team, as POST /api/v1/care/pairings does.
func (s *server) carePairSubmit(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	f := readForm(c, carePairFields...)
	orgID, userID := parseWho(f.Values["who"])
	_, err = s.Care.PairOnce(c.UserContext(), guard.Principal(c).Actor(), c.FormValue("key"), care.NewPairing{PersonID: id, OrgID: orgID, UserID: userID,
		StartsOn: f.Values["starts_on"], EndsOn: f.Values["ends_on"]})
	var fe *fields.Error
	if errors.As(err, &fe) { // the choice is one field on the page; the service names its parts
		bad := fields.Set{}
		for field, reason := range fe.Fields() {
			if field == "org_id" || field == "user_id" {
				field = "who"
			}
			bad[field] = reason
		}
		err = bad.Err(care.ErrInvalid)
	}
	if err != nil {
		status, err := s.failForm(c, &f, err, nil)
		if err != nil {
			return err
		}
		return s.renderCarePairings(c, status, f)
	}
	return redirect(c, carePairingsLink(id)+"?notice=care-paired")
}

// carePairEndSubmit ends a pairing today, as POST /api/v1/care/pairings/{id}/end does.
func (s *server) carePairEndSubmit(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	p, err := s.Care.EndPairing(c.UserContext(), guard.Principal(c).Actor(), id)
	if err != nil {
		return err
	}
	return redirect(c, carePairingsLink(p.PersonID)+"?notice=care-unpaired")
}

// carePairingsLink is a person's pairings page.
func carePairingsLink(id int64) string { return personLink(id) + "/pairings" }
