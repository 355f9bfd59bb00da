package activity

import (
	"context"
	"time"
)

// RevisionEntry is a revision as the organization reads it when correcting a record: who made it
// (by name when a person did), the minutes before it, and the ledger transactions it posted and
// replaced, with the reversal of the replaced one once posted (an amendment reverses the old
// earning right after it commits; SettleReversals finishes one that could not be reversed then).
type RevisionEntry struct {
	Revision
	ByName        string `db:"by_name" json:"by_name,omitempty"`
	MinutesBefore *int64 `db:"minutes_before" json:"minutes_before,omitempty"` // none for revision 1
	ReversalTxID  *int64 `db:"reversal_tx_id" json:"reversal_tx_id,omitempty"`
}

// RecordHistory returns every revision of the record, oldest first. A record with no revision
// does not exist. Errors: ErrRecordNotFound.
func (s *Service) RecordHistory(ctx context.Context, recordID int64) ([]RevisionEntry, error) {
	out := []RevisionEntry{}
	if err := s.db.SelectContext(ctx, &out, `
SELECT v.revision, v.minutes, v.credits, v.pool_credits, v.served_from, v.served_to, v.flags, v.earn_tx_id,
    v.replaces_tx_id, v.reason, v.evaluation, v.created_by, v.created_at, coalesce(u.name, '') AS by_name,
    lag(v.minutes) OVER (ORDER BY v.revision) AS minutes_before,
    (SELECT t.id FROM ledger_transactions t WHERE t.reverses = v.replaces_tx_id) AS reversal_tx_id
FROM service_record_revisions v
LEFT JOIN users u ON u.id = CASE WHEN v.created_by ~ '^user:[0-9]{1,18}$' THEN substr(v.created_by, 6)::bigint END
WHERE v.record_id = $1 ORDER BY v.revision`, recordID); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, ErrRecordNotFound
	}
	return out, nil
}

// PendingManual returns the hours added by hand at the activity that wait for a second person's
// approval, oldest first (at most MaxPage). RequestedBy names who added each: they may not approve it.
func (s *Service) PendingManual(ctx context.Context, activityID int64) ([]Attendance, error) {
	out := []Attendance{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+attendanceColumns+`
FROM attendances t JOIN users u ON u.id = t.user_id
WHERE t.activity_id = $1 AND t.source = 'manual' AND t.status = 'closed' ORDER BY t.id LIMIT $2`, activityID, MaxPage)
	return out, err
}

// OpenDispute is a dispute waiting for the organization, with what it is about.
type OpenDispute struct {
	ID            int64     `db:"id" json:"id"`
	RecordID      int64     `db:"record_id" json:"record_id"`
	ActivityID    int64     `db:"activity_id" json:"activity_id"`
	ActivityTitle string    `db:"activity_title" json:"activity_title"`
	ServiceDate   string    `db:"service_date" json:"service_date"`
	VolunteerName string    `db:"volunteer_name" json:"volunteer_name"`
	VolunteerNo   string    `db:"volunteer_no" json:"volunteer_no"`
	Minutes       int64     `db:"minutes" json:"minutes"`
	Reason        string    `db:"reason" json:"reason"`
	CreatedAt     time.Time `db:"created_at" json:"created_at"`
}

// OpenDisputes returns the organization's open disputes, oldest first (at most MaxPage): records
// are disputed long after their activity has left the verification queue.
func (s *Service) OpenDisputes(ctx context.Context, orgID int64) ([]OpenDispute, error) {
	out := []OpenDispute{}
	err := s.db.SelectContext(ctx, &out, `
SELECT d.id, d.record_id, r.activity_id, r.activity_title, to_char(r.service_date, 'YYYY-MM-DD') AS service_date,
    u.name AS volunteer_name, u.volunteer_no, r.minutes, d.reason, d.created_at
FROM record_disputes d JOIN service_records r ON r.id = d.record_id JOIN users u ON u.id = r.user_id
WHERE d.status = 'open' AND r.org_id = $1 ORDER BY d.id LIMIT $2`, orgID, MaxPage)
	return out, err
}
