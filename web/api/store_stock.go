package api

import (
	"context"
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	who "timebank/pkg/principal"
	"timebank/pkg/store"
	"timebank/web/guard"
	"timebank/web/problem"
	"timebank/web/request"
)

// StoreStockPage is a page of a store's stock, item by item with their lots.
type StoreStockPage struct {
	Items []store.StockItem `json:"items"`
	Next  string            `json:"next,omitempty"`
}

func (s *server) getStock(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	f, err := storeItemFilter(c)
	if err != nil {
		return err
	}
	items, err := s.Store.Stock(c.UserContext(), id, f)
	if err != nil {
		return err
	}
	page := StoreStockPage{Items: items}
	if len(items) == f.Limit {
		page.Next = strconv.FormatInt(items[len(items)-1].Item.ID, 10)
	}
	return c.JSON(page)
}

// StoreWarnings is what the store manager should act on.
type StoreWarnings struct {
	Warnings []store.Warning `json:"warnings"`
}

func (s *server) getWarnings(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	w, err := s.Store.Warnings(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(StoreWarnings{Warnings: w})
}

// StoreJournalPage is a page of the stock journal, oldest first.
type StoreJournalPage struct {
	Movements []store.Movement `json:"movements"`
	Next      string           `json:"next,omitempty"`
}

func (s *server) getJournal(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	after, limit, err := request.Page(c, store.MaxLimit)
	if err != nil {
		return err
	}
	lot, err := request.QueryID(c, "lot")
	if err != nil {
		return err
	}
	item, err := request.QueryID(c, "item")
	if err != nil {
		return err
	}
	ms, err := s.Store.Journal(c.UserContext(), id, store.JournalFilter{LotID: lot, ItemID: item, After: after, Limit: limit})
	if err != nil {
		return err
	}
	page := StoreJournalPage{Movements: ms}
	if len(ms) == limit {
		page.Next = strconv.FormatInt(ms[len(ms)-1].ID, 10)
	}
	return c.JSON(page)
}

func (s *server) getDayReport(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	day := c.Query("day")
	if day == "" {
		day = s.Store.Today()
	}
	r, err := s.Store.DayReport(c.UserContext(), id, day)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (s *server) recordDonation(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	key, err := request.IdempotencyKey(c)
	if err != nil {
		return err
	}
	var req store.NewDonation
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	a, err := s.Store.RecordDonation(c.UserContext(), guard.Principal(c).Actor(), id, key, req)
	if err != nil {
		return s.donationProblem(c.UserContext(), id, req, err)
	}
	c.Location("/api/v1/stores/" + strconv.FormatInt(id, 10) + "/donations/" + strconv.FormatInt(a.DonationID, 10))
	return request.Created(c, a.Replayed, a)
}

func (s *server) getDonation(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	donation, err := request.IDParam(c, "donation")
	if err != nil {
		return err
	}
	a, err := s.Store.Acknowledgement(c.UserContext(), id, donation)
	if err != nil {
		return err
	}
	return c.JSON(a)
}

func (s *server) writeOff(c *fiber.Ctx) error {
	return s.adjustStock(c, s.Store.WriteOff)
}

func (s *server) countStock(c *fiber.Ctx) error {
	return s.adjustStock(c, s.Store.Count)
}

// adjustStock records a write-off or a count.
func (s *server) adjustStock(c *fiber.Ctx, do func(ctx context.Context, a *who.Principal, storeID int64, key string, n store.NewAdjustment) (store.Adjustment, error)) error {
	id, _ := request.IDParam(c, "id")
	key, err := request.IdempotencyKey(c)
	if err != nil {
		return err
	}
	var req store.NewAdjustment
	if err := request.DecodeJSON(c, &req); err != nil {
		return err
	}
	a, err := do(c.UserContext(), guard.Principal(c).Actor(), id, key, req)
	if err != nil {
		return err
	}
	return request.Created(c, a.Replayed, a)
}

func (s *server) writeOffExpired(c *fiber.Ctx) error {
	id, _ := request.IDParam(c, "id")
	key, err := request.IdempotencyKey(c)
	if err != nil {
		return err
	}
	a, err := s.Store.WriteOffExpired(c.UserContext(), guard.Principal(c).Actor(), id, key)
	if err != nil {
		return err
	}
	return request.Created(c, a.Replayed, a)
}

// donationProblem answers a refused donation: a refusal of several lines lists each line with its
// item's name and a message that says, for food with too little shelf life left, its best-before
// date and the share the store's policy asks for. Other errors pass unchanged to the error handler.
func (s *server) donationProblem(ctx context.Context, storeID int64, n store.NewDonation, err error) error {
	var les *store.LineErrors
	if !errors.As(err, &les) {
		return err
	}
	p, perr := s.Store.Policy(ctx, storeID)
	if perr != nil {
		return perr
	}
	status, slug := problem.ClassifyStore(err)
	pe := &problem.Error{Status: status, Slug: slug}
	pe.Fields, _, _ = problem.StoreLines(s.msgs, "", slug, err)
	pe.Lines = func(lang string) []problem.LineProblem {
		out := make([]problem.LineProblem, len(les.Lines))
		for i, le := range les.Lines {
			out[i] = problem.LineProblem{Line: le.Line, Item: le.Item, Name: le.Name, Field: le.Field, Reason: le.Reason,
				Message: problem.DonationLineMessage(s.msgs, lang, le, n.Lines, p, slug)}
		}
		return out
	}
	return pe
}
