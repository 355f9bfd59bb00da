package pages

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"html/template"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/qr"
	"timebank/pkg/store"
	"timebank/web/guard"
	"timebank/web/request"
)

// storePageTarget is the target of the pages about the store in the path.
func (s *server) storePageTarget(c *fiber.Ctx) (access.Target, error) {
	id, err := request.IDParam(c, "store")
	if err != nil {
		return access.Target{}, err
	}
	return s.Orgs.StoreTarget(c.UserContext(), id)
}

// storeHead is the top of every store page: the store's name and the store's pages the caller may
// use, the current one marked.
type storeHead struct {
	ID    int64
	Name  string
	Links []navLink
}

// storeLinks are the pages of a store, in the order its sub-menu shows them, and the action each
// needs (none: anyone may open it).
var storeLinks = []struct {
	id, suffix, key string
	action          access.Action
}{
	{"catalog", "", "page.store.nav.catalog", ""},
	{"counter", "/counter", "page.store.nav.counter", access.ServeCounter},
	{"donate", "/donations/new", "page.store.nav.donate", access.ReceiveGoods},
	{"stock", "/stock", "page.store.nav.stock", access.ReadStore},
	{"items", "/items", "page.store.nav.items", access.ManageCatalog},
	{"aid", "/aid", "page.store.nav.aid", access.AllocateAid},
	{"report", "/report", "page.store.nav.report", access.ReadStore},
	{"exports", "/exports", "page.store.nav.exports", access.ReadStore},
	{"summary", "/summary", "page.store.nav.summary", access.ReadReports},
	{"rules", "/rules", "page.store.nav.rules", access.ReadStore},
}

// storeHead reads the store of the path and the links of its sub-menu the caller may use; current
// is the id of the page being shown.
// Errors: org.ErrStoreNotFound.
func (s *server) storeHead(c *fiber.Ctx, lang, current string) (storeHead, error) {
	id, err := request.IDParam(c, "store")
	if err != nil {
		return storeHead{}, err
	}
	st, err := s.Orgs.Store(c.UserContext(), id)
	if err != nil {
		return storeHead{}, err
	}
	h := storeHead{ID: st.ID, Name: st.Name}
	p := guard.Principal(c)
	var t access.Target
	if p != nil && len(p.Grants) > 0 {
		if t, err = s.Orgs.StoreTarget(c.UserContext(), id); err != nil {
			return storeHead{}, err
		}
	}
	base := "/stores/" + strconv.FormatInt(id, 10)
	for _, l := range storeLinks {
		if l.action != "" && !p.Can(l.action, t) {
			continue
		}
		h.Links = append(h.Links, navLink{ID: "store-" + l.id, Path: base + l.suffix, Label: s.msgs.Get(lang, l.key), Current: l.id == current})
	}
	if len(h.Links) == 1 {
		h.Links = nil // a volunteer needs no menu of one entry
	}
	return h, nil
}

// storeFormKey returns a fresh idempotency key for a form: rendered into the form once, it makes a
// double tap or a resent form one request.
func storeFormKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand never fails on the platforms Go supports
	return "page-" + hex.EncodeToString(b)
}

// storeQR draws the code's URL as an SVG data URL for an <img>: rendered on the server, so the page
// needs no script to show it, and sharp at any size on a phone or on paper.
func storeQR(content string) (template.URL, error) {
	svg, err := qr.SVG(content, 0)
	if err != nil {
		return "", err
	}
	//nolint:gosec // an image this service drew, in a data URL the page's policy allows for images
	return template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(svg)), nil
}

// storeFormLines reads a form's quantities, one field "<prefix><item id>" per item, and returns the
// lines with a positive quantity by item id (a resent form then makes the same request) and what
// the form said, to show again. A quantity that is not a number is reported by item.
func storeFormLines(c *fiber.Ctx, prefix string) ([]store.OrderLine, map[int64]string, []int64) {
	values := map[int64]string{}
	var lines []store.OrderLine
	var bad []int64
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		rest, ok := strings.CutPrefix(string(k), prefix)
		if !ok {
			return
		}
		id, err := strconv.ParseInt(rest, 10, 64)
		if err != nil || id <= 0 || len(values) >= store.MaxLines*4 {
			return
		}
		raw := strings.TrimSpace(string(v))
		values[id] = raw
		if raw == "" || raw == "0" {
			return
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			bad = append(bad, id)
			return
		}
		lines = append(lines, store.OrderLine{Item: id, Qty: n})
	})
	sort.Slice(lines, func(i, j int) bool { return lines[i].Item < lines[j].Item })
	return lines, values, bad
}

// formatYuan shows an amount in fen as yuan with two decimals: 1250 → "12.50".
func formatYuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return sign + strconv.FormatInt(fen/100, 10) + "." + strconv.FormatInt(fen%100/10, 10) + strconv.FormatInt(fen%10, 10)
}
