package activity

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"timebank/ledger"
	"timebank/pgerr"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
)

// Dispute is a volunteer saying their record is wrong. The organization checks and either amends the
// record (status amended) or dismisses the dispute with its reasons (status dismissed).
type Dispute struct {
	ID         int64      `db:"id" json:"id"`
	RecordID   int64      `db:"record_id" json:"record_id"`
	Reason     string     `db:"reason" json:"reason"`
	Status     string     `db:"status" json:"status"` // open, amended or dismissed
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	ResolvedAt *time.Time `db:"resolved_at" json:"resolved_at,omitempty"`
	Resolution string     `db:"resolution" json:"resolution,omitempty"`
}

const disputeColumns = `id, record_id, reason, status, created_at, resolved_at, resolution`

// Dispute opens a dispute of the volunteer's own record; the record shows as disputed until the
// organization resolves it.
// Errors: ErrInvalid (reason), ErrRecordNotFound (also when the record is someone else's),
// ErrDisputeOpen.
func (s *Service) Dispute(ctx context.Context, userID, recordID int64, reason string) (Dispute, error) {
	if r := cleanText(&reason, 500, true, true); r != "" {
		return Dispute{}, invalid("reason", r)
	}
	var d Dispute
	err := s.ledger.InTx(ctx, func(ltx *ledger.Tx) error {
		tx := ltx.Sqlx()
		var id int64
		err := tx.GetContext(ctx, &id, `SELECT id FROM service_records WHERE id = $1 AND user_id = $2 FOR UPDATE`,
			recordID, userID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrRecordNotFound
		} else if err != nil {
			return err
		}
		err = tx.GetContext(ctx, &d, `INSERT INTO record_disputes (record_id, user_id, reason) VALUES ($1, $2, $3)
RETURNING `+disputeColumns, recordID, userID, reason)
		if pgerr.Unique(err, "record_disputes_open") {
			return ErrDisputeOpen
		} else if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE service_records SET status = 'disputed' WHERE id = $1`, recordID)
		return err
	})
	return d, err
}

// DisputeOrg returns the organization whose record a dispute is about, for the access check.
// Errors: ErrDisputeNotFound.
func (s *Service) DisputeOrg(ctx context.Context, disputeID int64) (int64, error) {
	var orgID int64
	err := s.db.GetContext(ctx, &orgID, `SELECT r.org_id FROM record_disputes d
JOIN service_records r ON r.id = d.record_id WHERE d.id = $1`, disputeID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrDisputeNotFound
	}
	return orgID, err
}

// DismissDispute closes an open dispute without changing the record, saying why; the record is
// verified again, and the volunteer is told their dispute was answered.
// Errors: ErrInvalid (reason), ErrDisputeNotFound (none open with that id).
func (s *Service) DismissDispute(ctx context.Context, by *principal.Principal, disputeID int64, resolution string) (Dispute, error) {
	if r := cleanText(&resolution, 500, true, true); r != "" {
		return Dispute{}, invalid("reason", r)
	}
	var d Dispute
	err := s.ledger.InTx(ctx, func(ltx *ledger.Tx) error {
		tx := ltx.Sqlx()
		err := tx.GetContext(ctx, &d, `UPDATE record_disputes SET status = 'dismissed', resolved_by = $2,
    resolved_at = now(), resolution = $3
WHERE id = $1 AND status = 'open' RETURNING `+disputeColumns, disputeID, by.Label(), resolution)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrDisputeNotFound
		} else if err != nil {
			return err
		}
		var orgID int64
		if err := tx.GetContext(ctx, &orgID, `UPDATE service_records SET status = 'verified' WHERE id = $1
RETURNING org_id`, d.RecordID); err != nil {
			return err
		}
		if err := s.tellDisputeAnswered(ctx, tx, d.ID, "dismissed"); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "record.dispute_dismiss",
			Target: "record:" + itoa(d.RecordID), OrgID: orgID, After: d})
	})
	return d, err
}
