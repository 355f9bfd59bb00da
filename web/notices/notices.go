// Package notices writes a person's notices in their language: the sentence of each kind filled in
// with its parameters (durations as hours, or minutes under an hour; times in China time) and the
// path of the page the notice is about. The notify package keeps a notice as a kind and parameters;
// the API and the pages both show it through here, so a notice reads the same in both.
package notices

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"timebank/ledger"
	"timebank/pkg/chinatime"
	"timebank/pkg/notify"
	"timebank/web/i18n"
)

// Notice is a notice as its reader sees it.
type Notice struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Text      string    `json:"text"` // in the reader's language, naming things, never ids
	Link      string    `json:"link"` // the path of the page the notice is about
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
}

// params are the parameters any kind of notice may carry (see the kinds in package notify).
type params struct {
	Record      int64      `json:"record"`
	ActivityID  int64      `json:"activity_id"`
	Activity    string     `json:"activity"`
	Date        string     `json:"date"` // YYYY-MM-DD, a service day
	Minutes     int64      `json:"minutes"`
	Credits     int64      `json:"credits"`
	Reason      string     `json:"reason"`
	StartsAt    *time.Time `json:"starts_at"`
	Place       string     `json:"place"`
	Order       int64      `json:"order"`
	Store       string     `json:"store"`
	ExpiresAt   *time.Time `json:"expires_at"`
	Total       int64      `json:"total"`
	Certificate string     `json:"certificate"`
	Org         string     `json:"org"`
	OrgID       int64      `json:"org_id"`
	Desk        string     `json:"desk"`
	Community   string     `json:"community"`
	AskedAt     *time.Time `json:"asked_at"`
	Category    string     `json:"category"` // of a service request
}

// Render writes the notice n in the language.
func Render(msgs i18n.Messages, lang string, n notify.Notification) Notice {
	out := Notice{ID: n.ID, Kind: n.Kind, CreatedAt: n.CreatedAt, Read: n.ReadAt != nil}
	var p params
	if json.Unmarshal(n.Params, &p) != nil {
		// Parameters of a shape this version does not know: the notice still says there is news.
		out.Text, out.Link = msgs.Get(lang, "notice.generic"), Inbox
		return out
	}
	w := writer{msgs: msgs, lang: lang}
	out.Text, out.Link = w.write(n.Kind, p)
	return out
}

// RenderAll writes each of the notices in the language, in their order.
func RenderAll(msgs i18n.Messages, lang string, ns []notify.Notification) []Notice {
	out := make([]Notice, len(ns))
	for i, n := range ns {
		out[i] = Render(msgs, lang, n)
	}
	return out
}

// Inbox is the path of the inbox page, where a notice of no particular page leads.
const Inbox = "/me/notifications"

// writer writes notices in one language.
type writer struct {
	msgs i18n.Messages
	lang string
}

func (w writer) t(key string, args ...any) string {
	return fmt.Sprintf(w.msgs.Get(w.lang, "notice."+key), args...)
}

// write returns the text of a notice of the kind and the path it links to.
func (w writer) write(kind string, p params) (text, link string) {
	switch kind {
	case notify.HoursVerified, notify.HoursAdjusted:
		link = recordLink(p.Record)
		key := kind
		if p.Credits <= 0 {
			return w.t(key+"_no_credits", p.Activity, w.day(p.Date), w.duration(p.Minutes)), link
		}
		return w.t(key, p.Activity, w.day(p.Date), w.duration(p.Minutes), w.duration(p.Credits)), link
	case notify.HoursRejected:
		if p.Reason == "" {
			return w.t("hours_rejected_no_reason", p.Activity), "/me/records"
		}
		return w.t("hours_rejected", p.Activity, p.Reason), "/me/records"
	case notify.DisputeAnswered:
		return w.t("dispute_answered", p.Activity), recordLink(p.Record)
	case notify.ActivityChanged:
		return w.t("activity_changed", p.Activity, w.when(p.StartsAt), w.place(p.Place)), activityLink(p.ActivityID)
	case notify.ActivityCancelled:
		if p.Reason == "" {
			return w.t("activity_cancelled_no_reason", p.Activity, w.when(p.StartsAt)), activityLink(p.ActivityID)
		}
		return w.t("activity_cancelled", p.Activity, w.when(p.StartsAt), p.Reason), activityLink(p.ActivityID)
	case notify.ActivityReminder:
		return w.t("activity_reminder", p.Activity, w.when(p.StartsAt), w.place(p.Place)), activityLink(p.ActivityID)
	case notify.OrderReady:
		return w.t("order_ready", p.Store, w.when(p.ExpiresAt)), orderLink(p.Order)
	case notify.OrderExpiring:
		return w.t("order_expiring", p.Store, w.when(p.ExpiresAt)), orderLink(p.Order)
	case notify.OrderExpired:
		return w.t("order_expired", p.Store, w.duration(p.Total)), orderLink(p.Order)
	case notify.CreditsExpiring:
		return w.t("credits_expiring", w.duration(p.Credits), w.when(p.ExpiresAt)), "/me/balance"
	case notify.CertificateIssued:
		// The certificate's own page is not there yet: the records it proves are.
		return w.t("certificate_issued", p.Org, p.Certificate), "/me/records"
	case notify.ServiceUnanswered:
		return w.t("service_unanswered", p.Community, p.Desk, w.when(p.AskedAt)), "/orgs/" + strconv.FormatInt(p.OrgID, 10) + "/service"
	case notify.ServiceCancelled:
		what := w.msgs.Get(w.lang, "page.svc.cat."+p.Category)
		if p.Reason == "" {
			return w.t("service_cancelled_no_reason", what, p.Community, w.when(p.StartsAt)), "/service/tasks"
		}
		return w.t("service_cancelled", what, p.Community, w.when(p.StartsAt), p.Reason), "/service/tasks"
	}
	return w.t("generic"), Inbox
}

// recordLink is the page of a service record, or the list of records for a notice written without one.
func recordLink(id int64) string {
	if id <= 0 {
		return "/me/records"
	}
	return "/me/records/" + strconv.FormatInt(id, 10)
}

// activityLink is the page of an activity; notices written before they carried the activity's id
// lead to the person's sign-ups.
func activityLink(id int64) string {
	if id <= 0 {
		return "/me/activities"
	}
	return "/activities/" + strconv.FormatInt(id, 10)
}

func orderLink(id int64) string {
	if id <= 0 {
		return "/me/orders"
	}
	return "/me/orders/" + strconv.FormatInt(id, 10)
}

// duration writes minutes as hours ("2 小时", "1.5 h"), or as minutes under an hour ("45 分钟").
func (w writer) duration(minutes int64) string {
	if minutes > -60 && minutes < 60 {
		return w.t("unit.minutes", minutes)
	}
	return w.t("unit.hours", ledger.FormatHours(minutes))
}

// day writes a service day (YYYY-MM-DD) as the language writes a date; it is kept as it is when it
// is not one.
func (w writer) day(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format(w.msgs.Get(w.lang, "notice.layout.date"))
}

// when writes a moment in China time as the language writes a day and time.
func (w writer) when(t *time.Time) string {
	if t == nil {
		return w.t("unknown")
	}
	return t.In(chinatime.Zone()).Format(w.msgs.Get(w.lang, "notice.layout.datetime"))
}

func (w writer) place(p string) string {
	if p == "" {
		return w.t("unknown")
	}
	return p
}
