package activity

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"timebank/ledger"
	"timebank/pkg/chinatime"
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

// exportRow is the record as the export's cells: text, and the numbers as numbers.
func exportRow(r MyRecord) []any {
	clock := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(chinatime.Zone()).Format("2006-01-02 15:04")
	}
	hours, _ := strconv.ParseFloat(ledger.FormatHours(r.Minutes), 64)
	return []any{r.ServiceDate, r.OrgName, r.ActivityTitle, exportKinds[r.Kind], exportStatuses[r.Status],
		clock(r.CheckInAt), clock(r.CheckOutAt), r.Minutes, hours, r.Credits}
}

// ExportRecordsCSV writes the volunteer's records as CSV in UTF-8 with a byte order mark (so that
// Excel on Chinese Windows reads it), a header row of Chinese column names.
func (s *Service) ExportRecordsCSV(ctx context.Context, userID int64, w io.Writer) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(exportColumns); err != nil {
		return err
	}
	err := s.eachRecord(ctx, userID, func(r MyRecord) error {
		cells := exportRow(r)
		row := make([]string, len(cells))
		for i, c := range cells {
			switch v := c.(type) {
			case string:
				row[i] = v
			case int64:
				row[i] = strconv.FormatInt(v, 10)
			case float64:
				row[i] = strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
		return cw.Write(row)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// ExportRecordsXLSX writes the volunteer's records as an Excel workbook: one sheet 服务记录, a
// frozen header row, the service date as a date cell, minutes and hours as numbers.
func (s *Service) ExportRecordsXLSX(ctx context.Context, userID int64, w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "服务记录"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	dateFmt := "yyyy-mm-dd"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, len(exportColumns), 16); err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := make([]any, len(exportColumns))
	for i, h := range exportColumns {
		header[i] = h
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	n := 1
	err = s.eachRecord(ctx, userID, func(r MyRecord) error {
		n++
		cells := exportRow(r)
		if d, err := time.Parse(time.DateOnly, r.ServiceDate); err == nil {
			cells[0] = excelize.Cell{Value: d, StyleID: dateStyle}
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		return sw.SetRow(cell, cells)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
