package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/ledger"
)

func (s *server) createAccount(c *fiber.Ctx) error {
	var req ledger.NewAccount
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	a, err := s.ledger.CreateAccount(c.UserContext(), req)
	if err != nil {
		return err
	}
	c.Location("/api/v1/accounts/" + a.Code)
	return c.Status(fiber.StatusCreated).JSON(a)
}

func (s *server) getAccount(c *fiber.Ctx) error {
	code, err := codeParam(c)
	if err != nil {
		return err
	}
	a, err := s.ledger.Account(c.UserContext(), code)
	if err != nil {
		return err
	}
	return c.JSON(a)
}

func (s *server) getBalance(c *fiber.Ctx) error {
	code, err := codeParam(c)
	if err != nil {
		return err
	}
	b, err := s.ledger.Balance(c.UserContext(), code)
	if err != nil {
		return err
	}
	return c.JSON(b)
}

// entriesPage is a page of an account's statement; Next is the cursor of the following page.
type entriesPage struct {
	Entries []ledger.Entry `json:"entries"`
	Next    string         `json:"next,omitempty"`
}

func (s *server) listEntries(c *fiber.Ctx) error {
	code, err := codeParam(c)
	if err != nil {
		return err
	}
	after, limit := int64(0), 50
	if v := c.Query("after"); v != "" {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil || after < 0 {
			return badRequest("after", "not_a_number")
		}
	}
	if v := c.Query("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > ledger.MaxPage {
			return badRequest("limit", "range")
		}
	}
	entries, next, err := s.ledger.Entries(c.UserContext(), code, after, limit)
	if err != nil {
		return err
	}
	page := entriesPage{Entries: entries}
	if next > 0 {
		page.Next = strconv.FormatInt(next, 10)
	}
	return c.JSON(page)
}
