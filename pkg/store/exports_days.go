package store

import (
	"context"
	"io"
	"time"

	"timebank/pkg/export"
)

// maxReportDays bounds a day-report export: ten years of days.
const maxReportDays = 3660

// dayReportColumns are the columns of the day-report export: one row per day, the figures of
// DayReport.
var dayReportColumns = []export.Column{{Header: "日期", Width: 12}, {Header: "线上订单取货"}, {Header: "现场兑换"},
	{Header: "取消订单"}, {Header: "过期订单"}, {Header: "收到时间币（分钟）"}, {Header: "收到时间币（小时）"},
	{Header: "捐赠笔数"}, {Header: "捐赠件数"}, {Header: "捐赠估值（元）"}, {Header: "出库件数"}, {Header: "报损件数"},
	{Header: "救助发放次数"}, {Header: "救助发放件数"}}

// ExportDayReports writes the store's day report (DayReport) for each day of the period, a row per
// day; an open side runs from the day the store opened (ten years back at most), or to today. It
// returns how many days. Check the period with CheckReportPeriod first.
// Errors: export.ErrFormat, the database's and the writer's.
func (s *Service) ExportDayReports(ctx context.Context, storeID int64, p export.Period, f export.Format, w io.Writer) (int, error) {
	first, last := p.From, p.To
	if first.IsZero() {
		var opened time.Time
		if err := s.db.GetContext(ctx, &opened, `SELECT created_at FROM stores WHERE id = $1`, storeID); err != nil {
			return 0, err
		}
		first = today(opened)
	}
	if last.IsZero() {
		last = today(s.now())
	}
	if daysBetween(first, last) > maxReportDays {
		first = last.AddDate(0, 0, -maxReportDays)
	}
	export.Expect(ctx, daysBetween(first, last)+1)
	xw, err := export.New(ctx, f, w, "日报", dayReportColumns)
	if err != nil {
		return 0, err
	}
	defer xw.Discard()
	for d := first; daysBetween(d, last) >= 0; d = d.AddDate(0, 0, 1) {
		r, err := s.dayReport(ctx, s.exports, storeID, d.Format(dayLayout))
		if err != nil {
			return xw.Rows(), err
		}
		err = xw.Row(export.Date(d), r.OrdersHandedOut, r.Sales, r.OrdersCancelled, r.OrdersExpired, r.CreditsReceived,
			export.Hours(r.CreditsReceived), r.Donations, r.UnitsDonated, float64(r.DonatedValueFen)/100,
			r.UnitsHandedOut, r.UnitsWrittenOff, r.Allocations, r.UnitsAllocated)
		if err != nil {
			return xw.Rows(), err
		}
	}
	return xw.Rows(), xw.Close()
}

// CheckReportPeriod refuses a period of more than ten years of day reports.
// Errors: ErrInvalid.
func CheckReportPeriod(p export.Period) error {
	if !p.From.IsZero() && !p.To.IsZero() && daysBetween(p.From, p.To) > maxReportDays {
		return invalid("to", "period_too_long")
	}
	return nil
}
