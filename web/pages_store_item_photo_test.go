package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"timebank/pkg/store"
	"timebank/web/pages"
)

// uploadPhoto posts the item page's photo form: the picture in the field "photo", with the page's
// anti-forgery token unless csrf is false.
func (b *browser) uploadPhoto(path string, content []byte, csrf bool) response {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if csrf {
		_ = mw.WriteField("_csrf", b.csrf())
	}
	fw, err := mw.CreateFormFile("photo", "IMG_0001.HEIC")
	if err != nil {
		b.t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = mw.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	for k, v := range b.jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := b.app.Test(req, -1)
	if err != nil {
		b.t.Fatalf("upload to %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}

// The item page's photo form: without the anti-forgery token nothing is kept; a picture is kept and
// shown on the page, in the catalogue and in the counter's search; a text file is refused beside
// the field (in English too); the remove button takes the photo away.
func TestStoreItemPhotoPage(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	itemID, _ := storeFixture(t, w, w.sa.ID)
	page := "/stores/" + id(w.sa.ID) + "/items/" + id(itemID)
	manager := signedInAs(t, app, managerSA)

	want(t, "item page without a photo", manager.get(page), 200, `id="photo-form"`, `enctype="multipart/form-data"`,
		`accept="image/jpeg,image/png,image/gif,image/webp,image/*"`, `id="item-photo-none"`)
	if r := manager.uploadPhoto(page+"/photo", photoPNG(t, 200, 100), false); r.status != 403 {
		t.Fatalf("an upload without the token: %d", r.status)
	}
	r := manager.uploadPhoto(page+"/photo", photoPNG(t, 200, 100), true)
	if r.status != 303 || !strings.HasPrefix(r.location(), page) {
		t.Fatalf("upload: %d %s", r.status, r.location())
	}
	it, err := d.Store.Item(ctx, w.sa.ID, itemID)
	if err != nil || !it.HasPhoto {
		t.Fatalf("no photo kept: %+v %v", it, err)
	}
	url := pages.ItemPhotoURL(it)
	want(t, "item page with its photo", manager.get(page), 200, `id="item-photo-img"`, `src="`+url+`"`, `id="photo-delete"`)
	want(t, "catalogue", newBrowser(t, app).get("/stores/"+id(w.sa.ID)), 200, `id="item-`+id(itemID)+`-photo"`, url)
	storeFixture(t, w, w.sa.ID) // a second towel, so that the search offers a choice
	clerk := signedInAs(t, app, clerkSA)
	counter := clerk.submit("/stores/"+id(w.sa.ID)+"/counter/sale", map[string][]string{"op": {"find"}, "find": {it.Name[:len("毛巾")]}})
	if !strings.Contains(counter.body, `class="found-photo"`) || !strings.Contains(counter.body, url) {
		t.Fatalf("the counter's search shows no thumbnail: %d\n%s", counter.status, counter.body)
	}
	if p, err := d.Store.ItemPhoto(ctx, w.sa.ID, itemID); err != nil || p.Width != 200 {
		t.Fatalf("kept %dx%d %v", p.Width, p.Height, err)
	}

	want(t, "a text file", manager.uploadPhoto(page+"/photo", []byte("hello, not a picture"), true), 422,
		`id="f-photo-error"`, "只接受 JPEG", `aria-invalid="true"`, `value="`+it.Name+`"`)
	want(t, "switching to English", manager.submit("/lang", map[string][]string{"lang": {"en"}, "next": {"/"}}), 303)
	want(t, "a text file in English", manager.uploadPhoto(page+"/photo", []byte("hello, not a picture"), true), 422,
		"Only JPEG, PNG, GIF or WebP")
	if p, err := d.Store.ItemPhoto(ctx, w.sa.ID, itemID); err != nil || p.Width != 200 {
		t.Fatalf("a refused upload changed the photo: %v", err)
	}

	r = manager.submit(page+"/photo/delete", map[string][]string{})
	if r.status != 303 {
		t.Fatalf("remove: %d %s", r.status, r.body)
	}
	if _, err := d.Store.ItemPhoto(ctx, w.sa.ID, itemID); err != store.ErrPhotoNotFound {
		t.Fatalf("the photo is still there: %v", err)
	}
	want(t, "removing again", manager.submit(page+"/photo/delete", map[string][]string{}), 422, "The item has no photo")
}
