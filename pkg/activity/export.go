package activity

import (
	"context"
	"io"
	"time"

	"timebank/pkg/export"
)

// exportColumns are the columns of a volunteer's own records as exported, with Chinese headers:
// what a school, an employer or the person keeps of their service.
var exportColumns = []string{"服务日期", "组织", "活动", "记录方式", "状态", "签到", "签退", "服务时长（分钟）", "服务时长（小时）", "获得时间币（分钟）"}

// exportKinds and exportStatuses name a record's kind and status in the export.
var (
	exportKinds    = map[string]string{"scan": "扫码", "manual": "补录"}
	exportStatuses = map[string]string{MyPending: "待审核", MyVerified: "已核实", MyRejected: "未通过", "disputed": "有申诉"}
)

// eachRecord calls fn with every record of the volunteer, newest service first.
func (s *Service) eachRecord(ctx context.Context, userID int64, fn func(MyRecord) error) error {
	var after int64
	for {
		page, err := s.MyRecords(ctx, userID, after, MaxPage)
		if err != nil {
			return err
		}
		for _, r := range page.Items {
			if err := fn(r); err != nil {
				return err
			}
		}
		if page.Next == 0 {
			return nil
		}
		after = page.Next
	}
}

// exportRow is the record as the export's cells: the date as a date, check-in and check-out as
// instants, the numbers as numbers.
func exportRow(r MyRecord) []any {
	clock := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		return export.Time(*t)
	}
	var date any = r.ServiceDate
	if d, err := time.Parse(time.DateOnly, r.ServiceDate); err == nil {
		date = export.Date(d)
	}
	return []any{date, r.OrgName, r.ActivityTitle, exportKinds[r.Kind], exportStatuses[r.Status],
		clock(r.CheckInAt), clock(r.CheckOutAt), r.Minutes, export.Hours(r.Minutes), r.Credits}
}

// ExportRecordsCSV writes the volunteer's records as CSV in UTF-8 with a byte order mark (so that
// Excel on Chinese Windows reads it), a header row of Chinese column names.
func (s *Service) ExportRecordsCSV(ctx context.Context, userID int64, w io.Writer) error {
	return s.exportRecords(ctx, userID, export.CSV, w)
}

// ExportRecordsXLSX writes the volunteer's records as an Excel workbook: one sheet 服务记录, a
// frozen header row, the service date as a date cell, minutes and hours as numbers.
func (s *Service) ExportRecordsXLSX(ctx context.Context, userID int64, w io.Writer) error {
	return s.exportRecords(ctx, userID, export.XLSX, w)
}

// exportRecords writes the volunteer's records through the one export writer.
func (s *Service) exportRecords(ctx context.Context, userID int64, f export.Format, w io.Writer) error {
	cols := make([]export.Column, len(exportColumns))
	for i, h := range exportColumns {
		cols[i] = export.Column{Header: h}
	}
	xw, err := export.New(ctx, f, w, "服务记录", cols)
	if err != nil {
		return err
	}
	defer xw.Discard()
	if err := s.eachRecord(ctx, userID, func(r MyRecord) error { return xw.Row(exportRow(r)...) }); err != nil {
		return err
	}
	return xw.Close()
}
