package store_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strconv"
	"testing"

	xwebp "golang.org/x/image/webp"

	"timebank/pkg/org"
	"timebank/pkg/store"
)

// solidWebP builds a lossless WebP (VP8L) of w×h pixels of one colour. Go has no WebP encoder; with
// one symbol in each of the five prefix codes, every pixel costs zero bits, so the bitstream is only
// the header and the codes.
func solidWebP(w, h int, r, g, b uint8) []byte {
	var bits []byte
	var acc uint64
	var n uint
	put := func(v uint64, width uint) { // least significant bit first, as VP8L reads
		acc |= v << n
		n += width
		for n >= 8 {
			bits = append(bits, byte(acc))
			acc >>= 8
			n -= 8
		}
	}
	put(uint64(w-1), 14)
	put(uint64(h-1), 14)
	put(0, 1) // no alpha used
	put(0, 3) // version 0
	put(0, 1) // no transform
	put(0, 1) // no colour cache
	put(0, 1) // no meta prefix codes
	for _, sym := range []uint64{uint64(g), uint64(r), uint64(b), 0xff} {
		put(1, 1) // a simple code
		put(0, 1) // of one symbol
		put(1, 1) // written in 8 bits
		put(sym, 8)
	}
	put(1, 1) // the distance code: simple, one symbol, 1 bit, symbol 0
	put(0, 1)
	put(0, 1)
	put(0, 1)
	if n > 0 {
		bits = append(bits, byte(acc))
	}
	chunk := append([]byte{0x2f}, bits...)
	out := []byte("RIFF")
	size := 4 + 8 + len(chunk) + len(chunk)%2
	out = binary.LittleEndian.AppendUint32(out, uint32(size))
	out = append(out, "WEBPVP8L"...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(chunk)))
	out = append(out, chunk...)
	if len(chunk)%2 == 1 {
		out = append(out, 0)
	}
	return out
}

// testPicture is a w×h picture with a gradient, so that a resize has something to resample.
func testPicture(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 90, 255})
		}
	}
	return img
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeGIF(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withEXIF puts an APP1 Exif segment (as a phone writes, here with a made-up GPS tag's bytes) right
// after a JPEG's start marker.
func withEXIF(jpg []byte) []byte {
	payload := append([]byte("Exif\x00\x00"), []byte("MM\x00\x2a GPSLatitude 30.5107N 120.6800E")...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

// jpegMarkers lists the markers of a JPEG's segments before its scan.
func jpegMarkers(t *testing.T, jpg []byte) []byte {
	t.Helper()
	var markers []byte
	for i := 2; i+4 <= len(jpg); {
		if jpg[i] != 0xFF {
			t.Fatalf("no marker at %d", i)
		}
		m := jpg[i+1]
		markers = append(markers, m)
		if m == 0xDA { // start of scan: entropy-coded data follows
			break
		}
		i += 2 + int(binary.BigEndian.Uint16(jpg[i+2:]))
	}
	return markers
}

// pngBomb is the start of a PNG whose header claims a 20000×20000 picture (400 megapixels, more than
// a gigabyte decoded) and has no pixels at all.
func pngBomb() []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 20000)
	binary.BigEndian.PutUint32(ihdr[4:], 20000)
	ihdr[8], ihdr[9] = 8, 6 // 8 bits, RGBA
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(ihdr)))
	chunk = append(chunk, "IHDR"...)
	chunk = append(chunk, ihdr...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	return append([]byte("\x89PNG\r\n\x1a\n"), chunk...)
}

func TestItemPhotoFormats(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	webp := solidWebP(300, 200, 0x2e, 0x8b, 0x57)
	if img, err := xwebp.Decode(bytes.NewReader(webp)); err != nil || img.Bounds().Dx() != 300 || img.Bounds().Dy() != 200 {
		t.Fatalf("the test's WebP: %v", err)
	} else if r, g, b, _ := img.At(150, 100).RGBA(); r>>8 != 0x2e || g>>8 != 0x8b || b>>8 != 0x57 {
		t.Fatalf("the test's WebP decodes to %x %x %x", r>>8, g>>8, b>>8)
	}
	for _, tc := range []struct {
		name       string
		data       []byte
		srcW, srcH int
		w, h       int
	}{
		{"png wide", encodePNG(t, testPicture(1600, 900)), 1600, 900, 800, 450},
		{"jpeg tall", encodeJPEG(t, testPicture(600, 1200)), 600, 1200, 400, 800},
		{"gif small, not enlarged", encodeGIF(t, testPicture(120, 90)), 120, 90, 120, 90},
		{"webp", webp, 300, 200, 300, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := e.item(store.NewItem{Name: "照片" + tc.name, Price: 10})
			p, err := e.svc.SetItemPhoto(ctx, e.manager, e.storeID, it.ID, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.svc.ItemPhoto(ctx, e.storeID, it.ID)
			if err != nil || !bytes.Equal(got.Data, p.Data) || got.ETag != p.ETag || got.ContentType != "image/jpeg" {
				t.Fatalf("stored %+v %v", got.ETag, err)
			}
			img, format, err := image.Decode(bytes.NewReader(got.Data))
			if err != nil || format != "jpeg" {
				t.Fatalf("the stored photo is no JPEG: %s %v", format, err)
			}
			w, h := img.Bounds().Dx(), img.Bounds().Dy()
			if w != got.Width || h != got.Height || w > 800 || h > 800 || got.Size != len(got.Data) {
				t.Fatalf("stored %dx%d, says %dx%d, %d bytes of %d", w, h, got.Width, got.Height, got.Size, len(got.Data))
			}
			if w != tc.w || h != tc.h {
				t.Fatalf("%dx%d became %dx%d, want %dx%d", tc.srcW, tc.srcH, w, h, tc.w, tc.h)
			}
			if it := e.itemNow(it.ID); !it.HasPhoto || it.PhotoVersion != got.ETag[:16] {
				t.Fatalf("the item says has_photo %v version %q", it.HasPhoto, it.PhotoVersion)
			}
		})
	}
}

// Refusals: too many bytes, a decompression bomb (refused from its header), garbage, a file of an
// accepted type that is broken, another store's item; and a phone photo's EXIF does not survive.
func TestItemPhotoRefusalsAndMetadata(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	it := e.item(store.NewItem{Name: "肥皂", Price: 30})
	big := append(encodePNG(t, testPicture(10, 10)), make([]byte, store.MaxPhotoBytes)...)
	jpg := encodeJPEG(t, testPicture(64, 48))
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"over 5 MB", big, store.ErrPhotoTooLarge},
		{"decompression bomb", pngBomb(), store.ErrPhotoTooLarge},
		{"garbage", []byte("this is not a picture at all, only some text"), store.ErrPhotoType},
		{"empty", nil, store.ErrPhotoType},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`), store.ErrPhotoType},
		{"broken jpeg", jpg[:len(jpg)/3], store.ErrPhotoInvalid},
	} {
		if _, err := e.svc.SetItemPhoto(ctx, e.manager, e.storeID, it.ID, tc.data); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := e.svc.ItemPhoto(ctx, e.storeID, it.ID); !errors.Is(err, store.ErrPhotoNotFound) {
		t.Fatalf("a refused upload left a photo: %v", err)
	}

	// Another store's item is not found, and neither is its photo from here.
	other, err := e.reg.CreateStore(ctx, e.manager, org.NewStore{OrgID: e.org.ID, Name: "东山公益仓"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetItemPhoto(ctx, e.manager, other.ID, it.ID, jpg); !errors.Is(err, store.ErrItemNotFound) {
		t.Fatalf("another store's item: %v", err)
	}
	if err := e.svc.DeleteItemPhoto(ctx, e.manager, other.ID, it.ID); !errors.Is(err, store.ErrItemNotFound) {
		t.Fatalf("delete at another store: %v", err)
	}

	phone := withEXIF(jpg)
	if !bytes.Contains(phone, []byte("Exif")) || !bytes.Contains(jpegMarkers(t, phone), []byte{0xE1}) {
		t.Fatal("the test picture has no EXIF segment")
	}
	p, err := e.svc.SetItemPhoto(ctx, e.manager, e.storeID, it.ID, phone)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(jpegMarkers(t, p.Data), []byte{0xE1}) || bytes.Contains(p.Data, []byte("GPS")) {
		t.Fatal("the stored photo kept the EXIF segment")
	}
	if _, err := e.svc.ItemPhoto(ctx, other.ID, it.ID); !errors.Is(err, store.ErrPhotoNotFound) {
		t.Fatalf("the photo read at another store: %v", err)
	}

	// A new photo replaces the old one; removing it leaves none, and removing again says so.
	q, err := e.svc.SetItemPhoto(ctx, e.manager, e.storeID, it.ID, encodePNG(t, testPicture(30, 30)))
	if err != nil || q.ETag == p.ETag {
		t.Fatalf("replaced: %v", err)
	}
	var rows int
	if err := e.db.Get(&rows, `SELECT count(*) FROM store_item_photos WHERE item_id = $1`, it.ID); err != nil || rows != 1 {
		t.Fatalf("%d rows after a replacement (%v)", rows, err)
	}
	if err := e.svc.DeleteItemPhoto(ctx, e.manager, e.storeID, it.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteItemPhoto(ctx, e.manager, e.storeID, it.ID); !errors.Is(err, store.ErrPhotoNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if it := e.itemNow(it.ID); it.HasPhoto || it.PhotoVersion != "" {
		t.Fatalf("the item still says it has a photo: %+v", it)
	}
	var audits int
	if err := e.db.Get(&audits, `SELECT count(*) FROM audit_log WHERE action LIKE 'store.item_photo_%' AND target = $1`,
		"item:"+strconv.FormatInt(it.ID, 10)); err != nil || audits != 3 {
		t.Fatalf("%d audit entries (%v), want 3", audits, err)
	}
}

// A caller that names the photo's ETag among those it holds gets what is known about the photo
// without its bytes; any other ETag, or none, gets the bytes.
func TestItemPhotoHeld(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	it := e.item(store.NewItem{Name: "照片缓存", Price: 10})
	p, err := e.svc.SetItemPhoto(ctx, e.manager, e.storeID, it.ID, encodePNG(t, testPicture(64, 48)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		held      []string
		withBytes bool
	}{
		{"nothing held", nil, true},
		{"an empty list", []string{}, true},
		{"another photo's ETag", []string{"0123"}, true},
		{"its quoted ETag", []string{`"` + p.ETag + `"`}, true}, // the store compares bare ETags
		{"its ETag", []string{p.ETag}, false},
		{"its ETag among others", []string{"0123", p.ETag, ""}, false},
	} {
		got, err := e.svc.ItemPhoto(ctx, e.storeID, it.ID, tc.held...)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got.ETag != p.ETag || got.Width != 64 || got.Height != 48 || got.Size != len(p.Data) ||
			got.ContentType != "image/jpeg" || got.ItemID != it.ID || got.UploadedAt.IsZero() {
			t.Errorf("%s: %+v", tc.name, got)
		}
		if tc.withBytes && !bytes.Equal(got.Data, p.Data) {
			t.Errorf("%s: %d bytes, want the photo's %d", tc.name, len(got.Data), len(p.Data))
		}
		if !tc.withBytes && got.Data != nil {
			t.Errorf("%s: %d bytes read, want none", tc.name, len(got.Data))
		}
	}
	if _, err := e.svc.ItemPhoto(ctx, e.storeID, it.ID+1000, p.ETag); !errors.Is(err, store.ErrPhotoNotFound) {
		t.Fatalf("no such item, with an ETag held: %v", err)
	}
}
