package web

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/store"
	"timebank/web/api"
)

// photoPNG is a w×h PNG with a gradient.
func photoPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// photoForm is a multipart form with the picture in the field "photo" (and a misleading name).
func photoForm(t *testing.T, data []byte, extra map[string]string) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range extra {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("photo", "invoice.pdf")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

// photoReq sends a body of the given type as the caller, with extra headers.
func photoReq(t *testing.T, app *fiber.App, token, method, path, ctype string, body []byte, headers ...string) (answer, map[string]string) {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	h := map[string]string{}
	for _, k := range []string{"Content-Type", "ETag", "Cache-Control"} {
		h[k] = resp.Header.Get(k)
	}
	return answer{resp.StatusCode, raw}, h
}

// An item's photo through the API: the manager uploads one raw and one as a form, anyone reads it
// with its ETag and gets 304 with it, refusals are problems in the caller's language, a clerk may
// not change the catalogue, and the photo goes away when removed.
func TestStoreItemPhotoAPI(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	itemID, _ := storeFixture(t, w, w.sa.ID)
	path := "/api/v1/stores/" + id(w.sa.ID) + "/items/" + id(itemID) + "/photo"
	manager := w.tokens[managerSA]

	// Raw body, declared as something else: the bytes decide.
	var p store.Photo
	a, _ := photoReq(t, app, manager, "PUT", path, "application/octet-stream", photoPNG(t, 1000, 500))
	a.ok(t, 200, &p)
	if p.Width != 800 || p.Height != 400 || p.ContentType != "image/jpeg" || len(p.ETag) != 64 {
		t.Fatalf("kept %+v", p)
	}
	got, h := photoReq(t, app, "", "GET", path, "", nil)
	if got.status != 200 || h["Content-Type"] != "image/jpeg" || h["ETag"] != `"`+p.ETag+`"` || !strings.Contains(h["Cache-Control"], "max-age") {
		t.Fatalf("public GET: %d %v", got.status, h)
	}
	if img, err := jpeg.Decode(bytes.NewReader(got.raw)); err != nil || img.Bounds().Dx() != 800 {
		t.Fatalf("the served photo: %v", err)
	}
	if nm, _ := photoReq(t, app, "", "GET", path, "", nil, "If-None-Match", `"`+p.ETag+`"`); nm.status != 304 || len(nm.raw) != 0 {
		t.Fatalf("If-None-Match with the ETag: %d, %d bytes", nm.status, len(nm.raw))
	}
	if nm, _ := photoReq(t, app, "", "GET", path, "", nil, "If-None-Match", `"other"`); nm.status != 200 {
		t.Fatalf("If-None-Match with another ETag: %d", nm.status)
	}
	var it store.Item
	storeReq(t, app, "", "GET", "/api/v1/stores/"+id(w.sa.ID)+"/catalog", "").ok(t, 200, nil)
	items, err := d.Store.Items(context.Background(), w.sa.ID, store.ItemFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range items {
		if x.ID == itemID {
			it = x
		}
	}
	if !it.HasPhoto || it.PhotoVersion != p.ETag[:16] {
		t.Fatalf("the item: has_photo %v version %q", it.HasPhoto, it.PhotoVersion)
	}

	// A multipart form replaces it.
	ctype, body := photoForm(t, photoPNG(t, 300, 600), nil)
	var q store.Photo
	a, _ = photoReq(t, app, manager, "PUT", path, ctype, body)
	a.ok(t, 200, &q)
	if q.Width != 300 || q.Height != 600 || q.ETag == p.ETag {
		t.Fatalf("replaced by %+v", q)
	}
	if nm, _ := photoReq(t, app, "", "GET", path, "", nil, "If-None-Match", `"`+p.ETag+`"`); nm.status != 200 {
		t.Fatalf("the old ETag still matches: %d", nm.status)
	}

	// Refusals, in Chinese by default and in English when asked.
	big := append(photoPNG(t, 8, 8), make([]byte, store.MaxPhotoBytes)...)
	for _, tc := range []struct {
		name   string
		ctype  string
		body   []byte
		status int
		slug   string
		zh, en string
	}{
		{"text", "image/png", []byte("not a picture, only words"), 415, "photo-type", "只接受", "Only JPEG"},
		{"too large", "image/png", big, 413, "photo-too-large", "照片太大", "too large"},
		{"broken", "image/png", photoPNG(t, 40, 40)[:60], 422, "photo-invalid", "无法读取", "cannot be read"},
	} {
		for _, lang := range []string{"zh-CN", "en"} {
			a, h := photoReq(t, app, manager, "PUT", path, tc.ctype, tc.body, "Accept-Language", lang)
			pr := a.problem(t, tc.status, tc.slug)
			want := tc.zh
			if lang == "en" {
				want = tc.en
			}
			if !strings.Contains(pr.Title, want) || h["Content-Type"] != "application/problem+json" {
				t.Errorf("%s in %s: %q (%s), want %q", tc.name, lang, pr.Title, h["Content-Type"], want)
			}
		}
	}
	// Over the app's body limit (12 MB) the server refuses the request before any handler reads it
	// (fasthttp answers 413 and closes the connection; the test client reports that as an error).
	huge := httptest.NewRequest("PUT", path, bytes.NewReader(make([]byte, 50<<20)))
	huge.Header.Set("Authorization", "Bearer "+manager)
	if resp, err := app.Test(huge, -1); err == nil {
		resp.Body.Close()
		if resp.StatusCode != 413 {
			t.Errorf("a 50 MB body: %d, want 413", resp.StatusCode)
		}
	} else if !strings.Contains(err.Error(), "body size exceeds") {
		t.Errorf("a 50 MB body: %v", err)
	}
	ctype, body = photoForm(t, nil, map[string]string{"note": "no photo here"})
	a, _ = photoReq(t, app, manager, "PUT", path, ctype, bytes.ReplaceAll(body, []byte(`name="photo"`), []byte(`name="other"`)))
	a.problem(t, 400, "invalid-request")

	// A clerk serves the counter but does not manage the catalogue; nobody anonymous writes.
	a, _ = photoReq(t, app, w.tokens[clerkSA], "PUT", path, "image/png", photoPNG(t, 10, 10))
	a.problem(t, 403, "forbidden")
	if a, _ := photoReq(t, app, "", "DELETE", path, "", nil); a.status != 401 {
		t.Fatalf("anonymous DELETE: %d", a.status)
	}
	if got, _ := photoReq(t, app, "", "GET", path, "", nil); got.status != 200 || !bytes.Equal(got.raw[:2], []byte{0xFF, 0xD8}) {
		t.Fatalf("the refusals changed the photo: %d", got.status)
	}

	// Removed: gone, and removing again or reading it is 404.
	if a, _ := photoReq(t, app, manager, "DELETE", path, "", nil); a.status != 204 {
		t.Fatalf("DELETE: %d %s", a.status, a.raw)
	}
	a, _ = photoReq(t, app, "", "GET", path, "", nil)
	a.problem(t, 404, "photo-not-found")
	a, _ = photoReq(t, app, manager, "DELETE", path, "", nil)
	a.problem(t, 404, "photo-not-found")
	a, _ = photoReq(t, app, manager, "PUT", "/api/v1/stores/"+id(w.sb.ID)+"/items/"+id(itemID)+"/photo", "image/png", photoPNG(t, 10, 10))
	if a.status != 403 {
		t.Fatalf("the manager of SA at SB: %d", a.status)
	}
}

// Revalidating a photo: an If-None-Match that names its ETag (weakly, in a list, or as "*") gets
// 304 with the ETag and no body; any other tag, or a malformed one, gets 200 with the photo's bytes.
func TestStoreItemPhotoRevalidation(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	itemID, _ := storeFixture(t, w, w.sa.ID)
	path := "/api/v1/stores/" + id(w.sa.ID) + "/items/" + id(itemID) + "/photo"
	var p store.Photo
	a, _ := photoReq(t, app, w.tokens[managerSA], "PUT", path, "image/png", photoPNG(t, 120, 80))
	a.ok(t, 200, &p)
	etag := `"` + p.ETag + `"`
	plain, _ := photoReq(t, app, "", "GET", path, "", nil)
	if plain.status != 200 || len(plain.raw) != p.Size {
		t.Fatalf("GET without If-None-Match: %d, %d bytes of %d", plain.status, len(plain.raw), p.Size)
	}

	for _, tc := range []struct {
		header string
		status int
	}{
		{etag, 304},
		{"W/" + etag, 304},
		{`"0123", ` + etag, 304},
		{"*", 304},
		{`"0123"`, 200},
		{`W/"0123", "4567"`, 200},
		{p.ETag, 200}, // unquoted: malformed, matches nothing
		{`"` + p.ETag[:63] + `"`, 200},
	} {
		got, h := photoReq(t, app, "", "GET", path, "", nil, "If-None-Match", tc.header)
		if got.status != tc.status || h["ETag"] != etag || h["Cache-Control"] != api.ItemPhotoCache {
			t.Errorf("If-None-Match %s: %d %v, want %d with ETag %s", tc.header, got.status, h, tc.status, etag)
		}
		switch tc.status {
		case 304:
			if len(got.raw) != 0 || h["Content-Type"] == "image/jpeg" {
				t.Errorf("If-None-Match %s: 304 with %d bytes, %s", tc.header, len(got.raw), h["Content-Type"])
			}
		case 200:
			if !bytes.Equal(got.raw, plain.raw) || h["Content-Type"] != "image/jpeg" {
				t.Errorf("If-None-Match %s: %d bytes of %s, not the photo", tc.header, len(got.raw), h["Content-Type"])
			}
		}
	}
}

// storePhotoAuthzEntries are the rows of the authorization table for item photos: anyone reads a
// photo (404 here: the item has none); only who manages the catalogue at the store writes one (a
// text body, refused as 415 once let through).
func storePhotoAuthzEntries() map[string]entry {
	managers := with(managerSA, adminA, regionXS)
	photo := func(method string, inside bool) func(*testing.T, *world) call {
		return func(t *testing.T, w *world) call {
			s := w.sb.ID
			if inside {
				s = w.sa.ID
			}
			it, _ := storeFixture(t, w, s)
			body := ""
			if method == "PUT" {
				body = malformed
			}
			return call{method, fmt.Sprintf("/api/v1/stores/%d/items/%d/photo", s, it), body}
		}
	}
	page := func(suffix string) entry {
		return entry{who: managers,
			in:  func(_ *testing.T, w *world) call { return call{"POST", "/stores/" + id(w.sa.ID) + suffix, malformed} },
			out: func(_ *testing.T, w *world) call { return call{"POST", "/stores/" + id(w.sb.ID) + suffix, malformed} }}
	}
	return map[string]entry{
		"GET /api/v1/stores/:id/items/:item/photo":    {who: everyone, in: photo("GET", true)},
		"PUT /api/v1/stores/:id/items/:item/photo":    {who: managers, in: photo("PUT", true), out: photo("PUT", false)},
		"DELETE /api/v1/stores/:id/items/:item/photo": {who: managers, in: photo("DELETE", true), out: photo("DELETE", false)},

		// The item page's forms; a missing item answers 404 once let through.
		"POST /stores/:store/items/:item/photo":        page("/items/999999/photo"),
		"POST /stores/:store/items/:item/photo/delete": page("/items/999999/photo/delete"),
	}
}
