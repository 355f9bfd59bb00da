package api

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// listAttendances is the activity's verification queue: attendances with previews and warnings,
// and the records' deadline.
func (s *server) listAttendances(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	after, err := request.After(c)
	if err != nil {
		return err
	}
	limit, err := intQuery(c, "limit", 0)
	if err != nil {
		return err
	}
	q, err := s.Activities.Attendances(c.UserContext(), id, after, limit)
	if err != nil {
		return err
	}
	return c.JSON(q)
}

// verifyAttendances decides a batch. The caller must be allowed to verify hours at the organization
// of every attendance in it.
func (s *server) verifyAttendances(c *fiber.Ctx) error {
	var req activity.VerifyRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	if len(req.IDs) == 0 || len(req.IDs) > activity.MaxBatch {
		return problem.BadRequest("ids", "range")
	}
	orgs, err := s.Activities.AttendanceOrgs(c.UserContext(), req.IDs)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		t, err := s.targets.OrgOf(c, o)
		if err != nil {
			return err
		}
		if err := guard.Can(c, access.VerifyHours, t); err != nil {
			return err
		}
	}
	res, err := s.Activities.Verify(c.UserContext(), guard.By(c), req)
	if err != nil {
		return err
	}
	return c.JSON(VerifyResponse{Results: res})
}

// VerifyResponse is the outcome of each attendance of a batch.
type VerifyResponse struct {
	Results []activity.VerifyResult `json:"results"`
}

// addManualHours adds hours by hand for a volunteer at the activity, to be approved by a second person.
func (s *server) addManualHours(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	var req activity.ManualHours
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	att, err := s.Activities.AddManual(c.UserContext(), guard.By(c), id, req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(att)
}

// pendingActivities lists the organization's activities waiting for verification, most urgent first.
func (s *server) pendingActivities(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	list, err := s.Activities.PendingActivities(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(list)
}

func (s *server) getPolicy(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	p, err := s.Activities.Policy(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (s *server) setPolicy(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	var req activity.Policy
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.Activities.SetPolicy(c.UserContext(), guard.By(c), id, req)
	if err != nil {
		return err
	}
	return c.JSON(p)
}
