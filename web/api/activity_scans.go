package api

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/activity"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// kioskCode is what the kiosk screen shows: the activity's current check-in code (?kind=check_out
// for the check-out code), its URL, expiry and when to ask again.
func (s *server) kioskCode(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	checkOut, err := request.CheckOut(c)
	if err != nil {
		return err
	}
	code, err := s.Activities.KioskCode(c.UserContext(), id, checkOut)
	if err != nil {
		return err
	}
	return c.JSON(code)
}

// memberCode is the caller's single-use member code for their phone.
func (s *server) memberCode(c *fiber.Ctx) error {
	code, err := s.Activities.MemberCode(guard.Principal(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(code)
}

// scanKiosk is a signed-in volunteer scanning the kiosk's code: in, or out when already in.
func (s *server) scanKiosk(c *fiber.Ctx) error {
	var req activity.Scan
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	res, err := s.Activities.ScanKiosk(c.UserContext(), guard.Principal(c).UserID, req)
	if err != nil {
		return err
	}
	return c.JSON(res)
}

// scanMember is the coordinator or the kiosk device scanning a volunteer's member code at the
// activity in the path.
func (s *server) scanMember(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	var req activity.Scan
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	if req.ActivityID != 0 && req.ActivityID != id {
		return problem.BadRequest("activity_id", "not_this_activity")
	}
	res, err := s.Activities.ScanMember(c.UserContext(), guard.By(c), id, req)
	if err != nil {
		return err
	}
	return c.JSON(res)
}
