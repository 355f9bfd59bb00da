package roster

import (
	"errors"
	"fmt"
)

// File-level errors: the file as a whole cannot be imported. Parse returns them wrapped in a
// *FileError, which says which column or line is at fault and carries the reason key.
var (
	// ErrTooLarge means the file is larger than MaxBytes, or its cells hold more text than can
	// be read in reasonable time.
	ErrTooLarge = errors.New("roster: file larger than 10 MiB")
	// ErrTooManyRows means the file has more than MaxRows data rows.
	ErrTooManyRows = errors.New("roster: more than 20000 data rows")
	// ErrTooWide means a row reaches past column MaxColumns.
	ErrTooWide = errors.New("roster: content past the last column allowed")
	// ErrFormat means the file is neither a readable CSV nor a readable XLSX workbook: an old
	// .xls, an encrypted or corrupt workbook, or CSV with broken quoting.
	ErrFormat = errors.New("roster: not a readable CSV or XLSX file")
	// ErrEncoding means CSV text that is neither UTF-8, UTF-16 with a byte-order mark, nor GB18030.
	ErrEncoding = errors.New("roster: unknown text encoding")
	// ErrNoHeader means no row of the file names the columns.
	ErrNoHeader = errors.New("roster: no header row")
	// ErrNoData means the header is followed by no volunteer.
	ErrNoData = errors.New("roster: no data rows")
	// ErrMissingColumn means a required column (姓名 or 手机号) is absent.
	ErrMissingColumn = errors.New("roster: required column missing")
	// ErrUnknownColumn means the header names a column this import does not know. It is refused
	// rather than ignored, so that data the coordinator meant to import is never silently dropped.
	ErrUnknownColumn = errors.New("roster: unknown column")
	// ErrDuplicateColumn means two header cells name the same field (手机 and 联系电话, say).
	ErrDuplicateColumn = errors.New("roster: duplicate column")
)

// FileError is a file-level error of Parse. errors.Is matches it against the sentinel it wraps.
type FileError struct {
	Err    error  // one of the Err… sentinels of this package
	Reason string // stable key, such as "column_missing"; the catalogue is in messages.go
	// Column is the header text as in the file (ErrUnknownColumn, ErrDuplicateColumn) or the
	// Chinese name of a missing required column (ErrMissingColumn); empty when no column is meant
	// or when the header text looked like personal data and is not repeated.
	Column   string
	ColumnNo int    // 1-based column number, or 0
	Other    string // ErrDuplicateColumn: the earlier header text with the same meaning
	Line     int    // 1-based line of the header, of broken CSV quoting or of a row too wide, or 0
}

// Error names the sentinel and, when known, the column and the line; never a cell's value.
func (e *FileError) Error() string {
	s := e.Err.Error()
	if e.Column != "" {
		s += fmt.Sprintf(" %q", e.Column)
	}
	if e.Line > 0 {
		s += fmt.Sprintf(" (line %d)", e.Line)
	}
	return s
}

// Unwrap makes errors.Is(err, ErrMissingColumn) and the like hold.
func (e *FileError) Unwrap() error { return e.Err }

// Message returns the error for a coordinator, in Chinese.
func (e *FileError) Message() string { return e.Text("zh-CN") }

// Text returns the error for a coordinator in lang ("zh-CN" or "en"; anything else is Chinese).
func (e *FileError) Text(lang string) string { return fileText(e, english(lang)) }

func fileError(err error, reason string) *FileError {
	return &FileError{Err: err, Reason: reason}
}

// RowError is one bad cell of a data row. A row with any RowError is not among the volunteers.
type RowError struct {
	Line     int    `json:"line"`      // 1-based line in the file, the header included, as a spreadsheet numbers rows
	Column   string `json:"column"`    // the header text as in the file; empty for a cell under no header
	ColumnNo int    `json:"column_no"` // 1-based column number (A = 1)
	Reason   string `json:"reason"`    // stable key, such as "phone_invalid"; the catalogue is in messages.go
	// OtherLine is, for the *_duplicate reasons, the earlier line that holds the same value.
	OtherLine int    `json:"other_line,omitempty"`
	Message   string `json:"message"` // the error in Chinese: 第 12 行「手机号」：不是有效的大陆手机号码
}

// Text returns the error in lang ("zh-CN" or "en"; anything else is Chinese). Message is Text("zh-CN").
func (e RowError) Text(lang string) string { return rowText(e, english(lang)) }
