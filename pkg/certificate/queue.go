package certificate

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/activity"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
	"timebank/pkg/txn"
)

// IssueRequest issues the certificate a request asks for (受理 and 开具 at once, as an organization's
// queue does): a request still waiting is accepted in the same transaction, so that a refusal of the
// issue (nothing left to certify, a field missing) leaves the request waiting as it was. What the
// organization gives is as for Issue; in.RequestID is requestID.
// Errors: ErrInvalid, ErrRequestNotFound, ErrRequestNotAccepted (refused or issued already), and
// those of Issue.
func (s *Service) IssueRequest(ctx context.Context, by *principal.Principal, orgID, requestID int64, in NewCertificate) (Certificate, error) {
	in.RequestID = requestID
	p, err := s.prepare(ctx, by, orgID, &in)
	if err != nil {
		return Certificate{}, err
	}
	var c Certificate
	err = txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE certificate_requests SET status = 'accepted', decided_by = $3,
    decided_name = $4, decided_at = $5 WHERE id = $1 AND org_id = $2 AND status = 'requested'`,
			requestID, orgID, by.Label(), by.Name, s.now())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			if err := audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "certificate.request_accepted",
				Target: "certificate_request:" + itoa(requestID), OrgID: orgID, After: map[string]any{"reason": ""}}); err != nil {
				return err
			}
		}
		c, err = s.issueTx(ctx, tx, by, orgID, in, p)
		return err
	})
	return c, err
}

// RequestOwner returns whose request id is and which organization it asks, so that the web layer
// can authorize the organization's staff before acting on it.
// Errors: ErrRequestNotFound.
func (s *Service) RequestOwner(ctx context.Context, id int64) (userID, orgID int64, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT user_id, org_id FROM certificate_requests WHERE id = $1`, id).Scan(&userID, &orgID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, ErrRequestNotFound
	}
	return userID, orgID, err
}

// Seal returns the organization's seal image (a PNG), or nil when it has none.
// Errors: none of its own (database errors only).
func (s *Service) Seal(ctx context.Context, orgID int64) ([]byte, error) {
	return seal(ctx, s.db, orgID)
}

// WorkingDaysLeft returns how many working days of the calendar (Calendar.Get) the organization has
// left to answer the request at now: the working days after today up to its due day, 0 on the due
// day itself, -1 once it is past due. It says nothing of a request already answered.
func (r Request) WorkingDaysLeft(cal *activity.WorkCalendar, now time.Time) int {
	if now.After(r.DueAt) {
		return -1
	}
	n := 0
	for d, due := activity.DateOf(now).AddDays(1), activity.DateOf(r.DueAt); !d.Start().After(due.Start()); d = d.AddDays(1) {
		if cal.IsWorkingDay(d) {
			n++
		}
	}
	return n
}

// Recorder is an organization that recorded verified service of a volunteer: one the volunteer may
// ask for a certificate ("谁记录谁证明").
type Recorder struct {
	OrgID   int64  `db:"org_id" json:"org_id"`
	OrgName string `db:"org_name" json:"org_name"`
	Minutes int64  `db:"minutes" json:"minutes"` // verified minutes it recorded
}

// Recorders lists the organizations that recorded verified service of the volunteer, by name.
// Errors: none of its own (database errors only).
func (s *Service) Recorders(ctx context.Context, userID int64) ([]Recorder, error) {
	rs := []Recorder{}
	err := s.db.SelectContext(ctx, &rs, `SELECT s.org_id, o.name AS org_name, sum(s.minutes)::bigint AS minutes
FROM service_records s JOIN organizations o ON o.id = s.org_id
WHERE s.user_id = $1 AND s.status = 'verified' AND s.minutes > 0
GROUP BY s.org_id, o.name ORDER BY o.name, s.org_id`, userID)
	return rs, err
}

// Request returns a request to the organization.
// Errors: ErrRequestNotFound.
func (s *Service) Request(ctx context.Context, orgID, id int64) (Request, error) {
	var r Request
	err := s.db.GetContext(ctx, &r, `SELECT `+requestColumns+` FROM certificate_requests r WHERE r.id = $1 AND r.org_id = $2`, id, orgID)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrRequestNotFound
	}
	return r, err
}
