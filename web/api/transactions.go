package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/ledger"
	"timebank/web/guard"
	"timebank/web/request"
)

// decodeTransaction reads the body of POST /transactions. It is fuzzed: whatever the bytes, it
// returns an error or a request that passes Validate.
func decodeTransaction(body []byte, key, actor string) (ledger.TransactionRequest, error) {
	var req ledger.TransactionRequest
	if err := request.DecodeBody(body, &req); err != nil {
		return req, err
	}
	req.IdempotencyKey, req.CreatedBy = key, actor
	return req, req.Validate()
}

func (s *server) postTransaction(c *fiber.Ctx) error {
	key, err := request.IdempotencyKey(c)
	if err != nil {
		return err
	}
	if err := request.RequireJSON(c); err != nil {
		return err
	}
	req, err := decodeTransaction(c.BodyRaw(), key, guard.Actor(c))
	if err != nil {
		return err
	}
	res, err := s.Ledger.Post(c.UserContext(), req)
	if err != nil {
		return err
	}
	c.Location("/api/v1/transactions/" + strconv.FormatInt(res.Transaction.ID, 10))
	return request.Created(c, res.Replayed, res)
}

func (s *server) getTransaction(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	t, err := s.Ledger.Transaction(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(t)
}

// ReverseRequest is the optional body of POST /transactions/{id}/reverse.
type ReverseRequest struct {
	Memo string `json:"memo"`
}

func (s *server) reverseTransaction(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	var req ReverseRequest
	if len(c.BodyRaw()) > 0 {
		if err := request.DecodeJSON(c, &req); err != nil {
			return err
		}
	}
	res, err := s.Ledger.Reverse(c.UserContext(), id, guard.Actor(c), req.Memo)
	if err != nil {
		return err
	}
	return request.Created(c, res.Replayed, res)
}
