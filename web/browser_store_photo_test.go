package web

import (
	"bytes"
	"context"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// imageShown waits until the image the CSS selector finds has loaded and decoded to a picture of
// the given width (naturalWidth is 0 for a broken image).
func imageShown(t *testing.T, ctx context.Context, css string, width int) {
	t.Helper()
	waitFor(t, ctx, css+" is shown", `(function () { var i = document.querySelector('`+css+`');
		return !!i && i.complete && i.naturalWidth === `+strconv.FormatInt(int64(width), 10)+`; })()`)
}

// fetchJPEG gets a path of the app as a browser's image request would and returns the picture's
// width and height, failing unless it is served as a JPEG.
func fetchJPEG(t *testing.T, base, path string) (int, int) {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	img, err := jpeg.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("GET %s: not a JPEG: %v", path, err)
	}
	return img.Bounds().Dx(), img.Bounds().Dy()
}

// The item photo in a real browser: the store manager opens the item's page (no photo yet), chooses
// a PNG with the page's file input and uploads it; the page comes back showing the photo, served as
// a JPEG of the same size, and the catalogue shows it as the item's thumbnail. Screenshots of each
// screen are saved.
func TestBrowserStorePhoto(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d := browserApp(t)
	w := newWorld(t, d)
	itemID, _ := storeFixture(t, w, w.sa.ID)
	sa := "/stores/" + id(w.sa.ID)
	file := filepath.Join(t.TempDir(), "towel.png")
	if err := os.WriteFile(file, photoPNG(t, 240, 180), 0o644); err != nil {
		t.Fatal(err)
	}

	pc := newChrome(t)
	signInWith(t, pc, base, worldPhone(managerSA), testPassword)
	visit(t, pc, base+sa+"/items/"+id(itemID))
	step(t, pc, "the page says there is no photo yet", chromedp.WaitVisible(chromedp.ID("item-photo-none")))
	screenshot(t, pc, "item-without-photo")

	step(t, pc, "choose the PNG and upload it",
		chromedp.SetUploadFiles(chromedp.ID("f-photo"), []string{file}),
		chromedp.Click(chromedp.ID("photo-submit")),
		chromedp.WaitVisible(chromedp.ID("item-photo-img")))
	imageShown(t, pc, "#item-photo-img", 240)
	step(t, pc, "the photo section is in view", script(`document.getElementById('item-photo').scrollIntoView()`))
	screenshot(t, pc, "item-with-photo")
	src := attrAt(t, pc, "#item-photo-img", "src")
	photoPath := "/api/v1/stores/" + id(w.sa.ID) + "/items/" + id(itemID) + "/photo?v="
	if !strings.HasPrefix(src, photoPath) || len(src) == len(photoPath) {
		t.Fatalf("the photo's src %q, want %s<version>", src, photoPath)
	}
	if wd, ht := fetchJPEG(t, base, src); wd != 240 || ht != 180 {
		t.Errorf("the served photo is %dx%d, want 240x180", wd, ht)
	}
	if p, err := d.Store.ItemPhoto(context.Background(), w.sa.ID, itemID); err != nil || !strings.HasSuffix(src, "?v="+p.ETag[:16]) {
		t.Errorf("the page links %q for the kept photo (%v)", src, err)
	}

	// The catalogue shows the same photo, at the same versioned address, as the item's thumbnail.
	visit(t, pc, base+sa)
	thumb := "#item-" + id(itemID) + "-photo"
	step(t, pc, "the item's thumbnail is in view", script(`document.querySelector('`+thumb+`').scrollIntoView({block: 'center'})`))
	imageShown(t, pc, thumb, 240)
	if got := attrAt(t, pc, thumb, "src"); got != src {
		t.Errorf("the catalogue's thumbnail %q, want %q", got, src)
	}
	screenshot(t, pc, "catalogue-with-thumbnail")
}
