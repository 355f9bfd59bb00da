package export

import (
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"timebank/ledger"
	"timebank/pkg/chinatime"
)

// xlsxWriter writes rows with excelize's stream writer: they go to a temporary file once they pass
// its chunk size, and Close copies them into the workbook written on w.
type xlsxWriter struct {
	f           *excelize.File
	sw          *excelize.StreamWriter
	w           io.Writer
	date, clock int // the styles of date and date-and-time cells
	row         []any
	rows        int
	closed      bool
}

func newXLSX(w io.Writer, sheet string, cols []Column) (*xlsxWriter, error) {
	f := excelize.NewFile()
	x := &xlsxWriter{f: f, w: w, row: make([]any, len(cols))}
	fail := func(err error) (*xlsxWriter, error) {
		f.Close()
		return nil, err
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fail(err)
	}
	var err error
	if x.sw, err = f.NewStreamWriter(sheet); err != nil {
		return fail(err)
	}
	styles := []struct {
		id  *int
		fmt string
	}{{&x.date, "yyyy-mm-dd"}, {&x.clock, "yyyy-mm-dd hh:mm"}}
	for _, s := range styles {
		if *s.id, err = f.NewStyle(&excelize.Style{CustomNumFmt: &s.fmt}); err != nil {
			return fail(err)
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fail(err)
	}
	// Widths and panes come before the first row, as the stream writer requires.
	for i, col := range cols {
		width := col.Width
		if width == 0 {
			width = 16
		}
		if err := x.sw.SetColWidth(i+1, i+1, width); err != nil {
			return fail(err)
		}
	}
	if err := x.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fail(err)
	}
	for i, col := range cols {
		x.row[i] = excelize.Cell{StyleID: bold, Value: col.Header}
	}
	if err := x.sw.SetRow("A1", x.row); err != nil {
		return fail(err)
	}
	return x, nil
}

func (x *xlsxWriter) Row(cells ...any) error {
	x.row = x.row[:0]
	for _, v := range cells {
		x.row = append(x.row, x.cell(v))
	}
	x.rows++
	return x.sw.SetRow("A"+strconv.Itoa(x.rows+1), x.row)
}

// cell types a value: dates and instants as date cells (an instant at its China Standard Time wall
// clock, since a spreadsheet's dates have no zone), hours as a number of hours.
func (x *xlsxWriter) cell(v any) any {
	switch v := v.(type) {
	case Date:
		t := time.Time(v)
		if t.IsZero() {
			return nil
		}
		return excelize.Cell{StyleID: x.date, Value: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
	case Time:
		t := time.Time(v)
		if t.IsZero() {
			return nil
		}
		t = t.In(chinatime.Zone())
		return excelize.Cell{StyleID: x.clock, Value: time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)}
	case Hours:
		h, _ := strconv.ParseFloat(ledger.FormatHours(int64(v)), 64)
		return h
	}
	return v
}

func (x *xlsxWriter) Rows() int { return x.rows }

func (x *xlsxWriter) Discard() {
	if !x.closed {
		x.closed = true
		_ = x.f.Close() // removes the stream writer's temporary file
	}
}

func (x *xlsxWriter) Close() error {
	defer x.Discard()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	_, err := x.f.WriteTo(x.w)
	return err
}
