package certificate

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// ExportCSV writes the organization's register as CSV, UTF-8 with a byte order mark (so that Excel
// on Chinese Windows reads it as UTF-8), a header row of Chinese column names, dates YYYY-MM-DD.
// Errors: the writer's and the database's.
func (s *Service) ExportCSV(ctx context.Context, orgID int64, w io.Writer) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	header := make([]string, len(registerColumns))
	for i, col := range registerColumns {
		header[i] = col.header
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	err := s.each(ctx, orgID, func(c Certificate) error {
		row := make([]string, len(registerColumns))
		for i, col := range registerColumns {
			switch v := col.value(c).(type) {
			case string:
				row[i] = v
			case int64:
				row[i] = strconv.FormatInt(v, 10)
			case time.Time:
				row[i] = v.Format(time.DateOnly)
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

// ExportXLSX writes the organization's register as an Excel workbook: one sheet 证明登记, a frozen
// header row of Chinese column names, minutes as numbers, dates as date cells.
// Errors: the writer's and the database's.
func (s *Service) ExportXLSX(ctx context.Context, orgID int64, w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "证明登记"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14, CustomNumFmt: ptr("yyyy-mm-dd")})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	// Widths are set before the first row, as the stream writer requires: wide enough for a
	// number, a date or a name, and the notes wider.
	if err := sw.SetColWidth(1, len(registerColumns)-1, 16); err != nil {
		return err
	}
	if err := sw.SetColWidth(len(registerColumns), len(registerColumns), 40); err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := make([]any, len(registerColumns))
	for i, col := range registerColumns {
		header[i] = excelize.Cell{StyleID: bold, Value: col.header}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	n := 1
	err = s.each(ctx, orgID, func(c Certificate) error {
		n++
		row := make([]any, len(registerColumns))
		for i, col := range registerColumns {
			v := col.value(c)
			if _, ok := v.(time.Time); ok {
				row[i] = excelize.Cell{StyleID: dateStyle, Value: v}
			} else {
				row[i] = v
			}
		}
		return sw.SetRow("A"+strconv.Itoa(n), row)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("certificate: write xlsx: %w", err)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
