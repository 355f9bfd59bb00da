package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/ledger"
	"timebank/web/request"
)

func (s *server) createAccount(c *fiber.Ctx) error {
	var req ledger.NewAccount
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	a, err := s.Ledger.CreateAccount(c.UserContext(), req)
	if err != nil {
		return err
	}
	c.Location("/api/v1/accounts/" + a.Code)
	return c.Status(fiber.StatusCreated).JSON(a)
}

func (s *server) getAccount(c *fiber.Ctx) error {
	code, err := request.CodeParam(c)
	if err != nil {
		return err
	}
	a, err := s.Ledger.Account(c.UserContext(), code)
	if err != nil {
		return err
	}
	return c.JSON(a)
}

func (s *server) getBalance(c *fiber.Ctx) error {
	code, err := request.CodeParam(c)
	if err != nil {
		return err
	}
	b, err := s.Ledger.Balance(c.UserContext(), code)
	if err != nil {
		return err
	}
	return c.JSON(b)
}

// EntriesPage is a page of an account's statement; Next is the cursor of the following page.
type EntriesPage struct {
	Entries []ledger.Entry `json:"entries"`
	Next    string         `json:"next,omitempty"`
}

func (s *server) listEntries(c *fiber.Ctx) error {
	code, err := request.CodeParam(c)
	if err != nil {
		return err
	}
	after, limit, err := request.Page(c, ledger.MaxPage)
	if err != nil {
		return err
	}
	entries, next, err := s.Ledger.Entries(c.UserContext(), code, after, limit)
	if err != nil {
		return err
	}
	page := EntriesPage{Entries: entries}
	if next > 0 {
		page.Next = strconv.FormatInt(next, 10)
	}
	return c.JSON(page)
}
