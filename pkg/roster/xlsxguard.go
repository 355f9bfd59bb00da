package roster

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
)

// maxStringWork bounds the bytes excelize may copy to read the text of a workbook's cells. It
// copies a shared string each time a cell refers to it, and decodes the _xHHHH_ escapes of a
// string in time that grows with their number times its length; a sheet of a few MiB whose cells
// all refer to one long string full of escapes would otherwise keep an import busy for hours.
// A real roster of MaxRows rows needs a few tens of MiB.
const maxStringWork = 256 << 20

// guardXLSX reads the shared strings and the worksheets of a workbook before excelize does and
// refuses it when reading their text would cost more than maxStringWork, or when its parts
// expand past maxUnzipped (checked here too: this is the first reader of the parts).
func guardXLSX(b []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return fileError(ErrFormat, "file_corrupt")
	}
	var size uint64
	for _, f := range zr.File {
		if size += f.UncompressedSize64; size > maxUnzipped {
			return fileError(ErrFormat, "file_corrupt")
		}
	}
	// Part names as excelize reads them: backslashes taken for slashes, case ignored.
	name := func(f *zip.File) string { return strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/")) }
	var shared []int64
	for _, f := range zr.File {
		if name(f) == "xl/sharedstrings.xml" {
			if shared, err = sharedStringCosts(f); err != nil {
				return fileError(ErrFormat, "file_corrupt")
			}
		}
	}
	var work int64
	for _, f := range zr.File {
		if !strings.HasPrefix(name(f), "xl/worksheets/sheet") {
			continue
		}
		w, err := sheetStringWork(f, shared, maxStringWork-work)
		if err != nil {
			return fileError(ErrFormat, "file_corrupt")
		}
		if work += w; work > maxStringWork {
			return fileError(ErrTooLarge, "text_too_large")
		}
	}
	return nil
}

// stringCost is what excelize spends on one reading of a string: a copy of its length, plus one
// for each _xHHHH_ escape it decodes by concatenation.
func stringCost(length, escapes int) int64 { return int64(length) * int64(1+escapes) }

// sharedStringCosts returns the cost of each shared string, in order.
func sharedStringCosts(f *zip.File) ([]int64, error) {
	r, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	d := xml.NewDecoder(io.LimitReader(r, maxUnzipped))
	var costs []int64
	depth, length, escapes := 0, 0, 0 // depth > 0 inside an <si>
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return costs, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "si" || depth > 0 {
				depth++
			}
		case xml.EndElement:
			if depth > 0 {
				if depth--; depth == 0 {
					costs = append(costs, stringCost(length, escapes))
					length, escapes = 0, 0
				}
			}
		case xml.CharData:
			if depth > 0 {
				length += len(t)
				escapes += bytes.Count(t, []byte("_x"))
			}
		}
	}
}

// sheetStringWork adds up the cost of reading the text of every cell of a worksheet: shared
// strings by their cost, inline strings by theirs, values by their length. It stops early once
// past limit.
func sheetStringWork(f *zip.File, shared []int64, limit int64) (int64, error) {
	r, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	d := xml.NewDecoder(io.LimitReader(r, maxUnzipped))
	var (
		work      int64
		cellType  string
		inValue   bool
		inInline  int // depth inside <is>
		inlineLen int
		escapes   int
	)
	for work <= limit {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case inInline > 0:
				inInline++
			case t.Name.Local == "c":
				cellType = ""
				for _, a := range t.Attr {
					if a.Name.Local == "t" {
						cellType = a.Value
					}
				}
			case t.Name.Local == "v":
				inValue = true
			case t.Name.Local == "is":
				inInline, inlineLen, escapes = 1, 0, 0
			}
		case xml.EndElement:
			switch {
			case inInline > 0:
				if inInline--; inInline == 0 {
					work += stringCost(inlineLen, escapes)
				}
			case t.Name.Local == "v":
				inValue = false
			}
		case xml.CharData:
			switch {
			case inInline > 0:
				inlineLen += len(t)
				escapes += bytes.Count(t, []byte("_x"))
			case inValue && cellType == "s":
				// excelize reads the index with Atoi after trimming spaces; a bad one reads as 0.
				i, _ := strconv.Atoi(strings.TrimSpace(string(t)))
				if i >= 0 && i < len(shared) {
					work += shared[i]
				}
			case inValue:
				work += int64(len(t))
			}
		}
	}
	return work, nil
}
