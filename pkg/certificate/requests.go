package certificate

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/pgerr"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
	"timebank/pkg/txn"
)

// DueWorkingDays is how many working days an organization has to accept or refuse a request.
const DueWorkingDays = 10

// Statuses of a request: 申请 (requested), 受理 (accepted) or refused, then 开具 (issued).
const (
	RequestRequested = "requested"
	RequestAccepted  = "accepted"
	RequestRefused   = "refused"
	RequestIssued    = "issued"
)

// Request is a volunteer's request for a certificate from an organization.
type Request struct {
	ID            int64      `db:"id" json:"id"`
	OrgID         int64      `db:"org_id" json:"org_id"`
	UserID        int64      `db:"user_id" json:"user_id"`
	From          string     `db:"period_from" json:"from,omitempty"`
	To            string     `db:"period_to" json:"to,omitempty"`
	Purpose       string     `db:"purpose" json:"purpose"`
	PurposeNote   string     `db:"purpose_note" json:"purpose_note,omitempty"`
	Status        string     `db:"status" json:"status"`
	RequestedBy   string     `db:"requested_by" json:"requested_by"`
	RequestedAt   time.Time  `db:"requested_at" json:"requested_at"`
	DueAt         time.Time  `db:"due_at" json:"due_at"` // end of the 10th working day after the request
	DecidedBy     *string    `db:"decided_by" json:"decided_by,omitempty"`
	DecidedName   *string    `db:"decided_name" json:"decided_name,omitempty"`
	DecidedAt     *time.Time `db:"decided_at" json:"decided_at,omitempty"`
	Reason        string     `db:"reason" json:"reason,omitempty"`
	CertificateID *int64     `db:"certificate_id" json:"certificate_id,omitempty"`
}

const requestColumns = `r.id, r.org_id, r.user_id, coalesce(to_char(r.period_from, 'YYYY-MM-DD'), '') AS period_from,
coalesce(to_char(r.period_to, 'YYYY-MM-DD'), '') AS period_to, r.purpose, r.purpose_note, r.status,
r.requested_by, r.requested_at, r.due_at, r.decided_by, r.decided_name, r.decided_at, r.reason, r.certificate_id`

// NewRequest is what a volunteer asks for: a certificate of the service OrgID recorded for them,
// over the whole history or From–To, for a purpose.
type NewRequest struct {
	UserID      int64  `json:"user_id"`
	OrgID       int64  `json:"org_id"`
	From        string `json:"from,omitempty"`
	To          string `json:"to,omitempty"`
	Purpose     string `json:"purpose"`
	PurposeNote string `json:"purpose_note,omitempty"`
}

// Apply records a request (申请), due to be accepted or refused within DueWorkingDays working days
// of mainland China's calendar (pkg/activity's, with its statutory holidays and make-up days).
// Errors: ErrInvalid, ErrUserNotFound, ErrOrgNotFound, ErrNothingToCertify (the organization
// recorded no verified service of the volunteer in the period), ErrRequestOpen.
func (s *Service) Apply(ctx context.Context, by *principal.Principal, n NewRequest) (Request, error) {
	bad := fields.Set{}
	checkActor(by, bad)
	p := checkPeriod(n.From, n.To, bad)
	checkPurpose(n.Purpose, bad)
	if r := cleanText(&n.PurposeNote, 200, false); r != "" {
		bad["purpose_note"] = r
	}
	if err := bad.Err(ErrInvalid); err != nil {
		return Request{}, err
	}
	now := s.now()
	cal, err := s.cal.Get(ctx)
	if err != nil {
		return Request{}, err
	}
	var r Request
	err = txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		if _, err := readSnapshot(ctx, tx, n.UserID, n.OrgID, p); err != nil {
			return err
		}
		from, to := p.args()
		err := tx.GetContext(ctx, &r, `WITH r AS (
    INSERT INTO certificate_requests (org_id, user_id, period_from, period_to, purpose, purpose_note,
        requested_by, requested_at, due_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *)
SELECT `+requestColumns+` FROM r`, n.OrgID, n.UserID, from, to, n.Purpose, n.PurposeNote, by.Label(), now,
			// PostgreSQL keeps microseconds: the last one of the day, not a rounding into the next day.
			cal.AddWorkingDays(now, DueWorkingDays).Truncate(time.Microsecond))
		if pgerr.Unique(err, "certificate_requests_open") {
			return ErrRequestOpen
		} else if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "certificate.request",
			Target: "certificate_request:" + itoa(r.ID), OrgID: r.OrgID,
			After: map[string]any{"user_id": r.UserID, "from": r.From, "to": r.To, "purpose": r.Purpose}})
	})
	return r, err
}

// Accept accepts a request (受理): the organization will issue it.
// Errors: ErrInvalid, ErrRequestNotFound, ErrRequestDecided.
func (s *Service) Accept(ctx context.Context, by *principal.Principal, orgID, requestID int64) (Request, error) {
	return s.decide(ctx, by, orgID, requestID, RequestAccepted, "")
}

// Refuse refuses a request with a reason the volunteer is shown; a refused request is never issued.
// Errors: ErrInvalid, ErrRequestNotFound, ErrRequestDecided.
func (s *Service) Refuse(ctx context.Context, by *principal.Principal, orgID, requestID int64, reason string) (Request, error) {
	if r := cleanText(&reason, 500, true); r != "" {
		return Request{}, fields.New(ErrInvalid, "reason", r)
	}
	return s.decide(ctx, by, orgID, requestID, RequestRefused, reason)
}

func (s *Service) decide(ctx context.Context, by *principal.Principal, orgID, requestID int64, status, reason string) (Request, error) {
	bad := fields.Set{}
	if checkActor(by, bad); len(bad) > 0 {
		return Request{}, bad.Err(ErrInvalid)
	}
	var r Request
	err := txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &r, `WITH r AS (
    UPDATE certificate_requests SET status = $3, decided_by = $4, decided_name = $5, decided_at = $6, reason = $7
    WHERE id = $1 AND org_id = $2 AND status = 'requested' RETURNING *)
SELECT `+requestColumns+` FROM r`, requestID, orgID, status, by.Label(), by.Name, s.now(), reason)
		if errors.Is(err, sql.ErrNoRows) {
			err = exists(ctx, tx, `SELECT 1 FROM certificate_requests WHERE id = $1 AND org_id = $2`, requestID, orgID)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrRequestNotFound
			} else if err != nil {
				return err
			}
			return ErrRequestDecided
		} else if err != nil {
			return err
		}
		action := "certificate.request_accepted"
		if status == RequestRefused {
			action = "certificate.request_refused"
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: action,
			Target: "certificate_request:" + itoa(r.ID), OrgID: orgID, After: map[string]any{"reason": reason}})
	})
	return r, err
}

// Requests lists an organization's requests in one status (all when status is empty), oldest first,
// after the request id after (keyset pagination), at most limit (1–500).
// Errors: ErrInvalid.
func (s *Service) Requests(ctx context.Context, orgID int64, status string, after int64, limit int) ([]Request, error) {
	if limit < 1 || limit > 500 {
		return nil, fields.New(ErrInvalid, "limit", "range")
	}
	rs := []Request{}
	err := s.db.SelectContext(ctx, &rs, `SELECT `+requestColumns+` FROM certificate_requests r
WHERE r.org_id = $1 AND ($2 = '' OR r.status = $2) AND r.id > $3 ORDER BY r.id LIMIT $4`, orgID, status, after, limit)
	return rs, err
}
