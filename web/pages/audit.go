package pages

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/audit"
	"timebank/web/guard"
	"timebank/web/request"
)

// AuditPageSize is how many entries the audit page lists at a time.
const AuditPageSize = 50

// auditPageView is a page of the audit log, newest first.
type auditPageView struct {
	Entries []auditLine
	First   string // the newest page's URL, when this is not it
	Next    string // the next (older) page's URL, when there may be one
}

// auditLine is one entry as the page shows it; Before and After are indented JSON, with phone and
// ID numbers masked (audit.Record masks them on the way in). ActorName and ActionName are the actor
// and the action in the reader's words; Actor and Action are the codes the log keeps.
type auditLine struct {
	ID         int64
	At         time.Time
	Actor      string
	ActorName  string
	Action     string
	ActionName string
	Target     string
	RequestID  string
	Before     string
	After      string
}

// AuditActions are the page keys of the actions the service records, by action code. An action
// without one (added since) shows as its code.
var AuditActions = map[string]string{
	"record.service":               "page.audit.action.record_service",
	"service_desk.create":          "page.audit.action.service_desk_create",
	"service_request.assign":       "page.audit.action.service_request_assign",
	"service_request.take":         "page.audit.action.service_request_take",
	"service_request.accept":       "page.audit.action.service_request_accept",
	"service_request.start":        "page.audit.action.service_request_start",
	"service_request.finish":       "page.audit.action.service_request_finish",
	"service_request.confirm":      "page.audit.action.service_request_confirm",
	"service_request.cancel":       "page.audit.action.service_request_cancel",
	"service_request.moderate":     "page.audit.action.service_request_moderate",
	"activity.create":              "page.audit.action.activity_create",
	"activity.policy":              "page.audit.action.activity_policy",
	"attendance.approve":           "page.audit.action.attendance_approve",
	"attendance.adjust":            "page.audit.action.attendance_adjust",
	"attendance.reject":            "page.audit.action.attendance_reject",
	"attendance.manual_add":        "page.audit.action.attendance_manual_add",
	"record.amend":                 "page.audit.action.record_amend",
	"record.dispute_dismiss":       "page.audit.action.record_dispute_dismiss",
	"device.create":                "page.audit.action.device_create",
	"device.revoke":                "page.audit.action.device_revoke",
	"role.grant":                   "page.audit.action.role_grant",
	"role.revoke":                  "page.audit.action.role_revoke",
	"roster.import":                "page.audit.action.roster_import",
	"region.create":                "page.audit.action.region_create",
	"org.create":                   "page.audit.action.org_create",
	"store.create":                 "page.audit.action.store_create",
	"store.policy":                 "page.audit.action.store_policy",
	"store.item_create":            "page.audit.action.store_item_create",
	"store.item_update":            "page.audit.action.store_item_update",
	"store.item_photo_set":         "page.audit.action.store_item_photo_set",
	"store.item_photo_delete":      "page.audit.action.store_item_photo_delete",
	"store.household_register":     "page.audit.action.store_household_register",
	"store.household_deactivate":   "page.audit.action.store_household_deactivate",
	"store.aid_allocate":           "page.audit.action.store_aid_allocate",
	"user.reset_issue":             "page.audit.action.user_reset_issue",
	"activity.update":              "page.audit.action.activity_update",
	"activity.cancel":              "page.audit.action.activity_cancel",
	"certificate.request":          "page.audit.action.certificate_request",
	"certificate.request_accepted": "page.audit.action.certificate_request_accepted",
	"certificate.request_refused":  "page.audit.action.certificate_request_refused",
	"certificate.issue":            "page.audit.action.certificate_issue",
	"certificate.revoke":           "page.audit.action.certificate_revoke",
	"certificate.supersede":        "page.audit.action.certificate_supersede",
	"certificate.publish":          "page.audit.action.certificate_publish",
	"certificate.objection":        "page.audit.action.certificate_objection",
	"certificate.rotate_key":       "page.audit.action.certificate_rotate_key",
	"org.seal_set":                 "page.audit.action.org_seal_set",
	"user.password_reset":          "page.audit.action.user_password_reset",
	"calendar.holidays":            "page.audit.action.calendar_holidays",
	"credit.policy":                "page.audit.action.credit_policy",
	"care.register":                "page.audit.action.care_register",
	"care.update":                  "page.audit.action.care_update",
	"care.colour":                  "page.audit.action.care_colour",
	"care.read_unmasked":           "page.audit.action.care_read_unmasked",
	"care.pair":                    "page.audit.action.care_pair",
	"care.unpair":                  "page.audit.action.care_unpair",
	"care.visit":                   "page.audit.action.care_visit",
	"care.decide":                  "page.audit.action.care_decide",
	"care.frequency":               "page.audit.action.care_frequency",
	"care.rotate_key":              "page.audit.action.care_rotate_key", // before the one key table
	"sealed.rotate_key":            "page.audit.action.sealed_rotate_key",
}

// actionName is the action in the reader's language, or its code when it has no translation.
func (s *server) actionName(lang, action string) string {
	if key, ok := AuditActions[action]; ok {
		return s.msgs.Get(lang, key)
	}
	return action
}

// auditPage shows the entries of the audit log the caller's roles cover, as GET /api/v1/audit
// does: the same scopes, the same keyset (?after= the last id of the previous page).
func (s *server) auditPage(c *fiber.Ctx) error {
	after, _, err := request.Page(c, audit.MaxLimit)
	if err != nil {
		return err
	}
	var scopes []audit.Scope
	for _, g := range guard.Principal(c).Scopes(access.ReadAudit) {
		scopes = append(scopes, audit.Scope{Kind: string(g.Kind), RegionCode: g.RegionCode, OrgID: g.OrgID, StoreID: g.StoreID})
	}
	entries, err := audit.List(c.UserContext(), s.DB, audit.Filter{Scopes: scopes, After: after, Limit: AuditPageSize})
	if err != nil {
		return err
	}
	var d auditPageView
	lang := s.msgs.Lang(c)
	names := s.actorNames(lang)
	for _, e := range entries {
		who, err := names.name(c.UserContext(), e.Actor)
		if err != nil {
			return err
		}
		d.Entries = append(d.Entries, auditLine{ID: e.ID, At: e.At, Actor: e.Actor, ActorName: who, Action: e.Action,
			ActionName: s.actionName(lang, e.Action), Target: e.Target, RequestID: e.RequestID,
			Before: indentJSON(e.Before), After: indentJSON(e.After)})
	}
	if after > 0 {
		d.First = "/audit"
	}
	if len(entries) == AuditPageSize {
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
