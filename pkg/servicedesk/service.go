package servicedesk

import (
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/ledger"
	"timebank/pkg/activity"
	"timebank/pkg/notify"
	"timebank/pkg/org"
	"timebank/pkg/qr"
	"timebank/pkg/sealed"
)

// Errors of the service desk. The web layer maps each to one problem type.
var (
	// ErrInvalid means a request is malformed; it is wrapped by a *fields.Error naming each field.
	ErrInvalid = errors.New("servicedesk: invalid request")
	// ErrDeskNotFound means no desk has that id (or the code names none).
	ErrDeskNotFound = errors.New("servicedesk: desk not found")
	// ErrRequestNotFound means no request has that id, or the caller may not see it.
	ErrRequestNotFound = errors.New("servicedesk: request not found")
	// ErrTaken means the request was already assigned or taken.
	ErrTaken = errors.New("servicedesk: the request is already taken")
	// ErrWrongStep means the request is not at the step the action needs (starting what was not
	// accepted, confirming what was not finished …).
	ErrWrongStep = errors.New("servicedesk: the request is not at this step")
	// ErrNotYours means the request is assigned to another volunteer.
	ErrNotYours = errors.New("servicedesk: the request is another volunteer's")
	// ErrCode means the one-time code is wrong, expired or used up.
	ErrCode = errors.New("servicedesk: wrong or expired code")
	// ErrCodeTooSoon means a code was sent to the number within CodeEvery, or CodesPerDay today.
	ErrCodeTooSoon = errors.New("servicedesk: a code was sent too recently")
	// ErrAlreadyRated means the service was rated before, differently.
	ErrAlreadyRated = errors.New("servicedesk: the service is already rated")
	// ErrNotMember means the volunteer is not a volunteer of the desk's team.
	ErrNotMember = errors.New("servicedesk: not a volunteer of the team")
	// ErrDeskExists means the team already has a desk for that community.
	ErrDeskExists = errors.New("servicedesk: the team already serves this community")
	// ErrVisitExpired means the request's door code (or the person's card, for the request) no longer
	// starts it: the request was confirmed or cancelled, or VisitValidity has passed since the time
	// it was asked for.
	ErrVisitExpired = errors.New("servicedesk: the request's door code is no longer valid")
)

// Options are the service's settings beyond its connections.
type Options struct {
	BaseURL string           // the public address QR codes carry
	Now     func() time.Time // the clock (default time.Now)
	// Notify, when set, tells a street's administrators of the requests flagged unanswered.
	Notify *notify.Service
}

// Service runs the desks and their requests. It is safe for concurrent use.
type Service struct {
	db      *sqlx.DB
	ledger  *ledger.Ledger
	acts    *activity.Service
	orgs    *org.Registry // the teams' places, for who may act for their residents
	box     *sealed.Box
	signer  *qr.Signer
	baseURL string
	notify  *notify.Service
	now     func() time.Time
}

// NewService returns the service over the migrated database; acts records confirmed services,
// box seals residents' contacts, signer signs the desks' and requests' codes.
func NewService(db *sqlx.DB, l *ledger.Ledger, acts *activity.Service, box *sealed.Box, signer *qr.Signer, o Options) *Service {
	s := &Service{db: db, ledger: l, acts: acts, orgs: org.NewRegistry(db, l), box: box, signer: signer, baseURL: o.BaseURL, now: o.Now, notify: o.Notify}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// The sealed columns, named as the seal binds them.
const (
	colPhone   = "service_requests.phone"
	colAddress = "service_requests.address"
	colName    = "service_requests.name"
)
