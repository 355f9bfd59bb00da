package roster

import (
	"bytes"
	"encoding/csv"
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// sheet yields the rows of a file one at a time.
type sheet interface {
	// next returns the cells of the next row and its 1-based line number; io.EOF after the last.
	next() (cells []string, line int, err error)
}

// decodeText returns CSV bytes as UTF-8 and the name of the encoding they were in. Excel on
// Chinese Windows saves "CSV" in GBK, "CSV UTF-8" with a byte-order mark and "Unicode text" in
// UTF-16LE with one; anything that is not valid UTF-8 is read as GB18030, the superset of GBK.
func decodeText(b []byte) (string, string, error) {
	var (
		out []byte
		err error
		enc string
	)
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		out, enc = b[3:], "UTF-8"
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		out, err = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(b)
		enc = "UTF-16LE"
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		out, err = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Bytes(b)
		enc = "UTF-16BE"
	case utf8.Valid(b):
		out, enc = b, "UTF-8"
	default:
		out, err = simplifiedchinese.GB18030.NewDecoder().Bytes(b)
		enc = "GB18030"
	}
	// The decoders write U+FFFD for bytes they cannot map; the text is then neither encoding, and
	// guessing further would import garbled names.
	if err != nil || !utf8.Valid(out) || (enc != "UTF-8" && bytes.ContainsRune(out, utf8.RuneError)) {
		return "", "", fileError(ErrEncoding, "encoding_unknown")
	}
	return string(out), enc, nil
}

// delimiter guesses the separator from the first lines that hold one: a tab when tabs outnumber
// commas (Excel's "Unicode text" and tab-separated exports), else a comma, else the full-width
// comma of hand-typed lists.
func delimiter(text string) rune {
	for i, line := range strings.SplitN(text, "\n", 12) {
		if i == 11 {
			break
		}
		tabs, commas := strings.Count(line, "\t"), strings.Count(line, ",")
		switch {
		case tabs > commas:
			return '\t'
		case commas > 0:
			return ','
		case strings.Contains(line, "，"):
			return '，'
		}
	}
	return ','
}

// unwrapFormulas turns the unquoted cells ="…" that exports write to keep Excel from reading a
// long number as a number into quoted cells, which strict CSV reading accepts.
func unwrapFormulas(text string, comma rune) string {
	if !strings.Contains(text, `="`) {
		return text
	}
	c := regexp.QuoteMeta(string(comma))
	re := regexp.MustCompile(`(?m)(^|` + c + `)="([^"\r\n]*)"(` + c + `|\r?$)`)
	// A match consumes the delimiter after it, which the next cell needs as its start: two passes
	// reach every other cell each.
	return re.ReplaceAllString(re.ReplaceAllString(text, `$1"$2"$3`), `$1"$2"$3`)
}

// csvSheet reads rows of CSV text.
type csvSheet struct{ r *csv.Reader }

func newCSVSheet(text string) *csvSheet {
	comma := delimiter(text)
	r := csv.NewReader(strings.NewReader(unwrapFormulas(text, comma)))
	r.Comma = comma
	r.FieldsPerRecord = -1 // rows shorter or longer than the header are checked cell by cell
	// Quotes are read strictly: Excel and WPS always quote a cell that holds one, and a lenient
	// reader would let an unpaired quote swallow every row after it into one cell, silently.
	return &csvSheet{r: r}
}

func (s *csvSheet) next() ([]string, int, error) {
	rec, err := s.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, 0, &FileError{Err: ErrFormat, Reason: "csv_malformed", Line: pe.StartLine}
		}
		return nil, 0, err // io.EOF
	}
	line, _ := s.r.FieldPos(0)
	return rec, line, nil
}
