package api

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/servicedesk"
	"timebank/web/guard"
	"timebank/web/request"
)

// DeskView is a desk with its printed code.
type DeskView struct {
	servicedesk.Desk
	Code servicedesk.DeskCode `json:"code"`
}

// listServiceDesks lists the organization's desks with their printed codes.
func (s *server) listServiceDesks(c *fiber.Ctx) error {
	orgID, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	desks, err := s.ServiceDesk.Desks(c.UserContext(), orgID)
	if err != nil {
		return err
	}
	out := make([]DeskView, len(desks))
	for i, d := range desks {
		code, err := s.ServiceDesk.Code(d)
		if err != nil {
			return err
		}
		out[i] = DeskView{Desk: d, Code: code}
	}
	return c.JSON(out)
}

// createServiceDesk opens a desk of the organization for a community.
func (s *server) createServiceDesk(c *fiber.Ctx) error {
	orgID, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	var body servicedesk.NewDesk
	if err := request.DecodeJSON(c, &body); err != nil {
		return err
	}
	body.OrgID = orgID
	d, err := s.ServiceDesk.CreateDesk(c.UserContext(), guard.Principal(c).Actor(), body)
	if err != nil {
		return err
	}
	code, err := s.ServiceDesk.Code(d)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(DeskView{Desk: d, Code: code})
}

// serviceQueue is the coordinator's queue of finished requests the residents have not confirmed,
// with the deadline records have.
func (s *server) serviceQueue(c *fiber.Ctx) error {
	orgID, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	w, err := s.ServiceDesk.Waiting(c.UserContext(), orgID)
	if err != nil {
		return err
	}
	return c.JSON(w)
}

// serviceStanding is how residents rated the organization's services, each average with its count.
func (s *server) serviceStanding(c *fiber.Ctx) error {
	orgID, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	st, err := s.ServiceDesk.Standing(c.UserContext(), orgID)
	if err != nil {
		return err
	}
	return c.JSON(st)
}

// unansweredServiceRequests lists the region's requests nobody answered within their desk's
// promise, masked, for the street to step in.
func (s *server) unansweredServiceRequests(c *fiber.Ctx) error {
	rs, err := s.ServiceDesk.Unanswered(c.UserContext(), c.Params("code"), 0)
	if err != nil {
		return err
	}
	return c.JSON(rs)
}
