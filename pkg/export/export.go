package export

import (
	"context"
	"errors"
	"io"
	"time"
)

// Format is a file format an export is written in.
type Format string

// The formats, named by the file extension they take.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ContentType is the format's media type.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// ErrFormat is returned for a format that is neither CSV nor XLSX.
var ErrFormat = errors.New("export: unknown format")

// The typed values a row may hold besides string, int, int64 and float64. Each is written as the
// spreadsheet's kind of cell (a date, a date and time, a number of hours) and in CSV as the text a
// person reads.
type (
	// Date is a calendar day (its year, month and day are used, its clock and zone are not).
	Date time.Time
	// Time is an instant, shown in China Standard Time to the minute.
	Time time.Time
	// Hours is a number of minutes shown as hours, with up to two decimals.
	Hours int64
)

// Column is one column of a table: its header and how wide the spreadsheet shows it (0: 16).
type Column struct {
	Header string
	Width  float64
}

// Writer takes a table's rows one by one. Rows are written as they come; Close finishes the file
// (for XLSX it writes the workbook, whose rows were kept in a temporary file beyond a few
// megabytes, not in memory).
type Writer interface {
	// Row writes one row, its cells in the order of the columns.
	Row(cells ...any) error
	// Rows is how many rows were written, the header not counted.
	Rows() int
	// Close finishes the file. It does not close the underlying io.Writer.
	Close() error
	// Discard gives up a file that will not be finished (its temporary file, if any, is removed);
	// after Close it does nothing. Defer it after New.
	Discard()
}

// New starts a file of the format on w with the header row of the columns; sheet names the
// workbook's one sheet. The progress of ctx (WithProgress), if any, hears of the rows as they are
// written.
// Errors: ErrFormat, and the writer's.
func New(ctx context.Context, f Format, w io.Writer, sheet string, cols []Column) (Writer, error) {
	var xw Writer
	var err error
	switch f {
	case CSV:
		xw, err = newCSV(w, cols)
	case XLSX:
		xw, err = newXLSX(w, sheet, cols)
	default:
		return nil, ErrFormat
	}
	if p := progressOf(ctx); p != nil && err == nil {
		return &progressWriter{Writer: xw, p: p}, nil
	}
	return xw, err
}

// Scanner is the cursor of a query's rows, as *sql.Rows is.
type Scanner interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// FromRows writes each row of the cursor, as cells returns it after scanning, and finishes the
// file; it closes the cursor and returns how many rows it wrote.
// Errors: the cursor's, cells' and the writer's.
func FromRows(xw Writer, rows Scanner, cells func(Scanner) ([]any, error)) (int, error) {
	defer rows.Close()
	defer xw.Discard()
	for rows.Next() {
		row, err := cells(rows)
		if err != nil {
			return xw.Rows(), err
		}
		if err := xw.Row(row...); err != nil {
			return xw.Rows(), err
		}
	}
	if err := rows.Err(); err != nil {
		return xw.Rows(), err
	}
	return xw.Rows(), xw.Close()
}
