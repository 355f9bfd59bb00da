package pages

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/store"
)

// reportView is a store's day: orders handed out, credits received, donations in.
type reportView struct {
	Store      storeHead
	Report     store.DayReport
	Day        string
	Prev, Next string // the days before and after, for the links; Next is empty for today
	Donated    string // estimated value in yuan
	Error      string
}

// dayReportPage shows the report of a day (?day=2025-03-31, China Standard Time; today by default).
func (s *server) dayReportPage(c *fiber.Ctx) error {
	v := s.newView(c, "page.store.report.title")
	head, err := s.storeHead(c, v.Lang, "report")
	if err != nil {
		return err
	}
	today := s.Store.Today()
	day := c.Query("day", today)
	data := reportView{Store: head, Day: day}
	status := fiber.StatusOK
	r, err := s.Store.DayReport(c.UserContext(), head.ID, day)
	switch {
	case errors.Is(err, store.ErrInvalid):
		status, data.Error, data.Day = fiber.StatusBadRequest, s.msgs.Get(v.Lang, "reason.day_format"), today
		if r, err = s.Store.DayReport(c.UserContext(), head.ID, today); err != nil {
			return err
		}
	case err != nil:
		return err
	}
	data.Report, data.Donated = r, formatYuan(r.DonatedValueFen)
	if d, err := time.Parse(time.DateOnly, data.Day); err == nil {
		data.Prev = d.AddDate(0, 0, -1).Format(time.DateOnly)
		if next := d.AddDate(0, 0, 1).Format(time.DateOnly); next <= today {
			data.Next = next
		}
	}
	v.Data = data
	return s.render(c, status, "store_report", v)
}
