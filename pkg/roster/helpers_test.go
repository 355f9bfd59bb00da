package roster

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// testNow is a fixed "today" in China Standard Time.
var testNow = time.Date(2025, 6, 1, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// residentID completes 17 digits with their GB 11643 check character. It is written apart from
// the identity package so that a mistake there cannot hide here.
func residentID(first17 string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	return first17 + string("10X98765432"[sum%11])
}

// Resident IDs used across the tests: Hangzhou, a man born 1990-01-31 and a woman born 1985-07-15.
var (
	idMale   = residentID("33010219900131001") // 17th digit 1: male
	idFemale = residentID("33010219850715002") // 17th digit 2: female
)

// wrongCheck returns id with a check character that does not match.
func wrongCheck(id string) string {
	c := byte('0')
	if id[17] == '0' {
		c = '1'
	}
	return id[:17] + string(c)
}

// lines joins CSV lines as Excel writes them, with CRLF.
func lines(ls ...string) []byte { return []byte(strings.Join(ls, "\r\n") + "\r\n") }

func gbk(t testing.TB, b []byte) []byte {
	t.Helper()
	out, err := simplifiedchinese.GBK.NewEncoder().Bytes(b)
	if err != nil {
		t.Fatalf("encode GBK: %v", err)
	}
	return out
}

func utf16LE(t testing.TB, b []byte) []byte {
	t.Helper()
	out, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(b)
	if err != nil {
		t.Fatalf("encode UTF-16: %v", err)
	}
	return out
}

// workbook builds an XLSX whose first sheet holds rows, starting at A1. A nil row is left empty.
func workbook(t testing.TB, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		if r == nil {
			continue
		}
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	return save(t, f)
}

func save(t testing.TB, f *excelize.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// phoneN returns the n-th of a series of distinct valid mobile numbers.
func phoneN(n int) string { return fmt.Sprintf("139%08d", n) }

// reasons lists "line:column:reason" of each row error, for compact comparison.
func reasons(errs []RowError) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = fmt.Sprintf("%d:%s:%s", e.Line, e.Column, e.Reason)
	}
	return out
}
