package api

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

func (s *server) listCategories(c *fiber.Ctx) error {
	cats, err := s.Activities.Categories(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(cats)
}

// createActivities creates an activity (or a weekly series) for the organization in the body.
func (s *server) createActivities(c *fiber.Ctx) error {
	var req activity.NewActivity
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	if req.OrgID <= 0 {
		return problem.BadRequest("org_id", "required")
	}
	t, err := s.targets.OrgOf(c, req.OrgID)
	if err != nil {
		return err
	}
	if err := guard.Can(c, access.ManageActivities, t); err != nil {
		return err
	}
	as, err := s.Activities.CreateActivities(c.UserContext(), guard.By(c), req)
	if err != nil {
		return err
	}
	c.Location("/api/v1/activities/" + strconv.FormatInt(as[0].ID, 10))
	return c.Status(fiber.StatusCreated).JSON(as)
}

// listActivities lists open activities near a point, of one organization, or (with neither) of the
// organizations the caller belongs to.
func (s *server) listActivities(c *fiber.Ctx) error {
	q := activity.ListQuery{Cursor: c.Query("cursor")}
	var err error
	if q.Limit, err = intQuery(c, "limit", 0); err != nil {
		return err
	}
	if q.RadiusM, err = intQuery(c, "radius_m", 0); err != nil {
		return err
	}
	if v := c.Query("near"); v != "" {
		lat, lng, ok := strings.Cut(v, ",")
		la, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
		ln, err2 := strconv.ParseFloat(strings.TrimSpace(lng), 64)
		if !ok || err1 != nil || err2 != nil {
			return problem.BadRequest("near", "format")
		}
		q.Near = &activity.Position{Lat: la, Lng: ln}
	}
	if v := c.Query("org"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return problem.BadRequest("org", "not_a_number")
		}
		q.OrgIDs = []int64{id}
	} else if q.Near == nil {
		q.OrgIDs = []int64{}
		for _, g := range guard.Principal(c).Grants {
			if g.Kind == access.Org {
				q.OrgIDs = append(q.OrgIDs, g.OrgID)
			}
		}
	}
	page, err := s.Activities.Activities(c.UserContext(), q)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

// intQuery reads an optional integer query parameter.
func intQuery(c *fiber.Ctx, name string, def int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, problem.BadRequest(name, "not_a_number")
	}
	return n, nil
}

func (s *server) getActivity(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	a, err := s.Activities.Activity(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(a)
}

// signUp takes a place for the caller: 201 the first time, 200 when they already had one.
func (s *server) signUp(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	su, created, err := s.Activities.SignUp(c.UserContext(), id, guard.Principal(c).UserID)
	if err != nil {
		return err
	}
	if created {
		return c.Status(fiber.StatusCreated).JSON(su)
	}
	return c.JSON(su)
}

func (s *server) cancelSignup(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	su, err := s.Activities.CancelSignup(c.UserContext(), id, guard.Principal(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(su)
}
