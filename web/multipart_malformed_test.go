package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"timebank/web/i18n"
	"timebank/web/problem"
)

// A multipart body that does not parse (no closing boundary) is a 400 of the route it was sent to, in
// the caller's language, like any other bad input, and stores nothing.
func TestMalformedMultipart(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	itemID, _ := storeFixture(t, w, w.sa.ID)
	path := "/api/v1/stores/" + id(w.sa.ID) + "/items/" + id(itemID) + "/photo"
	base := serve(t, app)
	body := "--XYZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nnot a picture"
	for _, lang := range []struct{ accept, want string }{{"", "zh-CN"}, {"en", "en"}} {
		req, err := http.NewRequest("PUT", base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+w.tokens[managerSA])
		req.Header.Set("Content-Type", "multipart/form-data; boundary=XYZ")
		req.Header.Set("Accept-Language", lang.accept)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var p problem.Problem
		if resp.StatusCode != 400 || json.Unmarshal(raw, &p) != nil || p.Instance != path ||
			resp.Header.Get("Content-Language") != lang.want {
			t.Fatalf("Accept-Language %q: %d %s %s", lang.accept, resp.StatusCode, resp.Header.Get("Content-Language"), raw)
		}
		if len(p.Errors) != 1 || p.Errors[0].Field != "photo" {
			t.Errorf("Accept-Language %q: errors %+v, want the photo field named", lang.accept, p.Errors)
		}
	}
	var n int
	if err := d.DB.Get(&n, `SELECT count(*) FROM store_item_photos`); err != nil || n != 0 {
		t.Fatalf("%d photos stored (%v)", n, err)
	}
}

// The item page's photo form with a body that does not parse gets a page in the person's language:
// its anti-forgery token cannot be read from it, so it is refused as a form without one.
func TestMalformedMultipartPage(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	itemID, _ := storeFixture(t, w, w.sa.ID)
	b := browserAs(t, app, managerSA)
	path := "/stores/" + id(w.sa.ID) + "/items/" + id(itemID) + "/photo"
	req := httptest.NewRequest("POST", path, strings.NewReader("--XYZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nx"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=XYZ")
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Accept-Language", "en")
	for k, v := range b.jar {
		if k != i18n.CookieLang { // the language comes from Accept-Language here
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode < 400 || resp.StatusCode >= 500 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		resp.Header.Get("Content-Language") != "en" {
		t.Fatalf("%d %s %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Language"), raw)
	}
	var n int
	if err := d.DB.Get(&n, `SELECT count(*) FROM store_item_photos`); err != nil || n != 0 {
		t.Fatalf("%d photos stored (%v)", n, err)
	}
}
