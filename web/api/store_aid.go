package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/store"
	"timebank/web/guard"
	"timebank/web/request"
)

// StoreHouseholdsPage is a page of a store's households by number; Next is the cursor (?after=).
type StoreHouseholdsPage struct {
	Households []store.Household `json:"households"`
	Next       string            `json:"next,omitempty"`
}

// StoreAidPage is a page of a store's allocations, newest first; Next is the cursor (?before=).
type StoreAidPage struct {
	Allocations []store.Aid `json:"allocations"`
	Next        string      `json:"next,omitempty"`
}

func (s *server) listHouseholds(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id") // checked by the route's rule
	after, limit, err := request.Page(c, store.MaxLimit)
	if err != nil {
		return err
	}
	list, err := s.Store.Households(c.UserContext(), id, store.HouseholdFilter{After: int(after), Limit: limit,
		ActiveOnly: c.Query("active") == "true"})
	if err != nil {
		return err
	}
	page := StoreHouseholdsPage{Households: list}
	if len(list) == limit {
		page.Next = strconv.FormatInt(int64(list[len(list)-1].Number), 10)
	}
	return c.JSON(page)
}

func (s *server) registerHousehold(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	var req store.NewHousehold
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	// The key is optional here: a registration without one is simply not deduplicated.
	h, err := s.Store.RegisterHousehold(c.UserContext(), guard.Principal(c).Actor(), id, c.Get("Idempotency-Key"), req)
	if err != nil {
		return err
	}
	c.Location("/api/v1/stores/" + strconv.FormatInt(id, 10) + "/households?after=" + strconv.FormatInt(int64(h.Number-1), 10) + "&limit=1")
	return request.Created(c, h.Replayed, h)
}

func (s *server) deactivateHousehold(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	hid, err := request.IDParam(c, "household")
	if err != nil {
		return err
	}
	h, err := s.Store.DeactivateHousehold(c.UserContext(), guard.Principal(c).Actor(), id, hid)
	if err != nil {
		return err
	}
	return c.JSON(h)
}

func (s *server) listAid(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	before, err := request.QueryID(c, "before")
	if err != nil {
		return err
	}
	household, err := request.QueryID(c, "household")
	if err != nil {
		return err
	}
	_, limit, err := request.Page(c, store.MaxLimit)
	if err != nil {
		return err
	}
	list, err := s.Store.Allocations(c.UserContext(), id, store.AidFilter{Household: household, Before: before, Limit: limit})
	if err != nil {
		return err
	}
	page := StoreAidPage{Allocations: list}
	if len(list) == limit {
		page.Next = strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	return c.JSON(page)
}

// allocateAid gives goods to a household; the caller sends one idempotency key per allocation.
func (s *server) allocateAid(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	key, err := request.IdempotencyKey(c)
	if err != nil {
		return err
	}
	var req store.NewAid
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	req.Store = id
	a, err := s.Store.Allocate(c.UserContext(), guard.Principal(c).Actor(), key, req)
	if err != nil {
		return err
	}
	c.Location("/api/v1/stores/" + strconv.FormatInt(id, 10) + "/aid?before=" + strconv.FormatInt(a.ID+1, 10) + "&limit=1")
	return request.Created(c, a.Replayed, a)
}
