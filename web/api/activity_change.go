package api

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/activity"
	"timebank/web/guard"
	"timebank/web/request"
)

// CancelRequest carries why an activity is called off; the volunteers signed up are told it.
type CancelRequest struct {
	Reason string `json:"reason"`
}

// updateActivity changes the activity in the path before it starts: the fields given, the others
// as they are. A retried change sets the same values again: it counts a revision but tells nobody
// again, since neither time nor place moved.
func (s *server) updateActivity(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	var req activity.ActivityChange
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	a, err := s.Activities.UpdateActivity(c.UserContext(), guard.By(c), id, req)
	if err != nil {
		return err
	}
	return c.JSON(a)
}

// cancelActivity calls the activity in the path off, with a reason. Cancelling again answers the
// activity as it was cancelled the first time.
func (s *server) cancelActivity(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	var req CancelRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	a, err := s.Activities.CancelActivity(c.UserContext(), guard.By(c), id, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(a)
}
