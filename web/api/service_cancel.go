package api

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/servicedesk"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// CancelBody is why a request is called off; the reason is optional.
type CancelBody struct {
	Reason string `json:"reason,omitempty"`
}

// cancelServiceRequest calls off a request that waits or is taken, before the visit begins: the
// resident with the access key in X-Access-Key, or a signed-in person who may act for the request's
// residents (a dispatcher of its team, a grid worker of its community) without it. Cancelling again
// answers the request as it is.
func (s *server) cancelServiceRequest(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	var body CancelBody
	if err := request.DecodeJSON(c, &body); err != nil {
		return err
	}
	can := servicedesk.Cancellation{Access: c.Get(HeaderAccessKey), Reason: body.Reason}
	if p := guard.Principal(c); p != nil && p.UserID != 0 {
		if can.By, err = s.ServiceDesk.ConfirmerOf(c.UserContext(), p, id); err != nil {
			return err
		}
		if can.By == nil && can.Access == "" {
			return fiber.ErrForbidden
		}
	} else if can.Access == "" {
		return problem.BadRequest("access", "required")
	}
	r, err := s.ServiceDesk.Cancel(c.UserContext(), id, can)
	if err != nil {
		return err
	}
	return c.JSON(r)
}
