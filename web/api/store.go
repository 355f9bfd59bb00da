package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/store"
	"timebank/web/guard"
	"timebank/web/request"
)

// StoreItemsPage is a page of a store's items; Next is the cursor (?after=) of the following page.
type StoreItemsPage struct {
	Items []store.Item `json:"items"`
	Next  string       `json:"next,omitempty"`
}

// storeItemFilter reads ?q=, ?after= and ?limit= of an item list.
func storeItemFilter(c *fiber.Ctx) (store.ItemFilter, error) {
	after, limit, err := request.Page(c, store.MaxLimit)
	return store.ItemFilter{Query: c.Query("q"), After: after, Limit: limit}, err
}

// storeCatalog is what volunteers browse: the active items with what is available now. Anyone may
// look, signed in or not: a charity supermarket's shelves are no secret.
func (s *server) storeCatalog(c *fiber.Ctx) error {
	return s.itemList(c, true)
}

func (s *server) listItems(c *fiber.Ctx) error {
	return s.itemList(c, false)
}

func (s *server) itemList(c *fiber.Ctx, activeOnly bool) error {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return err
	}
	f, err := storeItemFilter(c)
	if err != nil {
		return err
	}
	f.ActiveOnly = activeOnly
	items, err := s.Store.Items(c.UserContext(), id, f)
	if err != nil {
		return err
	}
	page := StoreItemsPage{Items: items}
	if len(items) == f.Limit {
		page.Next = strconv.FormatInt(items[len(items)-1].ID, 10)
	}
	return c.JSON(page)
}

func (s *server) createItem(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id") // checked by the route's rule
	var req store.NewItem
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	it, err := s.Store.CreateItem(c.UserContext(), guard.Principal(c).Actor(), id, req)
	if err != nil {
		return err
	}
	c.Location("/api/v1/stores/" + strconv.FormatInt(id, 10) + "/items/" + strconv.FormatInt(it.ID, 10))
	return c.Status(fiber.StatusCreated).JSON(it)
}

func (s *server) updateItem(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	item, err := request.IDParam(c, "item")
	if err != nil {
		return err
	}
	var req store.NewItem
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	it, err := s.Store.UpdateItem(c.UserContext(), guard.Principal(c).Actor(), id, item, req)
	if err != nil {
		return err
	}
	return c.JSON(it)
}

func (s *server) getStorePolicy(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	p, err := s.Store.Policy(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (s *server) setStorePolicy(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	var req store.Policy
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.Store.SetPolicy(c.UserContext(), guard.Principal(c).Actor(), id, req)
	if err != nil {
		return err
	}
	return c.JSON(p)
}
