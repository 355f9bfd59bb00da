package roster

import (
	"bytes"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// maxUnzipped bounds what the parts of a workbook may expand to. A legitimate sheet of MaxRows
// rows is a few MiB of XML; a zip bomb of 10 MiB could otherwise claim gigabytes. Every part is
// kept in memory (no temporary files) because the limit makes that affordable.
const maxUnzipped = 64 << 20

var (
	// zipMagic starts a zip archive's first entry, as in every XLSX.
	zipMagic = []byte("PK\x03\x04")
	// oleMagic starts Compound File Binary documents: .xls workbooks and password-protected .xlsx.
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// xlsxSheet reads the rows of the first sheet of a workbook, streaming.
type xlsxSheet struct {
	file     *excelize.File
	rows     *excelize.Rows
	line     int
	date1904 bool
}

// openXLSX opens the first sheet of a workbook held in b. The caller closes it.
func openXLSX(b []byte) (s *xlsxSheet, err error) {
	// excelize is a large parser fed with whatever a user uploads: a panic inside it is a corrupt
	// file to the coordinator, not a crashed import.
	defer recoverCorrupt(&err)
	if err := guardXLSX(b); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{
		UnzipSizeLimit:    maxUnzipped,
		UnzipXMLSizeLimit: maxUnzipped,
	})
	if err != nil {
		return nil, fileError(ErrFormat, "file_corrupt")
	}
	s = &xlsxSheet{file: f}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, fileError(ErrFormat, "file_corrupt")
	}
	if s.rows, err = f.Rows(sheets[0]); err != nil {
		f.Close()
		return nil, fileError(ErrFormat, "file_corrupt")
	}
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		s.date1904 = *p.Date1904
	}
	return s, nil
}

// next returns the next row with raw cell values: the number behind a date or a number, not the
// text Excel would show, which depends on the cell's format and the reader's locale.
func (s *xlsxSheet) next() (cells []string, line int, err error) {
	defer recoverCorrupt(&err)
	if !s.rows.Next() {
		if s.rows.Error() != nil {
			return nil, 0, fileError(ErrFormat, "file_corrupt")
		}
		return nil, 0, io.EOF
	}
	// Next steps over rows missing from the XML one at a time, so counting calls numbers the rows
	// as Excel does.
	s.line++
	cells, err = s.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, 0, fileError(ErrFormat, "file_corrupt")
	}
	// Columns pads a row with empty cells up to its last cell with a value or a formula: one
	// cell at XFD costs 16,384 strings. A row that wide is refused here, empty or not, so that a
	// small hostile sheet cannot make every one of its rows cost that much.
	if len(cells) > MaxColumns {
		return nil, 0, &FileError{Err: ErrTooWide, Reason: "too_many_columns", Line: s.line}
	}
	return cells, s.line, nil
}

// close releases the workbook. Their errors are not the coordinator's concern: every part is in
// memory, so there is no temporary file to lose.
func (s *xlsxSheet) close() {
	_ = s.rows.Close()
	_ = s.file.Close()
}

func recoverCorrupt(err *error) {
	if p := recover(); p != nil {
		*err = fileError(ErrFormat, "file_corrupt")
	}
}

// excelDate turns a date cell's serial number into a date, in the workbook's date system.
func excelDate(serial float64, date1904 bool) (time.Time, error) {
	return excelize.ExcelDateToTime(serial, date1904)
}
