package activity

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"timebank/pkg/prepared"
)

// Attendance is a volunteer's presence at one activity: scanned in and out (source "scan"), or added
// by hand afterwards with a reason (source "manual", 补录). There is at most one per volunteer and
// activity. Its status moves forward only: open (checked in) → closed (checked out, closed
// automatically, or added by hand) → verified or rejected.
type Attendance struct {
	ID            int64      `db:"id" json:"id"`
	ActivityID    int64      `db:"activity_id" json:"activity_id"`
	UserID        int64      `db:"user_id" json:"user_id"`
	VolunteerName string     `db:"volunteer_name" json:"volunteer_name"`
	VolunteerNo   string     `db:"volunteer_no" json:"volunteer_no"`
	Source        string     `db:"source" json:"source"`
	CheckInAt     *time.Time `db:"check_in_at" json:"check_in_at,omitempty"`
	CheckOutAt    *time.Time `db:"check_out_at" json:"check_out_at,omitempty"`
	// InsideAtCheckIn and InsideAtCheckOut say whether the phone was within the activity's radius
	// when it scanned; absent when the activity has no radius or the phone gave no position. The
	// position itself is never kept.
	InsideAtCheckIn  *bool      `db:"inside_at_check_in" json:"inside_at_check_in,omitempty"`
	InsideAtCheckOut *bool      `db:"inside_at_check_out" json:"inside_at_check_out,omitempty"`
	AutoClosed       bool       `db:"auto_closed" json:"auto_closed"`
	ManualMinutes    *int64     `db:"manual_minutes" json:"manual_minutes,omitempty"`
	ManualReason     *string    `db:"manual_reason" json:"manual_reason,omitempty"`
	RequestedBy      *string    `db:"requested_by" json:"requested_by,omitempty"`
	Status           string     `db:"status" json:"status"`
	DecidedAt        *time.Time `db:"decided_at" json:"decided_at,omitempty"`
	DecisionReason   string     `db:"decision_reason" json:"decision_reason,omitempty"`
	CreatedAt        time.Time  `db:"created_at" json:"created_at"`
}

// The statuses of an attendance.
const (
	StatusOpen     = "open"
	StatusClosed   = "closed"
	StatusVerified = "verified"
	StatusRejected = "rejected"
)

const attendanceColumns = `t.id, t.activity_id, t.user_id, u.name AS volunteer_name, u.volunteer_no, t.source,
	t.check_in_at, t.check_out_at, t.inside_at_check_in, t.inside_at_check_out, t.auto_closed, t.manual_minutes,
	t.manual_reason, t.requested_by, t.status, t.decided_at, t.decision_reason, t.created_at`

// attendanceOf returns the volunteer's attendance at the activity. Errors: ErrAttendanceNotFound.
func attendanceOf(ctx context.Context, st *prepared.Statements, q prepared.Queryer, activityID, userID int64) (Attendance, error) {
	return oneAttendance(ctx, st, q, `SELECT `+attendanceColumns+`
FROM attendances t JOIN users u ON u.id = t.user_id WHERE t.activity_id = $1 AND t.user_id = $2`, activityID, userID)
}

func oneAttendance(ctx context.Context, st *prepared.Statements, q prepared.Queryer, query string, args ...any) (Attendance, error) {
	var a Attendance
	err := st.Get(ctx, q, &a, query, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return Attendance{}, ErrAttendanceNotFound
	}
	return a, err
}

// Attendance returns one attendance. Errors: ErrAttendanceNotFound.
func (s *Service) Attendance(ctx context.Context, id int64) (Attendance, error) {
	return oneAttendance(ctx, s.stmts, s.db, `SELECT `+attendanceColumns+`
FROM attendances t JOIN users u ON u.id = t.user_id WHERE t.id = $1`, id)
}

// checkOut closes an open attendance at the given time; closed is false when it was no longer open
// (a concurrent scan or the forgotten check-out worker closed it first).
func checkOut(ctx context.Context, st *prepared.Statements, q prepared.Queryer, id int64, by string, at time.Time, inside *bool,
	auto bool) (att Attendance, closed bool, err error) {
	err = st.Get(ctx, q, &att, `
WITH t AS (
    UPDATE attendances SET status = 'closed', check_out_at = greatest($2, check_in_at), check_out_by = $3,
        inside_at_check_out = $4, auto_closed = $5
    WHERE id = $1 AND status = 'open'
    RETURNING *
)
SELECT `+attendanceColumns+` FROM t JOIN users u ON u.id = t.user_id`, id, at, by, inside, auto)
	if errors.Is(err, sql.ErrNoRows) {
		return Attendance{}, false, nil
	}
	return att, err == nil, err
}

// CloseForgotten closes, at the scheduled end, attendances still open once their activity ended
// longer ago than the organization's ForgottenCheckoutGraceMinutes, flagged auto-closed for the
// coordinator; at most limit of them per call (the oldest first). Nobody accumulates hours
// overnight. It returns how many it closed; serve runs it periodically, and running it on several
// servers at once is safe.
func (s *Service) CloseForgotten(ctx context.Context, limit int) (int, error) {
	// The CTE is materialized so that LIMIT holds: as a subquery of the UPDATE it could be
	// evaluated more than once.
	res, err := s.db.ExecContext(ctx, `
WITH due AS MATERIALIZED (
    SELECT t2.id FROM attendances t2
    JOIN activities a2 ON a2.id = t2.activity_id
    LEFT JOIN activity_policies p ON p.org_id = a2.org_id
    WHERE t2.status = 'open'
      AND a2.ends_at + make_interval(mins => coalesce((p.policy ->> 'forgotten_checkout_grace_minutes')::int, $2)) <= $1
    ORDER BY a2.ends_at, t2.id
    LIMIT $3
    FOR UPDATE OF t2 SKIP LOCKED
)
UPDATE attendances t SET status = 'closed', check_out_at = greatest(a.ends_at, t.check_in_at),
    check_out_by = 'system', auto_closed = true
FROM due, activities a
WHERE t.id = due.id AND a.id = t.activity_id AND t.status = 'open'`,
		s.now(), DefaultPolicy().ForgottenCheckoutGraceMinutes, limit)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
