package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/identity"
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

const (
	testPhone = "13812345678"
	testPass  = "lantern-west-lake-7"
)

// residentID completes 17 digits with their GB 11643 check character.
func residentID(first17 string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	return first17 + string("10X98765432"[sum%11])
}

// personIn registers a person through the store and signs a new browser in through the log-in page.
func personIn(t *testing.T, app *fiber.App, d services, phone string) (*browser, identity.User) {
	t.Helper()
	u, err := d.Users.Register(context.Background(), identity.Registration{Phone: phone, Name: "测试" + phone[7:], Password: testPass})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	if r := b.submit("/login", url.Values{"phone": {phone}, "password": {testPass}}); r.status != 303 {
		t.Fatalf("log-in: %d %s", r.status, r.body)
	}
	return b, u
}

// inputsLabelled checks that every visible input of a page has an id and a label for it.
func inputsLabelled(t *testing.T, name, body string) {
	t.Helper()
	inputs := regexp.MustCompile(`<input\b[^>]*>`).FindAllString(body, -1)
	if len(inputs) == 0 {
		t.Fatalf("%s: no inputs", name)
	}
	id := regexp.MustCompile(`\bid="([^"]+)"`)
	for _, in := range inputs {
		if strings.Contains(in, `type="hidden"`) {
			continue
		}
		m := id.FindStringSubmatch(in)
		if m == nil || !strings.Contains(body, `<label for="`+m[1]+`"`) {
			t.Errorf("%s: input without a label: %s", name, in)
		}
	}
}

// The real menu: a visitor sees no personal entries, a person does.
func TestMenuOnPages(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	if r := newBrowser(t, app).get("/"); strings.Contains(r.body, `id="nav-me"`) || !strings.Contains(r.body, `id="home-register"`) {
		t.Error("the visitor's home page")
	}
	b, _ := personIn(t, app, d, testPhone)
	if r := b.get("/"); !strings.Contains(r.body, `id="nav-me"`) || !strings.Contains(r.body, `id="home-balance"`) {
		t.Error("the person's home page")
	}
}
