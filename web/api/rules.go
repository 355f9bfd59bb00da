package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/activity"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// HolidaysRequest is the body of PUT /api/v1/holidays/{year}: the year's holidays and make-up
// working days, which replace those entered before.
type HolidaysRequest struct {
	Days []activity.Holiday `json:"days"`
}

// yearParam reads the year in the path.
func yearParam(c *fiber.Ctx) (int, error) {
	y, err := strconv.Atoi(c.Params("year"))
	if err != nil || y < activity.MinHolidayYear || y > activity.MaxHolidayYear {
		return 0, problem.BadRequest("year", "range")
	}
	return y, nil
}

func (s *server) getHolidays(c *fiber.Ctx) error {
	year, err := yearParam(c)
	if err != nil {
		return err
	}
	out, err := s.Activities.Calendar().Year(c.UserContext(), year)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *server) setHolidays(c *fiber.Ctx) error {
	year, err := yearParam(c)
	if err != nil {
		return err
	}
	var req HolidaysRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	out, err := s.Activities.Calendar().SetYear(c.UserContext(), guard.By(c), year, req.Days)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// creditScope reads the level of a credit policy route: the organization or region in the path,
// or the platform; a region must exist.
func (s *server) creditScope(c *fiber.Ctx) (activity.CreditScope, error) {
	switch {
	case c.Params("id") != "":
		id, err := request.IDParam(c, "id")
		return activity.CreditScope{Kind: activity.ScopeOrg, OrgID: id}, err
	case c.Params("code") != "":
		r, err := s.Orgs.Region(c.UserContext(), c.Params("code"))
		return activity.CreditScope{Kind: activity.ScopeRegion, Region: r.Code}, err
	}
	return activity.CreditScope{Kind: activity.ScopePlatform}, nil
}

func (s *server) getCreditPolicy(c *fiber.Ctx) error {
	sc, err := s.creditScope(c)
	if err != nil {
		return err
	}
	v, err := s.Activities.CreditPolicy(c.UserContext(), sc)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (s *server) setCreditPolicy(c *fiber.Ctx) error {
	sc, err := s.creditScope(c)
	if err != nil {
		return err
	}
	var req activity.CreditPolicy
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	v, err := s.Activities.SetCreditPolicy(c.UserContext(), guard.By(c), sc, req)
	if err != nil {
		return err
	}
	return c.JSON(v)
}
