package pages

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"

	"timebank/ledger"
	"timebank/pkg/access"
	"timebank/pkg/chinatime"
	"timebank/web/guard"
	"timebank/web/i18n"
)

// pageFS holds the HTML templates and the static files, so the binary serves pages on a closed
// intranet with nothing beside it.
//
//go:embed templates static
var pageFS embed.FS

// renderer renders the HTML pages: one template engine per language, because the `t` function a
// template calls is bound to its language when the templates are parsed.
type renderer struct {
	engines map[string]*html.Engine
	assets  assets
}

// newRenderer parses every template once for each language. A template that does not parse is a
// build mistake (they are embedded), and it fails here, at start-up.
func newRenderer(msgs i18n.Messages) (*renderer, error) {
	a, err := loadAssets()
	if err != nil {
		return nil, err
	}
	sub, err := fs.Sub(pageFS, "templates")
	if err != nil {
		return nil, err
	}
	r := &renderer{engines: map[string]*html.Engine{}, assets: a}
	for _, lang := range i18n.Languages {
		e := html.NewFileSystem(http.FS(sub), ".html")
		e.AddFuncMap(templateFuncs(msgs, lang, a))
		if err := e.Load(); err != nil {
			return nil, fmt.Errorf("templates (%s): %w", lang, err)
		}
		r.engines[lang] = e
	}
	return r, nil
}

// templateFuncs are the functions templates may call, `t` bound to the language.
func templateFuncs(msgs i18n.Messages, lang string, a assets) template.FuncMap {
	return template.FuncMap{
		// t translates a page key; extra arguments fill its %s/%d verbs.
		"t": func(key string, args ...any) string {
			if len(args) > 0 {
				return fmt.Sprintf(msgs.Get(lang, key), args...)
			}
			return msgs.Get(lang, key)
		},
		"static": a.url,
		"hours":  ledger.FormatHours,
		// duration writes minutes with their unit as people say them: "2 分钟" under an hour, not
		// "0.03 小时"; "1.5 小时" from an hour on.
		"duration": func(minutes int64) string {
			if minutes > -60 && minutes < 60 {
				return fmt.Sprintf(msgs.Get(lang, "page.duration.minutes"), minutes)
			}
			return fmt.Sprintf(msgs.Get(lang, "page.duration.hours"), ledger.FormatHours(minutes))
		},
		"signed": func(minutes int64) string {
			if minutes > 0 {
				return "+" + ledger.FormatHours(minutes)
			}
			return ledger.FormatHours(minutes)
		},
		"datetime": func(t time.Time) string { return t.In(chinatime.Zone()).Format("2006-01-02 15:04") },
		"isodate":  func(t time.Time) string { return t.Format(time.RFC3339) },
		// dict builds the argument of a partial: dict "key" value "key" value …
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
	}
}

// view is what every template gets: the layout's data, the form being shown again, and the page's
// own data.
type view struct {
	Lang    string
	Title   string // translated
	Path    string // where to come back to after a language switch (see returnPath)
	CSRF    string
	User    *access.Principal // nil for a visitor who has not signed in
	Nav     []navLink
	Notice  string // a translated message at the top of the page
	Unread  int    // the signed-in person's unread notices, for the header's badge
	Form    form
	Data    any
	Content template.HTML // the page, inside the layout

	// Device names the kiosk or counter device signed in ("" for none): the header shows it instead
	// of a person's sign-in, and DeviceSession offers to sign it out (a bearer token has no session).
	Device        string
	DeviceSession bool
}

// navLink is one entry of the menu.
type navLink struct {
	ID      string // stable, for tests and browser automation
	Path    string
	Label   string
	Desc    string // what the page is for, on the home page
	Current bool
}

// navEntry is a menu entry and who sees it: everyone, signed-in people, or signed-in devices; of the
// people, only the ones allowed the action somewhere when one is named. The menu is a convenience,
// never the check: every route has its rule.
type navEntry struct {
	id, path, key string
	desc          string // key of what the page is for
	anyone        bool
	device        bool // only a kiosk or counter device (signed in at /device)
	action        access.Action
	// scoped shows the entry only to those allowed the action at an organization or a store: the
	// places its page lists. Administrators of a region or the platform reach them from the
	// organization pages instead.
	scoped bool
	// store, when set, is the page of one store the entry leads to when all of the principal's
	// grants for the action are at that one store (a clerk goes straight to the counter):
	// /stores/<id> followed by store.
	store string
}

// menu is the navigation, in order: a person's own pages first, then the pages of their roles.
// The organization, region and audit pages add their entries here, each with the action its page
// needs (access.ReadOrg, access.ReadRegion, access.ReadAudit).
var menu = []navEntry{
	{id: "home", path: "/", key: "page.nav.home", anyone: true},
	{id: "balance", path: "/me/balance", key: "page.nav.balance", desc: "page.nav.balance_desc"},
	{id: "activities", path: "/activities", key: "page.nav.activities", desc: "page.nav.activities_desc"},
	{id: "records", path: "/me/records", key: "page.nav.records", desc: "page.nav.records_desc"},
	{id: "code", path: "/me/code", key: "page.nav.code", desc: "page.nav.code_desc"},
	{id: "stores", path: "/stores", key: "page.nav.stores", desc: "page.nav.stores_desc"},
	{id: "orders", path: "/me/orders", key: "page.nav.orders", desc: "page.nav.orders_desc"},
	{id: "me", path: "/me", key: "page.nav.me", desc: "page.nav.me_desc"},
	{id: "manage", path: "/activities/manage", key: "page.nav.manage", desc: "page.nav.manage_desc", action: access.ReadActivities, scoped: true},
	{id: "counter", path: "/stores", key: "page.nav.counter", desc: "page.nav.counter_desc", action: access.ServeCounter, scoped: true, store: "/counter"},
	{id: "orgs", path: "/orgs", key: "page.nav.orgs", desc: "page.nav.orgs_desc", action: access.ReadOrg},
	{id: "regions", path: "/regions", key: "page.nav.regions", desc: "page.nav.regions_desc", action: access.ReadRegion},
	{id: "audit", path: "/audit", key: "page.nav.audit", desc: "page.nav.audit_desc", action: access.ReadAudit},
	{id: "holidays", path: "/admin/holidays", key: "page.nav.holidays", desc: "page.nav.holidays_desc", action: access.ManageRules},
	{id: "device", path: "/device", key: "page.nav.device", desc: "page.nav.device_desc", device: true},
}

// visibleNav returns the entries the principal may use (p is nil for a visitor), with the path of
// an entry that leads to one store filled in.
func visibleNav(p *access.Principal, entries []navEntry) []navEntry {
	var out []navEntry
	for _, e := range entries {
		if !e.anyone {
			switch {
			case p == nil:
				continue
			case e.device != (p.DeviceID != 0), !e.device && p.UserID == 0:
				continue // devices see only their own entries; the operator has no pages
			case e.action != "" && !p.CanAnywhere(e.action):
				continue
			}
			orgs, stores := navPlaces(p, e.action)
			if e.scoped && len(orgs)+len(stores) == 0 {
				continue
			}
			if e.store != "" && len(orgs) == 0 && len(stores) == 1 {
				e.path = "/stores/" + strconv.FormatInt(stores[0], 10) + e.store
			}
		}
		out = append(out, e)
	}
	return out
}

// navPlaces returns the organizations and the stores where the principal's grants allow the action,
// each once.
func navPlaces(p *access.Principal, a access.Action) (orgs, stores []int64) {
	if a == "" {
		return nil, nil
	}
	for _, g := range p.Scopes(a) {
		switch {
		case g.Kind == access.Org && !slices.Contains(orgs, g.OrgID):
			orgs = append(orgs, g.OrgID)
		case g.Kind == access.Store && !slices.Contains(stores, g.StoreID):
			stores = append(stores, g.StoreID)
		}
	}
	return orgs, stores
}

// newView fills in the layout's data for the request.
func (s *server) newView(c *fiber.Ctx, titleKey string) view {
	lang := s.msgs.Lang(c)
	p := guard.Principal(c)
	v := view{Lang: lang, Title: s.msgs.Get(lang, titleKey), Path: returnPath(c), CSRF: s.guard.CSRFToken(c)}
	if p != nil && p.UserID != 0 {
		v.User = p // devices and the operator have no pages of their own
		// The badge is a courtesy: a count that fails shows none rather than failing the page.
		v.Unread, _ = s.Notify.Unread(c.UserContext(), p.UserID)
	}
	if v.Device = principalDeviceName(s.msgs, lang, p); v.Device != "" {
		v.DeviceSession = guard.SessionCookie(c) != ""
	}
	if key, ok := notices[c.Query("notice")]; ok {
		v.Notice = s.msgs.Get(lang, key)
	}
	for _, e := range visibleNav(p, menu) {
		l := navLink{ID: e.id, Path: e.path, Label: s.msgs.Get(lang, e.key), Current: e.path == c.Path()}
		if e.desc != "" {
			l.Desc = s.msgs.Get(lang, e.desc)
		}
		v.Nav = append(v.Nav, l)
	}
	return v
}

// render writes a page inside the layout. The page is rendered to a buffer first, so that a template
// error becomes an error page instead of half a page. Page and layout are rendered as two templates
// rather than with the engine's layout argument, which holds the engine's exclusive lock for the
// whole render.
func (s *server) render(c *fiber.Ctx, status int, name string, v view) error {
	e := s.views.engines[v.Lang]
	var page, out bytes.Buffer
	if err := e.Render(&page, "pages/"+name, v); err != nil {
		return err
	}
	v.Content = template.HTML(page.String()) //nolint:gosec // the output of html/template
	if err := e.Render(&out, "layouts/main", v); err != nil {
		return err
	}
	pageHeaders(c, v.Lang)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(out.Bytes())
}

// pageHeaders are the headers of every HTML page: no caching (pages show personal data), and a
// content security policy that allows only this service's own scripts, styles and connections.
func pageHeaders(c *fiber.Ctx, lang string) {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentLanguage, lang)
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'self'; script-src 'self'; style-src 'self'; "+
		"img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	if len(c.Response().Header.Peek(fiber.HeaderReferrerPolicy)) == 0 { // a page may keep itself out of Referer headers
		c.Set(fiber.HeaderReferrerPolicy, "same-origin")
	}
}

// returnPath is where a language switch on this page leads back to: the page itself, query and all
// (a log-in page keeps its next), or for a form shown again after a post, the page the form was on.
func returnPath(c *fiber.Ctx) string {
	if guard.SafeMethod(c.Method()) {
		return localPath(c.OriginalURL(), "/")
	}
	if ref, err := url.Parse(c.Get(fiber.HeaderReferer)); err == nil && ref.Host == c.Hostname() {
		return localPath(ref.RequestURI(), "/")
	}
	return "/"
}

// redirect sends the browser on with 303 See Other, so that the next request is a GET.
func redirect(c *fiber.Ctx, to string) error {
	return c.Redirect(to, fiber.StatusSeeOther)
}
