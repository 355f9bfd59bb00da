package api

import (
	"context"
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/web/guard"
	"timebank/web/request"
)

// disputeParam is the target of routes about the dispute in the path.
func (s *server) disputeParam(c *fiber.Ctx) (access.Target, error) {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return access.Target{}, err
	}
	orgID, err := s.Activities.DisputeOrg(c.UserContext(), id)
	if err != nil {
		return access.Target{}, err
	}
	return s.targets.OrgOf(c, orgID)
}

// myRecords is the caller's service: attendances and records, total verified time and stars.
func (s *server) myRecords(c *fiber.Ctx) error {
	after, err := request.After(c)
	if err != nil {
		return err
	}
	limit, err := intQuery(c, "limit", 0)
	if err != nil {
		return err
	}
	page, err := s.Activities.MyRecords(c.UserContext(), guard.Principal(c).UserID, after, limit)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

func (s *server) mySignups(c *fiber.Ctx) error {
	list, err := s.Activities.MySignups(c.UserContext(), guard.Principal(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(list)
}

func (s *server) myFamily(c *fiber.Ctx) error {
	list, err := s.Activities.Family(c.UserContext(), guard.Principal(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(list)
}

// getRecord shows a record with its revisions and disputes to its volunteer, and to those who may
// read the organization's records. To anyone else it does not exist.
func (s *server) getRecord(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	userID, orgID, err := s.Activities.RecordOwner(c.UserContext(), id)
	if err != nil {
		return err
	}
	if userID != guard.Principal(c).UserID {
		t, err := s.targets.OrgOf(c, orgID)
		if err != nil {
			return err
		}
		if !guard.Principal(c).Can(access.ReadActivities, t) {
			return activity.ErrRecordNotFound
		}
	}
	r, err := s.Activities.Record(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// ReasonRequest carries the reason of a dispute or of its dismissal.
type ReasonRequest struct {
	Reason string `json:"reason"`
}

func (s *server) disputeRecord(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	var req ReasonRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	d, err := s.Activities.Dispute(c.UserContext(), guard.Principal(c).UserID, id, req.Reason)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(d)
}

func (s *server) amendRecord(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	var req activity.Amendment
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.Activities.Amend(c.UserContext(), guard.By(c), id, req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

func (s *server) dismissDispute(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	var req ReasonRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	d, err := s.Activities.DismissDispute(c.UserContext(), guard.By(c), id, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// transfer gives credits to a family member or donates them to the pool; Idempotency-Key required.
func (s *server) transfer(c *fiber.Ctx) error {
	key, err := request.IdempotencyKey(c)
	if err != nil {
		return err
	}
	var req activity.TransferRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	me := guard.Principal(c).UserID
	var t activity.Transfer
	var replayed bool
	err = s.guard.Transfer(c, me, func(ctx context.Context) (err error) {
		t, replayed, err = s.Activities.Transfer(ctx, me, key, req)
		return err
	})
	if err != nil {
		return err
	}
	return request.Created(c, replayed, t)
}
