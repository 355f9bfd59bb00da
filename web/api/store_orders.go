package api

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/store"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// orderStore is the target of routes about the order in the path: its store.
func (s *server) orderStore(c *fiber.Ctx) (access.Target, error) {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return access.Target{}, err
	}
	storeID, err := s.Store.OrderStore(c.UserContext(), id)
	if err != nil {
		return access.Target{}, err
	}
	return s.Orgs.StoreTarget(c.UserContext(), storeID)
}

// placeOrder places the signed-in volunteer's order: stock reserved, credits held, pickup URL back.
func (s *server) placeOrder(c *fiber.Ctx) error {
	key, err := request.IdempotencyKey(c)
	if err != nil {
		return err
	}
	var req store.NewOrder
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	o, err := s.Store.PlaceOrder(c.UserContext(), guard.Principal(c).Actor(), key, req)
	if err != nil {
		return err
	}
	c.Location("/api/v1/orders/" + strconv.FormatInt(o.ID, 10))
	return request.Created(c, o.Replayed, o)
}

// StoreOrdersPage is a page of orders, newest first; Next is the cursor (?before=) of the next page.
type StoreOrdersPage struct {
	Orders []store.Order `json:"orders"`
	Next   string        `json:"next,omitempty"`
}

// storeOrderFilter reads ?status=, ?before= and ?limit= of an order list.
func storeOrderFilter(c *fiber.Ctx) (store.OrderFilter, error) {
	before, err := request.QueryID(c, "before")
	if err != nil {
		return store.OrderFilter{}, err
	}
	_, limit, err := request.Page(c, store.MaxLimit)
	return store.OrderFilter{Status: c.Query("status"), Before: before, Limit: limit}, err
}

func storeOrdersJSON(c *fiber.Ctx, orders []store.Order, limit int) error {
	page := StoreOrdersPage{Orders: orders}
	if len(orders) == limit {
		page.Next = strconv.FormatInt(orders[len(orders)-1].ID, 10)
	}
	return c.JSON(page)
}

// myOrders lists the signed-in volunteer's orders and sales.
func (s *server) myOrders(c *fiber.Ctx) error {
	f, err := storeOrderFilter(c)
	if err != nil {
		return err
	}
	orders, err := s.Store.OrdersOf(c.UserContext(), guard.Principal(c).UserID, f)
	if err != nil {
		return err
	}
	return storeOrdersJSON(c, orders, f.Limit)
}

func (s *server) listStoreOrders(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	f, err := storeOrderFilter(c)
	if err != nil {
		return err
	}
	orders, err := s.Store.StoreOrders(c.UserContext(), id, f)
	if err != nil {
		return err
	}
	return storeOrdersJSON(c, orders, f.Limit)
}

// ownOrStaff returns the order if the caller placed it, or may take the action at its store; to
// anyone else the order does not exist.
func (s *server) ownOrStaff(c *fiber.Ctx, a access.Action) (store.Order, bool, error) {
	id, err := request.IDParam(c, "id")
	if err != nil {
		return store.Order{}, false, err
	}
	o, err := s.Store.Order(c.UserContext(), id)
	if err != nil {
		return o, false, err
	}
	if o.UserID == guard.Principal(c).UserID {
		return o, true, nil
	}
	t, err := s.Orgs.StoreTarget(c.UserContext(), o.StoreID)
	if err != nil {
		return o, false, err
	}
	if !guard.Principal(c).Can(a, t) {
		return o, false, store.ErrOrderNotFound
	}
	return o, false, nil
}

// getOrder shows an order to the volunteer who placed it, with a fresh pickup code while it is
// pending, or to the store's staff.
func (s *server) getOrder(c *fiber.Ctx) error {
	o, own, err := s.ownOrStaff(c, access.ReadStore)
	if err != nil {
		return err
	}
	if own && o.Channel == store.ChannelOnline && o.Status == store.StatusPending {
		url, err := s.Store.PickupURL(c.UserContext(), o.UserID, o.ID)
		if err != nil && !errors.Is(err, store.ErrOrderExpired) {
			return err
		}
		o.PickupURL = url
	}
	return c.JSON(o)
}

// cancelOrder cancels an order for the volunteer who placed it, or at the store's counter.
func (s *server) cancelOrder(c *fiber.Ctx) error {
	o, _, err := s.ownOrStaff(c, access.ServeCounter)
	if err != nil {
		return err
	}
	o, err = s.Store.Cancel(c.UserContext(), guard.Principal(c).Actor(), o.ID)
	if err != nil {
		return err
	}
	return c.JSON(o)
}

// FulfilRequest says what was handed out; without lines, everything ordered.
type FulfilRequest struct {
	Lines []store.Handout `json:"lines"`
}

func (s *server) fulfilOrder(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	var req FulfilRequest
	if len(c.BodyRaw()) > 0 {
		if err := request.DecodeJSON(c, &req); err != nil {
			return err
		}
	}
	// The key is optional: with it, a retry after a lost answer is answered as the first was.
	o, err := s.Store.Fulfil(c.UserContext(), guard.Principal(c).Actor(), id, req.Lines, c.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	return c.JSON(o)
}

// CounterScanRequest is what the counter page sends when the scanner types a code. Store may be left out
// by a counter device or a clerk that serves one store only.
type CounterScanRequest struct {
	Token string `json:"token"`
	Store int64  `json:"store,omitempty"`
}

// counterStore returns the store the caller serves the counter of: the one named, which the caller
// must serve, or else the only store the caller serves.
func (s *server) counterStore(c *fiber.Ctx, named int64) (int64, error) {
	if named == 0 {
		scopes := guard.Principal(c).Scopes(access.ServeCounter)
		if len(scopes) != 1 || scopes[0].Kind != access.Store {
			return 0, problem.BadRequest("store", "required")
		}
		named = scopes[0].StoreID
	}
	t, err := s.Orgs.StoreTarget(c.UserContext(), named)
	if err != nil {
		return 0, err
	}
	return named, guard.Can(c, access.ServeCounter, t)
}

func (s *server) counterScan(c *fiber.Ctx) error {
	var req CounterScanRequest
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	if req.Token == "" {
		return problem.BadRequest("token", "required")
	}
	storeID, err := s.counterStore(c, req.Store)
	if err != nil {
		return err
	}
	res, err := s.Store.Scan(c.UserContext(), storeID, req.Token)
	if err != nil {
		return err
	}
	return c.JSON(res)
}

// sell makes a walk-in sale at the counter; the counter page sends one idempotency key per sale.
func (s *server) sell(c *fiber.Ctx) error {
	var req store.NewSale
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	if req.Store <= 0 {
		return problem.BadRequest("store", "required")
	}
	if _, err := s.counterStore(c, req.Store); err != nil {
		return err
	}
	key, err := request.IdempotencyKey(c)
	if err != nil {
		return err
	}
	sale, err := s.Store.Sell(c.UserContext(), guard.Principal(c).Actor(), key, req)
	if err != nil {
		return err
	}
	c.Location("/api/v1/orders/" + strconv.FormatInt(sale.Order.ID, 10))
	return request.Created(c, sale.Order.Replayed, sale)
}
