package certificate

import (
	"strings"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
)

// Droid Sans Fallback has the CJK glyphs but no Latin letters or digits, so the printable ASCII
// runs of a text are set in the PDF core font Helvetica (built into every reader, never embedded)
// and the rest in Droid Sans Fallback. The writer below measures, aligns and wraps such mixed text.

const latinFamily = "Helvetica"

// textRun is a stretch of text set in one font.
type textRun struct {
	s     string
	latin bool
}

// runsOf splits s into runs of printable ASCII and of everything else.
func runsOf(s string) []textRun {
	var out []textRun
	for len(s) > 0 {
		latin := s[0] >= 0x20 && s[0] < 0x7f
		i := strings.IndexFunc(s, func(r rune) bool { return (r >= 0x20 && r < 0x7f) != latin })
		if i < 0 {
			i = len(s)
		}
		out = append(out, textRun{s[:i], latin})
		s = s[i:]
	}
	return out
}

// writer draws mixed text at one font size.
type writer struct {
	pdf  *fpdf.Fpdf
	size float64
}

// font selects the font of a run.
func (w writer) font(latin bool) {
	if latin {
		w.pdf.SetFont(latinFamily, "", w.size)
	} else {
		w.pdf.SetFont(fontFamily, "", w.size)
	}
}

// width returns the width (mm) of s.
func (w writer) width(s string) float64 {
	total := 0.0
	for _, r := range runsOf(s) {
		w.font(r.latin)
		total += w.pdf.GetStringWidth(r.s)
	}
	return total
}

// cell draws a cell of width × h at the current position, with border and fill like CellFormat,
// and s aligned in it ("L", "C" or "R"); ln as CellFormat's (0 right, 1 next line).
func (w writer) cell(width, h float64, s, border string, ln int, align string, fill bool) {
	pdf := w.pdf
	if width == 0 {
		_, _, right, _ := pdf.GetMargins()
		pageWidth, _ := pdf.GetPageSize()
		width = pageWidth - right - pdf.GetX()
	}
	x, y := pdf.GetXY()
	pdf.CellFormat(width, h, "", border, 0, "", fill, 0, "")
	margin := pdf.GetCellMargin()
	tw := w.width(s)
	switch align {
	case "C":
		pdf.SetX(x + (width-tw)/2)
	case "R":
		pdf.SetX(x + width - margin - tw)
	default:
		pdf.SetX(x + margin)
	}
	pdf.SetCellMargin(0)
	for _, r := range runsOf(s) {
		w.font(r.latin)
		pdf.CellFormat(pdf.GetStringWidth(r.s), h, r.s, "", 0, "", false, 0, "")
	}
	pdf.SetCellMargin(margin)
	if ln == 1 {
		left, _, _, _ := pdf.GetMargins()
		pdf.SetXY(left, y+h)
	} else {
		pdf.SetXY(x+width, y)
	}
}

// paragraph writes s from the current X, wrapped to width (0: to the right margin), one line of
// height h after another, breaking between any two characters (as Chinese text does) but keeping
// an ASCII word together when it fits on a line.
func (w writer) paragraph(width, h float64, s string) {
	pdf := w.pdf
	x := pdf.GetX()
	if width == 0 {
		_, _, right, _ := pdf.GetMargins()
		pageWidth, _ := pdf.GetPageSize()
		width = pageWidth - right - x
	}
	for _, line := range w.wrap(s, width) {
		pdf.SetX(x)
		w.cell(width, h, line, "", 1, "L", false)
	}
	pdf.SetX(x)
}

// wrap breaks s into lines no wider than width.
func (w writer) wrap(s string, width float64) []string {
	var lines []string
	for s != "" {
		end := 0 // bytes of s that fit
		for end < len(s) {
			_, n := utf8.DecodeRuneInString(s[end:])
			if w.width(s[:end+n]) > width {
				break
			}
			end += n
		}
		if end == 0 {
			_, end = utf8.DecodeRuneInString(s)
		}
		// Do not split an ASCII word when the line holds something before it.
		if end < len(s) && isWordByte(s[end]) && isWordByte(s[end-1]) {
			start := end
			for start > 0 && isWordByte(s[start-1]) {
				start--
			}
			if start > 0 {
				end = start
			}
		}
		lines = append(lines, s[:end])
		s = s[end:]
	}
	return lines
}

func isWordByte(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b == '.' || b == '-' || b == '*'
}
