package pages

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/pkg/access"
	"timebank/pkg/care"
	"timebank/pkg/chinatime"
	"timebank/pkg/store"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// carePersonView is a person's page: who they are (masked, or unmasked for the roles of their
// community and their paired volunteers, audited), their colour and its history, pairings, visits,
// the proposals visits raised, and the goods their household received from the store.
type carePersonView struct {
	Person      care.Person
	ColourLabel string
	Categories  string
	Consent     string
	MayUnmask   bool
	Manage      bool
	History     []careColourLine
	Pairings    []care.Pairing
	Visits      []careVisitLine
	Proposals   []careProposalLine
	Aid         []store.Aid
	Colours     []option
}

type careColourLine struct {
	care.ColourChange
	From, To, At, By, Why string
}

type careVisitLine struct {
	care.Visit
	At     string
	Length string
}

type careProposalLine struct {
	care.Proposal
	Label  string // what it proposes, worded
	Status string // worded
}

// proposalStatusKeys and consentKeys word a proposal's status and whose consent was taken.
var (
	proposalStatusKeys = map[string]string{"open": "page.care.proposal.status_open",
		"accepted": "page.care.proposal.status_accepted", "declined": "page.care.proposal.status_declined"}
	consentKeys = map[string]string{"self": "page.care.person.consent_self", "guardian": "page.care.person.consent_guardian"}
)

// carePersonPage shows a person of the registry to its readers and the volunteers paired with the
// person; ?unmask=1 opens name, address and phone for those allowed (the read is audited).
func (s *server) carePersonPage(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	p := guard.Principal(c)
	person, err := s.Care.Person(ctx, id)
	if err != nil {
		return err
	}
	t, err := s.Care.Target(ctx, person.RegionCode)
	if err != nil {
		return err
	}
	may, err := s.Care.MayUnmask(ctx, p, person)
	if err != nil {
		return err
	}
	if err := guard.Can(c, access.ReadCare, t); err != nil && !may {
		return err
	}
	if c.Query("unmask") == "1" && may {
		if person, err = s.Care.Unmasked(ctx, p, id); err != nil {
			return err
		}
	}
	v := s.newView(c, "page.care.person.title")
	v.Title = person.NameMasked + " · " + v.Title
	d := carePersonView{Person: person, MayUnmask: may, Manage: p.Can(access.ManageCare, t),
		ColourLabel: s.msgs.Get(v.Lang, colourKeys[person.Colour]), Categories: s.careCategories(v.Lang, person.Categories),
		Consent: s.msgs.Get(v.Lang, consentKeys[person.ConsentOf])}
	if err := s.carePersonHistory(c, v.Lang, &d); err != nil {
		return err
	}
	for _, col := range care.Colours {
		d.Colours = append(d.Colours, option{Value: col, Label: s.msgs.Get(v.Lang, colourKeys[col])})
	}
	v.Data = d
	return s.render(c, fiber.StatusOK, "care_person", v)
}

// carePersonHistory reads what the person's page lists below the person.
func (s *server) carePersonHistory(c *fiber.Ctx, lang string, d *carePersonView) error {
	ctx := c.UserContext()
	id := d.Person.ID
	history, err := s.Care.ColourHistory(ctx, id)
	if err != nil {
		return err
	}
	names := s.actorNames(lang)
	for _, h := range history {
		l := careColourLine{ColourChange: h, To: s.msgs.Get(lang, colourKeys[h.ToColour]),
			At: h.ChangedAt.In(chinatime.Zone()).Format("2006-01-02 15:04"), Why: h.Reason}
		if h.FromColour == nil && h.Reason == "registered" {
			l.Why = s.msgs.Get(lang, "page.care.person.registered")
		}
		if l.By, err = names.name(ctx, h.ChangedBy); err != nil {
			return err
		}
		if h.FromColour != nil {
			l.From = s.msgs.Get(lang, colourKeys[*h.FromColour])
		}
		d.History = append(d.History, l)
	}
	if d.Pairings, err = s.Care.Pairings(ctx, id); err != nil {
		return err
	}
	visits, err := s.Care.Visits(ctx, id)
	if err != nil {
		return err
	}
	for _, v := range visits {
		d.Visits = append(d.Visits, careVisitLine{Visit: v, At: v.StartedAt.In(chinatime.Zone()).Format("2006-01-02 15:04"),
			Length: fmt.Sprintf(s.msgs.Get(lang, "page.duration.minutes"), v.Minutes)})
	}
	props, err := s.Care.Proposals(ctx, id)
	if err != nil {
		return err
	}
	for _, p := range props {
		l := careProposalLine{Proposal: p, Label: s.msgs.Get(lang, "page.care.proposal.follow_up"),
			Status: s.msgs.Get(lang, proposalStatusKeys[p.Status])}
		if p.Colour != nil {
			l.Label = s.msgs.Get(lang, "page.care.proposal.colour") + " " + s.msgs.Get(lang, colourKeys[*p.Colour])
		}
		d.Proposals = append(d.Proposals, l)
	}
	if d.Person.HouseholdID != nil {
		storeID, err := s.Care.HouseholdStore(ctx, *d.Person.HouseholdID)
		if err != nil {
			return err
		}
		if d.Aid, err = s.Store.Allocations(ctx, storeID, store.AidFilter{Household: *d.Person.HouseholdID, Limit: 20}); err != nil {
			return err
		}
	}
	return nil
}

// careColourSubmit changes a person's colour from their page.
func (s *server) careColourSubmit(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	_, err := s.Care.ChangeColour(c.UserContext(), guard.Principal(c).Actor(), id,
		care.ColourRequest{Colour: c.FormValue("colour"), Reason: c.FormValue("reason")})
	var fe *fields.Error
	if errors.As(err, &fe) {
		return problem.BadRequest(firstField(fe), fe.Reason(firstField(fe)))
	} else if err != nil {
		return err
	}
	return redirect(c, personLink(id)+"#colours")
}

// careDecideSubmit accepts or declines a proposal from the person's page.
func (s *server) careDecideSubmit(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	p, err := s.Care.Decide(c.UserContext(), guard.Principal(c).Actor(), id, c.FormValue("accept") == "1")
	if err != nil {
		return err
	}
	return redirect(c, personLink(p.PersonID)+"#proposals")
}

// firstField is the first field a field error names (in a stable order).
func firstField(fe *fields.Error) string {
	best := ""
	for f := range fe.Fields() {
		if best == "" || f < best {
			best = f
		}
	}
	return best
}
