// Package notify tells people what they must hear of: hours verified, an activity changed or
// cancelled, an order ready or about to expire, a certificate issued. A notice is written to an
// outbox in the same transaction as the change it is about (Write), so that neither exists without
// the other, and a worker delivers it through every channel once (Deliver): the in-app inbox, with a
// live push to the person's open pages, and any external Channel (SMS, WeChat subscription
// messages). A notice is a kind and its parameters; the pages render it in the reader's language.
package notify

import (
	"encoding/json"
	"errors"
	"regexp"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"
)

// Kinds of notice.
const (
	HoursVerified     = "hours_verified"     // params: record, activity, date, minutes, credits
	HoursAdjusted     = "hours_adjusted"     // params: record, activity, date, minutes, credits
	HoursRejected     = "hours_rejected"     // params: activity, reason
	DisputeAnswered   = "dispute_answered"   // params: record, activity, outcome (amended or dismissed)
	ActivityChanged   = "activity_changed"   // params: activity_id, activity, starts_at, ends_at, place
	ActivityCancelled = "activity_cancelled" // params: activity_id, activity, starts_at, reason
	ActivityReminder  = "activity_reminder"  // params: activity_id, activity, starts_at, place
	OrderReady        = "order_ready"        // params: order, store, expires_at, total
	OrderExpiring     = "order_expiring"     // params: order, store, expires_at
	OrderExpired      = "order_expired"      // params: order, store, total
	CertificateIssued = "certificate_issued" // params: certificate (its number), certificate_id, org
	CreditsExpiring   = "credits_expiring"   // params: credits, expires_at
	// ServiceUnanswered tells a street's administrators that a resident's service request passed its
	// desk's promise with nobody assigned: params: desk, community, org_id, asked_at
	ServiceUnanswered = "service_unanswered"
	// ServiceCancelled tells the volunteer who had taken a resident's service request that it was
	// called off: params: category, community, starts_at (the time asked for), reason
	ServiceCancelled = "service_cancelled"
)

// Inbox is the name of the in-app channel, which every notice goes through.
const Inbox = "inbox"

// Errors.
var (
	// ErrInvalid is a notice that cannot be written: no person, a kind or event that is not of the
	// form, or parameters that are not a JSON object.
	ErrInvalid = errors.New("notify: invalid notice")
)

// Notice is what a change tells one person.
type Notice struct {
	UserID int64
	Kind   string
	Params map[string]any
	// Event names what the notice is about (e.g. "record:12:rev:1"), unique per person: writing
	// the same event again is a no-op, so a retried change tells the person once.
	Event string
}

var kindPattern = regexp.MustCompile(`^[a-z_]{1,40}$`)

func (n Notice) validate() error {
	if n.UserID <= 0 || !kindPattern.MatchString(n.Kind) || n.Event == "" || len(n.Event) > 200 {
		return ErrInvalid
	}
	return nil
}

// Notification is a notice in a person's inbox.
type Notification struct {
	ID        int64           `json:"id" db:"id"`
	UserID    int64           `json:"-" db:"user_id"`
	Kind      string          `json:"kind" db:"kind"`
	Params    json.RawMessage `json:"params" db:"params"`
	CreatedAt time.Time       `json:"created_at" db:"created_at"`
	ReadAt    *time.Time      `json:"read_at,omitempty" db:"read_at"`
}

// Service writes notices and keeps the inbox.
type Service struct {
	db       *sqlx.DB
	rdb      redis.UniversalClient
	prefix   string
	channels []Channel
	pending  []string // every channel's name, the inbox first: what a new notice waits for
	live     *liveHub // the open pages' watches of new notices
}

// New returns the service. rdb carries the live push (prefix starts its channel names); channels
// are the external ones, each delivered after the inbox.
func New(db *sqlx.DB, rdb redis.UniversalClient, prefix string, channels ...Channel) *Service {
	s := &Service{db: db, rdb: rdb, prefix: prefix, channels: channels, pending: []string{Inbox},
		live: newLiveHub(rdb, prefix)}
	for _, c := range channels {
		s.pending = append(s.pending, c.Name())
	}
	return s
}

// LiveChannel is the Redis channel on which a person's new notices are published as they reach the
// inbox, as JSON {id, kind} (Live); Watch follows it.
func (s *Service) LiveChannel(userID int64) string {
	return s.prefix + "notify:" + itoa(userID)
}
