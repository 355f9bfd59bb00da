package qr

import (
	"bytes"
	"fmt"
	"strconv"

	qrcode "github.com/skip2/go-qrcode"
)

// The sizes of drawn codes, in pixels. DefaultSize suits a phone screen or a printed certificate;
// MaxSize keeps a request for a huge image from costing the server much.
const (
	DefaultSize = 256
	MaxSize     = 2048
)

// level is the error correction of every code: Medium still reads with a smudge, a crease or glare on
// a phone screen, and keeps the URL within version 6.
const level = qrcode.Medium

// code builds the symbol for content, its modules (quiet zone included) and the pixels per module for
// an image of at most size pixels. Every module gets the same whole number of pixels, since uneven
// modules trip cheap scanners.
func code(content string, size int) (*qrcode.QRCode, [][]bool, int, error) {
	q, err := qrcode.New(content, level)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("qr: encode: %w", err)
	}
	if size <= 0 {
		size = DefaultSize
	}
	size = min(size, MaxSize)
	bitmap := q.Bitmap()
	return q, bitmap, max(size/len(bitmap), 1), nil
}

// PNG draws content (usually a URL from URL) as a black-on-white PNG, quiet zone included, at most
// size pixels square (DefaultSize if size <= 0, capped at MaxSize; at least one pixel per module).
func PNG(content string, size int) ([]byte, error) {
	q, _, scale, err := code(content, size)
	if err != nil {
		return nil, err
	}
	return q.PNG(-scale) // negative: scale pixels per module, exactly
}

// SVG draws content as an SVG image: one path of unit squares (runs of dark modules merged) on a
// white square with the quiet zone, crisp edges so that no renderer blurs the module boundaries, and
// the same width and height as PNG would have. It scales losslessly for print.
func SVG(content string, size int) ([]byte, error) {
	_, bitmap, scale, err := code(content, size)
	if err != nil {
		return nil, err
	}
	n := strconv.Itoa(len(bitmap))
	px := strconv.Itoa(len(bitmap) * scale)
	var b bytes.Buffer
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="` + px + `" height="` + px +
		`" viewBox="0 0 ` + n + ` ` + n + `" shape-rendering="crispEdges">`)
	b.WriteString(`<rect width="` + n + `" height="` + n + `" fill="#fff"/><path fill="#000" d="`)
	for y, row := range bitmap {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			w := 1
			for x+w < len(row) && row[x+w] {
				w++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x, y, w, w)
			x += w
		}
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes(), nil
}
