package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// browser drives the app as a browser does: it asks for HTML, keeps cookies, and does not follow
// redirects (tests look at each one).
type browser struct {
	t    *testing.T
	app  *fiber.App
	jar  map[string]string
	lang string // Accept-Language
}

func newBrowser(t *testing.T, app *fiber.App) *browser {
	return &browser{t: t, app: app, jar: map[string]string{}}
}

// response is a page as the browser got it.
type response struct {
	status int
	header http.Header
	body   string
}

func (r response) location() string { return r.header.Get("Location") }

func (b *browser) do(method, path string, form url.Values) response {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range b.jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := b.app.Test(req, -1)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	for _, c := range resp.Cookies() {
		if c.Value == "" || c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(time.Now())) {
			delete(b.jar, c.Name)
		} else {
			b.jar[c.Name] = c.Value
		}
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}

func (b *browser) get(path string) response { b.t.Helper(); return b.do("GET", path, nil) }

// post sends a form as it is, with no anti-forgery token unless the form has one.
func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	return b.do("POST", path, form)
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)">`)

// csrf reads the anti-forgery token a page gives this browser.
func (b *browser) csrf() string {
	b.t.Helper()
	m := csrfMeta.FindStringSubmatch(b.get("/").body)
	if m == nil || m[1] == "" {
		b.t.Fatal("no csrf-token meta on the home page")
	}
	return m[1]
}

// submit posts a form with the page's anti-forgery token, as a page's form does.
func (b *browser) submit(path string, form url.Values) response {
	b.t.Helper()
	form.Set("_csrf", b.csrf())
	return b.post(path, form)
}

func TestPagesRender(t *testing.T) {
	app, _ := newTestApp(t)
	b := newBrowser(t, app)
	for _, path := range []string{"/", "/login", "/register"} {
		r := b.get(path)
		if r.status != 200 || !strings.Contains(r.body, `<html lang="zh-CN">`) {
			t.Errorf("GET %s: %d\n%s", path, r.status, r.body)
		}
	}
}
