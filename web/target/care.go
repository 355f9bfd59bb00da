package target

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/care"
	"timebank/pkg/org"
	"timebank/web/problem"
	"timebank/web/request"
)

// Care finds the targets of routes about the care registry: the region of the person (of the
// pairing, of the proposal) in the path, with the organizations of that community or street.
type Care struct {
	reg *care.Service
}

// Care returns the finder of the care registry's targets.
func (f *Finder) Care(reg *care.Service) Care { return Care{reg: reg} }

// Region is the target of routes about the people of the region in the path (:code).
func (t Care) Region(c *fiber.Ctx) (access.Target, error) {
	code := c.Params("code")
	if _, err := org.DivisionLevel(code); err != nil || len(code) != 12 {
		return access.Target{}, problem.BadRequest("code", "division_code")
	}
	return t.reg.Target(c.UserContext(), code)
}

// RegionQuery is the target of routes about the people of the region in the query (?region=).
func (t Care) RegionQuery(c *fiber.Ctx) (access.Target, error) {
	code := c.Query("region")
	if _, err := org.DivisionLevel(code); err != nil || len(code) != 12 {
		return access.Target{}, problem.BadRequest("region", "division_code")
	}
	return t.reg.Target(c.UserContext(), code)
}

// Person is the target of routes about the person in the path (:id).
func (t Care) Person(c *fiber.Ctx) (access.Target, error) {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return access.Target{}, err
	}
	return t.reg.PersonTarget(c.UserContext(), id)
}

// Pairing is the target of routes about the pairing in the path (:id).
func (t Care) Pairing(c *fiber.Ctx) (access.Target, error) {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return access.Target{}, err
	}
	return t.reg.PairingTarget(c.UserContext(), id)
}

// Proposal is the target of routes about the proposal in the path (:id).
func (t Care) Proposal(c *fiber.Ctx) (access.Target, error) {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return access.Target{}, err
	}
	return t.reg.ProposalTarget(c.UserContext(), id)
}
