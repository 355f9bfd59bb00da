package qr

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/color"
	"image/png"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	qrcode "github.com/skip2/go-qrcode"
)

// testBase is a base URL of the length the design plans for.
const testBase = "https://timebank.example.gov.cn"

// TestLongestURLFitsVersion6 renders the URL of the longest token there can be and of the usual
// codes, and checks that each stays within QR version 6 at error correction Medium.
func TestLongestURLFitsVersion6(t *testing.T) {
	s := newTestSigner(t, testKey(200))
	member, _, _ := s.MemberCode(15_400_000, testNow)
	kiosk, _, _ := s.Kiosk(CheckIn, 2_000_000_000, testNow)
	pickup, _, _ := s.Issue(Pickup, 1<<40, 101_000, testNow.Add(30*24*time.Hour))
	for _, tt := range []struct{ name, token string }{
		{"longest", mustSign(t, s, longest)},
		{"member", member},
		{"kiosk", kiosk},
		{"pickup", pickup},
		{"certificate", mustSign(t, s, Claims{Type: Certificate, Subject: 12_345_678})},
	} {
		u := URL(testBase, tt.token)
		q, err := qrcode.New(u, level)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-11s %2d-character token, %3d-character URL: version %d", tt.name, len(tt.token), len(u), q.VersionNumber)
		if q.VersionNumber > 6 {
			t.Errorf("%s: %q needs QR version %d, want 6 or lower", tt.name, u, q.VersionNumber)
		}
	}
}

func TestPNG(t *testing.T) {
	content := URL(testBase, mustSign(t, newTestSigner(t, testKey(1)), longest))
	q, _ := qrcode.New(content, level)
	bitmap := q.Bitmap()
	n := len(bitmap)
	for _, tt := range []struct{ size, want int }{
		{0, DefaultSize / n * n},
		{-3, DefaultSize / n * n},
		{DefaultSize, DefaultSize / n * n},
		{500, 500 / n * n},
		{1 << 20, MaxSize / n * n},
		{n - 1, n},
		{1, n},
	} {
		b, err := PNG(content, tt.size)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("size %d: %v", tt.size, err)
		}
		r := img.Bounds()
		if r.Dx() != tt.want || r.Dy() != tt.want {
			t.Fatalf("PNG(%d) is %dx%d, want %dx%d", tt.size, r.Dx(), r.Dy(), tt.want, tt.want)
		}
		// Every pixel of a module has the module's colour: whole pixels per module, no smearing.
		scale := tt.want / n
		for y := 0; y < tt.want; y++ {
			for x := 0; x < tt.want; x++ {
				dark := color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y < 128
				if dark != bitmap[y/scale][x/scale] {
					t.Fatalf("PNG(%d): pixel (%d,%d) does not match module (%d,%d)", tt.size, x, y, x/scale, y/scale)
				}
			}
		}
	}
	if _, err := PNG(strings.Repeat("x", 3000), 0); err == nil {
		t.Error("content beyond any QR version was drawn")
	}
}

var runRE = regexp.MustCompile(`^M(\d+) (\d+)h(\d+)v1h-(\d+)z`)

func TestSVG(t *testing.T) {
	s := newTestSigner(t, testKey(1))
	member, _, _ := s.MemberCode(4711, testNow)
	for _, content := range []string{URL(testBase, mustSign(t, s, longest)), URL(testBase, member), "a"} {
		q, _ := qrcode.New(content, level)
		bitmap := q.Bitmap()
		n := len(bitmap)
		b, err := SVG(content, 0)
		if err != nil {
			t.Fatal(err)
		}
		root, paths := parseSVG(t, b)
		attr := func(name string) string {
			for _, a := range root.Attr {
				if a.Name.Local == name {
					return a.Value
				}
			}
			return ""
		}
		size := strconv.Itoa(DefaultSize / n * n)
		if root.Name.Local != "svg" || attr("width") != size || attr("height") != size ||
			attr("viewBox") != fmt.Sprintf("0 0 %d %d", n, n) || attr("shape-rendering") != "crispEdges" {
			t.Fatalf("root element %+v", root)
		}
		if len(paths) != 1 {
			t.Fatalf("%d paths, want one", len(paths))
		}
		// Redraw the modules from the path and compare them with go-qrcode's bitmap, quiet zone included.
		drawn := make([][]bool, n)
		for i := range drawn {
			drawn[i] = make([]bool, n)
		}
		darkDrawn, d := 0, paths[0]
		for d != "" {
			m := runRE.FindStringSubmatch(d)
			if m == nil {
				t.Fatalf("path data not made of unit-high runs at %.30q", d)
			}
			d = d[len(m[0]):]
			x, _ := strconv.Atoi(m[1])
			y, _ := strconv.Atoi(m[2])
			w, _ := strconv.Atoi(m[3])
			if m[3] != m[4] || w < 1 || x+w > n || y >= n {
				t.Fatalf("bad run %q", m[0])
			}
			for i := x; i < x+w; i++ {
				if drawn[y][i] {
					t.Fatalf("module (%d,%d) drawn twice", i, y)
				}
				drawn[y][i] = true
				darkDrawn++
			}
		}
		dark := 0
		for y := range bitmap {
			for x := range bitmap[y] {
				if bitmap[y][x] {
					dark++
				}
				if drawn[y][x] != bitmap[y][x] {
					t.Fatalf("%q: module (%d,%d) drawn %v, want %v", content, x, y, drawn[y][x], bitmap[y][x])
				}
			}
		}
		if darkDrawn != dark || dark == 0 {
			t.Fatalf("%d dark modules drawn, bitmap has %d", darkDrawn, dark)
		}
		for i := 0; i < 4; i++ { // the quiet zone is blank
			if bitmap[i][n/2] || bitmap[n/2][i] || bitmap[n-1-i][n/2] || bitmap[n/2][n-1-i] {
				t.Fatalf("no quiet zone: row or column %d is not blank", i)
			}
		}
	}
}

// parseSVG checks that b is well-formed XML and returns its root element and the d of its paths.
func parseSVG(t *testing.T, b []byte) (xml.StartElement, []string) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	var root xml.StartElement
	var paths []string
	for depth := 0; ; {
		tok, err := dec.Token()
		if err == io.EOF {
			if depth != 0 {
				t.Fatal("unclosed element")
			}
			return root, paths
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if root.Name.Local != "" {
					t.Fatal("two root elements")
				}
				root = e.Copy()
			}
			if e.Name.Local == "path" {
				for _, a := range e.Attr {
					if a.Name.Local == "d" {
						paths = append(paths, a.Value)
					}
				}
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
}
