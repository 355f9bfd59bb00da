package roster

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
)

// Limits of one file. A street's or a county's list fits well within them; a larger one is split
// and imported in parts, so that one upload can neither fill memory nor hold a request for long.
const (
	MaxBytes   = 10 << 20 // bytes of the uploaded file
	MaxRows    = 20000    // non-empty data rows
	MaxColumns = 256      // columns a row may reach, as Excel's old sheets could (A to IV)
)

// Result is what Parse found in a file.
type Result struct {
	Volunteers []Volunteer // the good rows, in file order
	Errors     []RowError  // the bad cells, in file order; a row with any is not in Volunteers
	Rows       int         // non-empty data rows read; empty rows are skipped and not counted
	Format     string      // "csv" or "xlsx"
	Encoding   string      // of a CSV: "UTF-8", "GB18030", "UTF-16LE" or "UTF-16BE"; "" for XLSX
	header     header
}

// Reject returns the RowError for a good row that a later step refuses, such as an import that
// finds the resident ID registered to another account: the column is named as the file names it.
// column is the field's key: "name", "phone", "resident_id", "gender", "volunteer_no",
// "birth_date", "skills" or "service_categories". reason must be a key of the catalogue in
// messages.go ("resident_id_taken" …), or the message has no text after the place.
func (res Result) Reject(v Volunteer, column, reason string) RowError {
	e := RowError{Line: v.Line, Reason: reason}
	f, ok := fieldKeys[column]
	for i, hf := range res.header.fields {
		if ok && hf == f {
			e.Column, e.ColumnNo = res.header.texts[i], i+1
		}
	}
	if e.Column == "" {
		e.Column = fieldNames[f].zh
	}
	e.Message = rowText(e, false)
	return e
}

// Parse reads a roster from r: an XLSX workbook (recognised by its content, whatever its name) or
// CSV text. filename only sharpens the error for a file named .xlsx that is not one. now bounds
// the birth dates of resident IDs and of the birth date column.
//
// Bad rows are not an error: they are listed in Result.Errors. Parse returns a *FileError
// wrapping ErrTooLarge, ErrTooManyRows, ErrTooWide, ErrFormat, ErrEncoding, ErrNoHeader, ErrNoData,
// ErrMissingColumn, ErrUnknownColumn or ErrDuplicateColumn when the file as a whole cannot be
// used, and the error of r when reading it fails.
func Parse(r io.Reader, filename string, now time.Time) (Result, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return Result{}, fmt.Errorf("roster: read: %w", err)
	}
	if len(b) > MaxBytes {
		return Result{}, fileError(ErrTooLarge, "file_too_large")
	}
	var (
		src sheet
		res Result
		xl  *xlsxSheet
	)
	ext := strings.ToLower(filepath.Ext(filename))
	switch {
	case bytes.HasPrefix(b, zipMagic):
		if xl, err = openXLSX(b); err != nil {
			return Result{}, err
		}
		defer xl.close()
		src, res.Format = xl, "xlsx"
	case bytes.HasPrefix(b, oleMagic):
		return Result{}, fileError(ErrFormat, "xls_unsupported")
	case ext == ".xlsx" || ext == ".xlsm":
		return Result{}, fileError(ErrFormat, "file_corrupt")
	default:
		text, enc, err := decodeText(b)
		if err != nil {
			return Result{}, err
		}
		src, res.Format, res.Encoding = newCSVSheet(text), "csv", enc
	}
	if err := res.read(narrowSheet{src}, xl, now); err != nil {
		return Result{}, err
	}
	return res, nil
}

// read reads the header and the data rows of src into res.
func (res *Result) read(src sheet, xl *xlsxSheet, now time.Time) error {
	h, err := readHeader(src)
	if err != nil {
		return err
	}
	res.header = h
	c := newChecker(h, now)
	if xl != nil {
		c.serialDates, c.date1904 = true, xl.date1904
	}
	for {
		cells, line, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if empty(cells) {
			continue
		}
		if res.Rows++; res.Rows > MaxRows {
			return fileError(ErrTooManyRows, "too_many_rows")
		}
		v, errs := c.check(line, cells)
		if errs != nil {
			res.Errors = append(res.Errors, errs...)
		} else {
			res.Volunteers = append(res.Volunteers, v)
		}
	}
	if res.Rows == 0 {
		return &FileError{Err: ErrNoData, Reason: "no_data", Line: h.line}
	}
	return nil
}

// narrowSheet refuses rows with content past MaxColumns and drops their empty cells there (Excel
// writes empty cells up to the right end of the used range into every row of a CSV).
type narrowSheet struct{ sheet }

func (s narrowSheet) next() ([]string, int, error) {
	cells, line, err := s.sheet.next()
	if err != nil || len(cells) <= MaxColumns {
		return cells, line, err
	}
	if !empty(cells[MaxColumns:]) {
		return nil, 0, &FileError{Err: ErrTooWide, Reason: "too_many_columns", Line: line}
	}
	return cells[:MaxColumns], line, nil
}

func empty(cells []string) bool {
	for _, c := range cells {
		if c != "" && clean(c) != "" {
			return false
		}
	}
	return true
}
