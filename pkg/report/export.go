package report

import (
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"timebank/ledger"
)

// exportColumns are the figures' columns in the workbook, with Chinese headers; the first column
// names the month or the place.
var exportColumns = []string{"服务人次（人·日）", "新增志愿者", "扫码服务时长（小时）", "补录服务时长（小时）",
	"活动场次", "发放时间币（小时）", "兑换时间币（小时）", "线上订单", "现场兑换", "捐赠入库（件）", "发放出库（件）",
	"帮扶户次", "开具证明"}

// exportCells are the figures as the workbook's cells: counts as whole numbers, minutes as hours.
func exportCells(f Figures) []any {
	hours := func(m int64) float64 {
		h, _ := strconv.ParseFloat(ledger.FormatHours(m), 64)
		return h
	}
	return []any{f.VolunteerDays, f.NewVolunteers, hours(f.ScanMinutes), hours(f.ManualMinutes), f.Activities,
		hours(f.CreditsIssued), hours(f.CreditsRedeemed), f.Orders, f.Sales, f.GoodsIn, f.GoodsOut, f.Households,
		f.Certificates}
}

// partKinds name the kinds of places below in the workbook.
var partKinds = map[string]string{"region": "下级区域", "org": "组织", "store": "公益仓"}

// WriteXLSX writes the summary as an Excel workbook: a sheet 按月 with a row per month (the month a
// date cell) and the total, and a sheet 下级 with a row per place below, each with a frozen Chinese
// header row and the figures as numbers.
func WriteXLSX(sum Summary, w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	monthFmt := "yyyy-mm"
	monthStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &monthFmt})
	if err != nil {
		return err
	}
	var rows [][]any
	for _, m := range sum.Months {
		var first any = m.Month
		if d, err := time.Parse("2006-01", m.Month); err == nil {
			first = excelize.Cell{Value: d, StyleID: monthStyle}
		}
		rows = append(rows, append([]any{first}, exportCells(m.Figures)...))
	}
	rows = append(rows, append([]any{"合计 " + sum.From + " 至 " + sum.To}, exportCells(sum.Totals)...))
	if err := writeSheet(f, "Sheet1", "按月", append([]string{"月份"}, exportColumns...), rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, p := range sum.Parts {
		rows = append(rows, append([]any{partKinds[p.Kind], p.Name}, exportCells(p.Figures)...))
	}
	if _, err := f.NewSheet("下级"); err != nil {
		return err
	}
	if err := writeSheet(f, "下级", "下级", append([]string{"类别", "名称"}, exportColumns...), rows); err != nil {
		return err
	}
	return f.Write(w)
}

// writeSheet names the sheet and writes its header (frozen) and rows.
func writeSheet(f *excelize.File, sheet, name string, header []string, rows [][]any) error {
	if sheet != name {
		if err := f.SetSheetName(sheet, name); err != nil {
			return err
		}
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, len(header), 14); err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = h
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return err
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, r); err != nil {
			return err
		}
	}
	return sw.Flush()
}
