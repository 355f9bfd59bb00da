package web

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/store"
	"timebank/web/guard"
	"timebank/web/request"
)

// storeRoutes are the JSON API of the charity supermarket: items, stock, donations, orders, the
// counter and walk-in sales. Routes about a store in the path act at that store; orders, the
// counter and sales name their store in the body or through the order, and the handlers check it.
func (s *server) storeRoutes() {
	at := func(a access.Action) guard.Rule { return guard.Allow(a, s.targets.Store) }
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/catalog", guard.Public(), s.storeCatalog)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/items", at(access.ReadStore), s.listItems)
	s.handle(fiber.MethodPost, "/api/v1/stores/:id/items", at(access.ManageCatalog), s.createItem)
	s.handle(fiber.MethodPut, "/api/v1/stores/:id/items/:item", at(access.ManageCatalog), s.updateItem)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/items/:item/photo", guard.Public(), s.getItemPhoto)
	s.handle(fiber.MethodPut, "/api/v1/stores/:id/items/:item/photo", at(access.ManageCatalog), s.putItemPhoto)
	s.handle(fiber.MethodDelete, "/api/v1/stores/:id/items/:item/photo", at(access.ManageCatalog), s.deleteItemPhoto)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/policy", at(access.ReadStore), s.getStorePolicy)
	s.handle(fiber.MethodPut, "/api/v1/stores/:id/policy", at(access.ManageCatalog), s.setStorePolicy)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/stock", at(access.ReadStore), s.getStock)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/warnings", at(access.ReadStore), s.getWarnings)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/journal", at(access.ReadStore), s.getJournal)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/report", at(access.ReadStore), s.getDayReport)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/orders", at(access.ReadStore), s.listStoreOrders)
	s.handle(fiber.MethodPost, "/api/v1/stores/:id/donations", at(access.ReceiveGoods), s.recordDonation)
	s.handle(fiber.MethodGet, "/api/v1/stores/:id/donations/:donation", at(access.ReadStore), s.getDonation)
	s.handle(fiber.MethodPost, "/api/v1/stores/:id/writeoffs", at(access.ManageStock), s.writeOff)
	s.handle(fiber.MethodPost, "/api/v1/stores/:id/writeoffs/expired", at(access.ManageStock), s.writeOffExpired)
	s.handle(fiber.MethodPost, "/api/v1/stores/:id/counts", at(access.ManageStock), s.countStock)

	s.handle(fiber.MethodPost, "/api/v1/orders", guard.SignedIn(), s.placeOrder)
	s.handle(fiber.MethodGet, "/api/v1/orders", guard.SignedIn(), s.myOrders)
	s.handle(fiber.MethodGet, "/api/v1/orders/:id", guard.SignedIn(), s.getOrder)
	s.handle(fiber.MethodPost, "/api/v1/orders/:id/cancel", guard.SignedIn(), s.cancelOrder)
	s.handle(fiber.MethodPost, "/api/v1/orders/:id/fulfil", guard.Allow(access.ServeCounter, s.orderStore), s.fulfilOrder)
	s.handle(fiber.MethodPost, "/api/v1/counter/scan", guard.Allow(access.ServeCounter, nil), s.counterScan)
	s.handle(fiber.MethodPost, "/api/v1/sales", guard.Allow(access.ServeCounter, nil), s.sell)
	s.storeAidRoutes()
}

// storeItemsPage is a page of a store's items; Next is the cursor (?after=) of the following page.
type storeItemsPage struct {
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
	items, err := s.store.Items(c.UserContext(), id, f)
	if err != nil {
		return err
	}
	page := storeItemsPage{Items: items}
	if len(items) == f.Limit {
		page.Next = itoa(items[len(items)-1].ID)
	}
	return c.JSON(page)
}

func (s *server) createItem(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id") // checked by the route's rule
	var req store.NewItem
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	it, err := s.store.CreateItem(c.UserContext(), guard.Principal(c).Actor(), id, req)
	if err != nil {
		return err
	}
	c.Location("/api/v1/stores/" + itoa(id) + "/items/" + itoa(it.ID))
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
	it, err := s.store.UpdateItem(c.UserContext(), guard.Principal(c).Actor(), id, item, req)
	if err != nil {
		return err
	}
	return c.JSON(it)
}

func (s *server) getStorePolicy(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	p, err := s.store.Policy(c.UserContext(), id)
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
	p, err := s.store.SetPolicy(c.UserContext(), guard.Principal(c).Actor(), id, req)
	if err != nil {
		return err
	}
	return c.JSON(p)
}
