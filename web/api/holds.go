package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/ledger"
	"timebank/web/guard"
	"timebank/web/request"
)

func (s *server) createHold(c *fiber.Ctx) error {
	key, err := request.IdempotencyKey(c)
	if err != nil {
		return err
	}
	var req ledger.HoldRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	req.IdempotencyKey, req.CreatedBy = key, guard.Actor(c)
	res, err := s.Ledger.Hold(c.UserContext(), req)
	if err != nil {
		return err
	}
	c.Location("/api/v1/holds/" + strconv.FormatInt(res.Hold.ID, 10))
	return request.Created(c, res.Replayed, res)
}

func (s *server) getHold(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	h, err := s.Ledger.GetHold(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(h)
}

// CommitRequest is the optional body of POST /holds/{id}/commit; without an amount the whole hold
// is committed.
type CommitRequest struct {
	Amount *int64 `json:"amount"`
}

func (s *server) commitHold(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	var req CommitRequest
	if len(c.BodyRaw()) > 0 {
		if err := request.DecodeJSON(c, &req); err != nil {
			return err
		}
	}
	res, err := s.Ledger.CommitHold(c.UserContext(), id, req.Amount, guard.Actor(c))
	if err != nil {
		return err
	}
	return request.Created(c, res.Replayed, res)
}

func (s *server) voidHold(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	res, err := s.Ledger.VoidHold(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(res)
}
