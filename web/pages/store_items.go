package pages

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/store"
	"timebank/web/guard"
	"timebank/web/request"
)

// itemsView is the catalogue as its manager sees it: every item, offered or not, with its price,
// rules and stock.
type itemsView struct {
	Store storeHead
	Items []itemRow
	Saved bool
	More  string
}

type itemRow struct {
	store.Item
	Category string
	Rules    []string
}

// itemsPage lists the store's items for its manager.
func (s *server) itemsPage(c *fiber.Ctx) error {
	v := s.newView(c, "page.store.items.title")
	head, err := s.storeHead(c, v.Lang, "items")
	if err != nil {
		return err
	}
	after, err := request.QueryID(c, "after")
	if err != nil {
		return err
	}
	f := store.ItemFilter{Query: c.Query("q"), After: after, Limit: store.MaxLimit}
	items, err := s.Store.Items(c.UserContext(), head.ID, f)
	if err != nil {
		return err
	}
	data := itemsView{Store: head, Saved: c.Query("done") == "saved"}
	for _, it := range items {
		data.Items = append(data.Items, itemRow{Item: it, Category: s.storeLabel(v.Lang, categoryLabels, it.Category), Rules: s.itemRules(v.Lang, it)})
	}
	if len(items) == f.Limit {
		data.More = "/stores/" + strconv.FormatInt(head.ID, 10) + "/items?q=" + url.QueryEscape(f.Query) + "&after=" + strconv.FormatInt(items[len(items)-1].ID, 10)
	}
	v.Data = data
	return s.render(c, fiber.StatusOK, "store_items", v)
}

// itemFormView is the form of a new item or of an item being changed.
type itemFormView struct {
	Store      storeHead
	ItemID     int64 // 0 for a new item
	Action     string
	Categories []storeChoice
	Periods    []storeChoice
	Photo      string // the URL of the item's photo; "" without one
}

// itemFields are the item form's fields, top to bottom.
var itemFields = []string{"name", "category", "unit", "price", "limit_qty", "limit_period", "min_stars", "low_stock", "active"}

// itemNewPage shows the form of a new item.
func (s *server) itemNewPage(c *fiber.Ctx) error {
	f := form{Values: map[string]string{"category": "daily", "active": "1", "min_stars": "0", "low_stock": "0"},
		Errors: map[string]string{}, order: itemFields}
	return s.renderItemForm(c, fiber.StatusOK, 0, f)
}

// itemEditPage shows the form of an item with what it says now.
func (s *server) itemEditPage(c *fiber.Ctx) error {
	id, f, err := s.itemEditForm(c)
	if err != nil {
		return err
	}
	return s.renderItemForm(c, fiber.StatusOK, id, f)
}

// itemEditForm reads the item of the path and fills its form with what it says now.
func (s *server) itemEditForm(c *fiber.Ctx) (int64, form, error) {
	storeID, _ := request.IDParam(c, "store")
	id, err := request.IDParam(c, "item")
	if err != nil {
		return 0, form{}, err
	}
	it, err := s.Store.Item(c.UserContext(), storeID, id)
	if err != nil {
		return 0, form{}, err
	}
	f := form{Values: map[string]string{"name": it.Name, "category": it.Category, "unit": it.Unit,
		"price": formatHoursInput(it.Price, s.msgs.Get(s.msgs.Lang(c), "page.duration.minutes")), "limit_qty": strconv.Itoa(it.LimitQty), "limit_period": string(it.LimitPeriod),
		"min_stars": strconv.Itoa(it.MinStars), "low_stock": strconv.Itoa(it.LowStock)}, Errors: map[string]string{}, order: itemFields}
	if it.Active {
		f.Values["active"] = "1"
	}
	return id, f, nil
}

func (s *server) renderItemForm(c *fiber.Ctx, status int, id int64, f form) error {
	title := "page.store.item.new_title"
	if id != 0 {
		title = "page.store.item.edit_title"
	}
	v := s.newView(c, title)
	head, err := s.storeHead(c, v.Lang, "items")
	if err != nil {
		return err
	}
	data := itemFormView{Store: head, ItemID: id, Action: "/stores/" + strconv.FormatInt(head.ID, 10) + "/items",
		Categories: s.storeChoices(v.Lang, categoryLabels, store.Categories),
		Periods: append([]storeChoice{{Value: "", Label: s.msgs.Get(v.Lang, "page.store.period.none")}},
			s.storeChoices(v.Lang, map[string]string{"week": periodNames[store.Week], "month": periodNames[store.Month],
				"quarter": periodNames[store.Quarter]}, []string{"week", "month", "quarter"})...)}
	if id != 0 {
		data.Action += "/" + strconv.FormatInt(id, 10)
		if it, err := s.Store.Item(c.UserContext(), head.ID, id); err == nil && it.HasPhoto {
			data.Photo = ItemPhotoURL(it)
		}
	}
	v.Form = f
	v.Data = data
	return s.render(c, status, "store_item", v)
}

// itemCreateSubmit adds the item to the catalogue.
func (s *server) itemCreateSubmit(c *fiber.Ctx) error {
	return s.itemSubmit(c, 0)
}

// itemUpdateSubmit changes the item; orders already placed keep their prices.
func (s *server) itemUpdateSubmit(c *fiber.Ctx) error {
	id, err := request.IDParam(c, "item")
	if err != nil {
		return err
	}
	return s.itemSubmit(c, id)
}

func (s *server) itemSubmit(c *fiber.Ctx, id int64) error {
	storeID, _ := request.IDParam(c, "store")
	lang := s.msgs.Lang(c)
	f := readForm(c, itemFields...)
	notNumbers := map[string]string{}
	number := func(field string) int64 {
		raw := strings.TrimSpace(f.Values[field])
		if raw == "" {
			return 0
		}
		n, err := strconv.ParseInt(raw, 10, 32)
		if err != nil {
			notNumbers[field] = s.msgs.Get(lang, "page.store.not_a_number")
		}
		return n
	}
	price, ok := parseHours(f.Values["price"])
	if !ok && strings.TrimSpace(f.Values["price"]) != "" {
		notNumbers["price"] = s.msgs.Get(lang, "page.store.item.price_hours")
	}
	active := f.Values["active"] != ""
	n := store.NewItem{Name: f.Values["name"], Category: f.Values["category"], Unit: f.Values["unit"], Price: price,
		LimitQty: int(number("limit_qty")), LimitPeriod: store.Period(f.Values["limit_period"]),
		MinStars: int(number("min_stars")), LowStock: int(number("low_stock")), Active: &active}
	if n.LimitQty == 0 {
		n.LimitPeriod = "" // no limit, whatever period was left selected
	}
	if len(notNumbers) > 0 {
		// Everything else wrong is shown at once too, each number field with its own message.
		if err := n.Validate(); err != nil {
			if _, err := s.failForm(c, &f, err, nil); err != nil {
				return err
			}
		}
		for field, msg := range notNumbers {
			f.fail(field, msg)
		}
		return s.renderItemForm(c, fiber.StatusUnprocessableEntity, id, f)
	}
	var err error
	if id == 0 {
		_, err = s.Store.CreateItem(c.UserContext(), guard.Principal(c).Actor(), storeID, n)
	} else {
		_, err = s.Store.UpdateItem(c.UserContext(), guard.Principal(c).Actor(), storeID, id, n)
	}
	if err != nil {
		status, err := s.failForm(c, &f, err, map[string]string{"item-exists": "name"})
		if err != nil {
			return err
		}
		return s.renderItemForm(c, status, id, f)
	}
	return redirect(c, "/stores/"+strconv.FormatInt(storeID, 10)+"/items?done=saved")
}
