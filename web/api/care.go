package api

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/care"
	"timebank/pkg/chinatime"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// CarePeoplePage is a page of a region's registry, masked; Next is the cursor (?after=).
type CarePeoplePage struct {
	People []care.Person `json:"people"`
	Next   string        `json:"next,omitempty"`
}

// CareCard is the code of a person's card: the token and the URL its QR code carries.
type CareCard struct {
	Token string `json:"token"`
	URL   string `json:"url"`
}

// DecideRequest accepts or declines a proposal.
type DecideRequest struct {
	Accept bool `json:"accept"`
}

func (s *server) listCarePeople(c *fiber.Ctx) error {
	code := c.Query("region") // checked by the route's rule
	after, limit, err := request.Page(c, 200)
	if err != nil {
		return err
	}
	list, err := s.Care.People(c.UserContext(), code, after, limit)
	if err != nil {
		return err
	}
	page := CarePeoplePage{People: list}
	if page.People == nil {
		page.People = []care.Person{}
	}
	if len(list) == limit {
		page.Next = strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	return c.JSON(page)
}

// registerCarePerson registers a person in the region the body names, for whoever manages care there,
// once per the caller's idempotency key.
func (s *server) registerCarePerson(c *fiber.Ctx) error {
	var req care.NewPerson
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return err
	}
	t, err := s.Care.Target(c.UserContext(), req.RegionCode)
	if err != nil {
		return err
	}
	if err := guard.Can(c, access.ManageCare, t); err != nil {
		return err
	}
	key, err := request.IdempotencyKey(c) // after the rule: a caller without it is refused whatever they send
	if err != nil {
		return err
	}
	p, err := s.Care.RegisterOnce(c.UserContext(), guard.Principal(c).Actor(), key, req)
	if err != nil {
		return err
	}
	c.Location("/api/v1/care/people/" + strconv.FormatInt(p.ID, 10))
	return request.Created(c, p.Replayed, p)
}

// getCarePerson answers the person masked to the registry's readers; ?unmask=true opens name,
// address and phone for the roles of the person's community and the paired volunteers (audited).
func (s *server) getCarePerson(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	if c.Query("unmask") == "true" {
		p, err := s.Care.Unmasked(c.UserContext(), guard.Principal(c), id)
		if err != nil {
			return err
		}
		return c.JSON(p)
	}
	p, err := s.Care.Person(c.UserContext(), id)
	if err != nil {
		return err
	}
	// The registry's readers, and the volunteers paired with the person.
	t, err := s.Care.Target(c.UserContext(), p.RegionCode)
	if err != nil {
		return err
	}
	if err := guard.Can(c, access.ReadCare, t); err != nil {
		if ok, e := s.Care.MayUnmask(c.UserContext(), guard.Principal(c), p); e != nil || !ok {
			return err
		}
	}
	return c.JSON(p)
}

func (s *server) careColours(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	h, err := s.Care.ColourHistory(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(h)
}

func (s *server) changeCareColour(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	var req care.ColourRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.Care.ChangeColour(c.UserContext(), guard.Principal(c).Actor(), id, req)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (s *server) careVisitsOf(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	v, err := s.Care.Visits(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (s *server) carePairingsOf(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	p, err := s.Care.Pairings(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (s *server) careProposalsOf(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	p, err := s.Care.Proposals(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (s *server) careCard(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	tok, url, err := s.Care.Card(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(CareCard{Token: tok, URL: url})
}

// pairCare pairs a person with a volunteer or a team, for whoever manages care where the person is,
// once per the caller's idempotency key.
func (s *server) pairCare(c *fiber.Ctx) error {
	var req care.NewPairing
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	if req.PersonID <= 0 {
		return problem.BadRequest("person_id", "required")
	}
	t, err := s.Care.PersonTarget(c.UserContext(), req.PersonID)
	if err != nil {
		return err
	}
	if err := guard.Can(c, access.ManageCare, t); err != nil {
		return err
	}
	key, err := request.IdempotencyKey(c)
	if err != nil {
		return err
	}
	p, err := s.Care.PairOnce(c.UserContext(), guard.Principal(c).Actor(), key, req)
	if err != nil {
		return err
	}
	return request.Created(c, p.Replayed, p)
}

func (s *server) endCarePairing(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	p, err := s.Care.EndPairing(c.UserContext(), guard.Principal(c).Actor(), id)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// myCareVisits is the signed-in volunteer's list: the people they are paired with, next due first.
func (s *server) myCareVisits(c *fiber.Ctx) error {
	p := guard.Principal(c)
	list, err := s.Care.VisitList(c.UserContext(), p.UserID, care.MemberOrgs(p))
	if err != nil {
		return err
	}
	return c.JSON(list)
}

func (s *server) recordCareVisit(c *fiber.Ctx) error {
	key, err := request.IdempotencyKey(c)
	if err != nil {
		return err
	}
	var req care.NewVisit
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	v, err := s.Care.RecordVisit(c.UserContext(), guard.Principal(c), key, req)
	if err != nil {
		return err
	}
	return request.Created(c, v.Replayed, v)
}

func (s *server) decideCareProposal(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	var req DecideRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.Care.Decide(c.UserContext(), guard.Principal(c).Actor(), id, req.Accept)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (s *server) careBoard(c *fiber.Ctx) error {
	b, err := s.Care.Board(c.UserContext(), c.Params("code"))
	if err != nil {
		return err
	}
	return c.JSON(b)
}

func (s *server) getCareFrequency(c *fiber.Ctx) error {
	v, err := s.Care.Frequency(c.UserContext(), c.Params("code"))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (s *server) setCareFrequency(c *fiber.Ctx) error {
	var req care.FrequencySetting
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	v, err := s.Care.SetFrequency(c.UserContext(), guard.Principal(c).Actor(), c.Params("code"), req)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// careVisitRate is the monthly visit rate of the region's communities (?month=YYYY-MM, default this month).
func (s *server) careVisitRate(c *fiber.Ctx) error {
	month := time.Now().In(chinatime.Zone())
	if m := c.Query("month"); m != "" {
		var err error
		if month, err = time.ParseInLocation("2006-01", m, chinatime.Zone()); err != nil {
			return problem.BadRequest("month", "date")
		}
	}
	r, err := s.Care.VisitRate(c.UserContext(), c.Params("code"), month)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (s *server) updateCarePerson(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	var req care.PersonChange
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.Care.UpdatePerson(c.UserContext(), guard.Principal(c).Actor(), id, req)
	if err != nil {
		return err
	}
	return c.JSON(p)
}
