package web

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/audit"
)

// auditPageSize is how many entries the audit page lists at a time.
const auditPageSize = 50

// auditPageView is a page of the audit log, newest first.
type auditPageView struct {
	Entries []auditLine
	First   string // the newest page's URL, when this is not it
	Next    string // the next (older) page's URL, when there may be one
}

// auditLine is one entry as the page shows it; Before and After are indented JSON, with phone and
// ID numbers masked (audit.Record masks them on the way in).
type auditLine struct {
	ID        int64
	At        time.Time
	Actor     string
	Action    string
	Target    string
	RequestID string
	Before    string
	After     string
}

// auditPage shows the entries of the audit log the caller's roles cover, as GET /api/v1/audit
// does: the same scopes, the same keyset (?after= the last id of the previous page).
func (s *server) auditPage(c *fiber.Ctx) error {
	after, _, err := pageParams(c, audit.MaxLimit)
	if err != nil {
		return err
	}
	var scopes []audit.Scope
	for _, g := range principal(c).Scopes(access.ReadAudit) {
		scopes = append(scopes, audit.Scope{Kind: string(g.Kind), RegionCode: g.RegionCode, OrgID: g.OrgID, StoreID: g.StoreID})
	}
	entries, err := audit.List(c.UserContext(), s.db, audit.Filter{Scopes: scopes, After: after, Limit: auditPageSize})
	if err != nil {
		return err
	}
	var d auditPageView
	for _, e := range entries {
		d.Entries = append(d.Entries, auditLine{ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, Target: e.Target,
			RequestID: e.RequestID, Before: indentJSON(e.Before), After: indentJSON(e.After)})
	}
	if after > 0 {
		d.First = "/audit"
	}
	if len(entries) == auditPageSize {
		d.Next = "/audit?after=" + strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	v := s.newView(c, "page.audit.title")
	v.Data = d
	return s.render(c, fiber.StatusOK, "audit", v)
}

// indentJSON shows a before or after value readably; "" for none.
func indentJSON(v any) string {
	raw, ok := v.(json.RawMessage)
	if !ok || len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return string(raw)
	}
	return out.String()
}
