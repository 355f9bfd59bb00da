package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	who "timebank/pkg/principal"
	"timebank/pkg/servicedesk"
	"timebank/web/observe"
)

// The resident's link carries the access key; the page trades it at once for a cookie of the
// keyless address: the redirect drops the key, the cookie (HttpOnly, SameSite=Strict, that request's
// pages only) opens the page and no other request's, the pages keep out of Referer headers, the API
// takes the key in a header, a wrong key is a 404 problem, and no log line holds the key.
func TestServiceAccessKeyStaysOutOfAddressesAndLogs(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer // slog's text handler serializes its writes
	fapp, d := newTestAppWith(t, func(d services) { d.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	a := svcAPI{app: fapp}
	w := newWorld(t, d)
	ctx := context.Background()
	code := deskCode(t, d, w)
	ask := func(phone, key string) servicedesk.Created {
		c, err := d.ServiceDesk.Create(ctx, who.Operator(), key, servicedesk.NewRequest{DeskCode: code, Category: "meal",
			WantedAt: time.Now().Add(24 * time.Hour), Address: "东山路 18 号", Phone: phone, ForSelf: true})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	mine, other := ask("13812340001", "one"), ask("13812340002", "two")
	to := "/service/mine/" + strconv.FormatInt(mine.Request.ID, 10)
	html := []string{"Accept", "text/html"}

	r := a.do(t, "GET", "/service/r/"+mine.Access, "", html...)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != to || r.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("the link answers %d to %q (Referrer-Policy %q)", r.Status, r.Header.Get("Location"), r.Header.Get("Referrer-Policy"))
	}
	var ck *http.Cookie
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "svc_access" {
			ck = c
		}
	}
	if ck == nil || ck.Value != mine.Access || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != to || ck.MaxAge <= 0 {
		t.Fatalf("the cookie: %+v", ck)
	}
	page := a.do(t, "GET", to, "", append(html, "Cookie", "svc_access="+mine.Access)...)
	if page.Status != 200 || !bytes.Contains(page.Raw, []byte(`data-testid="svc-what"`)) || bytes.Contains(page.Raw, []byte(mine.Access)) ||
		page.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("the page by its cookie: %d, Referrer-Policy %q, key in it: %v", page.Status, page.Header.Get("Referrer-Policy"),
			bytes.Contains(page.Raw, []byte(mine.Access)))
	}
	for name, h := range map[string][]string{"no cookie": html, "another request's": append(html, "Cookie", "svc_access="+other.Access)} {
		if r := a.do(t, "GET", to, "", h...); r.Status != http.StatusNotFound {
			t.Errorf("%s opens the page: %d", name, r.Status)
		}
	}
	// A link followed from another site's page: the hop is a page of this site, which carries the
	// Strict cookie; the key is not in it.
	cross := a.do(t, "GET", "/service/r/"+mine.Access, "", append(html, "Sec-Fetch-Site", "cross-site")...)
	if cross.Status != 200 || !bytes.Contains(cross.Raw, []byte(`url=`+to)) || bytes.Contains(cross.Raw, []byte(mine.Access)) ||
		!strings.Contains(cross.Header.Get("Set-Cookie"), "svc_access=") {
		t.Fatalf("from another site: %d, %s", cross.Status, cross.Raw)
	}

	mac := mine.Access[strings.Index(mine.Access, "-")+1:]
	wrong := strconv.FormatInt(mine.Request.ID, 10) + "-AAAAAAAAAAAAAAAAAAAAAA"
	for _, c := range []struct {
		path    string
		headers []string
	}{{"/service/r/" + wrong, nil}, {"/service/r/nothing", nil},
		{"/api/v1/service-requests/access", []string{"X-Access-Key", wrong}}, {"/api/v1/service-requests/access", nil},
		{"/api/v1/service-requests/access/" + mine.Access, nil}} {
		r := a.do(t, "GET", c.path, "", c.headers...)
		if r.Status != http.StatusNotFound || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("GET %s %v: %s", c.path, c.headers, r)
		}
	}
	if r := a.do(t, "GET", "/api/v1/service-requests/access", "", "X-Access-Key", mine.Access); r.Status != 200 {
		t.Fatalf("the API by the header: %s", r)
	}

	if !strings.Contains(logs.String(), "/service/r/:access") || !strings.Contains(logs.String(), "/service/mine/:id") {
		t.Fatalf("the requests were not logged:\n%s", logs.String())
	}
	for _, k := range []string{mine.Access, other.Access, mac, wrong} {
		if strings.Contains(logs.String(), k) {
			t.Fatalf("a log line holds the key %q:\n%s", k, logs.String())
		}
	}
	if got := observe.SafePath("/service/r/" + mine.Access + "/confirm"); got != "/service/r/{key}/confirm" {
		t.Errorf("SafePath: %q", got)
	}
}
