package api

import (
	"context"
	"io"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/export"
	"timebank/pkg/store"
	"timebank/web/request"
)

// storeExport answers a store's export named what, of the period the query gives, written by run.
func (s *server) storeExport(c *fiber.Ctx, what string, run func(ctx context.Context, storeID int64, p export.Period, f export.Format, w io.Writer) (int, error)) error {
	id, _ := request.IDParam(c, "id")
	p, err := exportPeriod(c)
	if err != nil {
		return err
	}
	return s.streamExport(c, "store-"+strconv.FormatInt(id, 10)+"-"+what+"-"+p.Name(),
		func(ctx context.Context, f export.Format, w io.Writer) (int, error) { return run(ctx, id, p, f, w) })
}

// exportJournal downloads the store's stock journal of a period (?from=&to=).
func (s *server) exportJournal(c *fiber.Ctx) error {
	return s.storeExport(c, "journal", s.Store.ExportJournal)
}

// exportStoreOrders downloads the store's orders and walk-in sales of a period.
func (s *server) exportStoreOrders(c *fiber.Ctx) error {
	return s.storeExport(c, "orders", s.Store.ExportOrders)
}

// exportDonations downloads the donations the store received in a period.
func (s *server) exportDonations(c *fiber.Ctx) error {
	return s.storeExport(c, "donations", s.Store.ExportDonations)
}

// exportDayReports downloads the store's day reports, a row per day of the period (ten years at most).
func (s *server) exportDayReports(c *fiber.Ctx) error {
	p, err := exportPeriod(c)
	if err != nil {
		return err
	}
	if err := store.CheckReportPeriod(p); err != nil {
		return err
	}
	return s.storeExport(c, "reports", s.Store.ExportDayReports)
}
