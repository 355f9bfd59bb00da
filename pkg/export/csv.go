package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"timebank/ledger"
	"timebank/pkg/chinatime"
)

// csvWriter writes through encoding/csv, whose buffer passes the text on to the underlying
// writer every few kilobytes.
type csvWriter struct {
	cw   *csv.Writer
	row  []string
	rows int
}

func newCSV(w io.Writer, cols []Column) (*csvWriter, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, err
	}
	c := &csvWriter{cw: csv.NewWriter(w), row: make([]string, len(cols))}
	for i, col := range cols {
		c.row[i] = col.Header
	}
	return c, c.cw.Write(c.row)
}

func (c *csvWriter) Row(cells ...any) error {
	c.row = c.row[:0]
	for _, v := range cells {
		c.row = append(c.row, Text(v))
	}
	c.rows++
	return c.cw.Write(c.row)
}

func (c *csvWriter) Rows() int { return c.rows }

func (c *csvWriter) Discard() {}

func (c *csvWriter) Close() error {
	c.cw.Flush()
	return c.cw.Error()
}

// Text is a cell's value as the CSV file (and a person) reads it: dates YYYY-MM-DD, instants
// YYYY-MM-DD HH:MM in China Standard Time, hours with up to two decimals.
func Text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case Hours:
		return ledger.FormatHours(int64(v))
	case Date:
		if time.Time(v).IsZero() {
			return ""
		}
		return time.Time(v).Format(time.DateOnly)
	case Time:
		if time.Time(v).IsZero() {
			return ""
		}
		return time.Time(v).In(chinatime.Zone()).Format("2006-01-02 15:04")
	}
	return fmt.Sprint(v)
}
