package activity

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/notify"
)

// tellDecisions writes, in the decision's transaction, a notice to each volunteer whose hours were
// approved, adjusted or rejected now (a replayed decision tells nobody again): rows and out are
// the attendances decided and their results, in the same order.
func (s *Service) tellDecisions(ctx context.Context, tx *sqlx.Tx, d *decider, rows []pendingAttendance, out []VerifyResult) error {
	if s.notify == nil {
		return nil
	}
	var ns []notify.Notice
	for i, res := range out {
		switch {
		case res.Replayed:
		case res.Record != nil:
			kind := notify.HoursVerified
			if d.req.Action == ActionAdjust {
				kind = notify.HoursAdjusted
			}
			r := res.Record
			ns = append(ns, notify.Notice{UserID: r.UserID, Kind: kind,
				Event: fmt.Sprintf("record:%d:rev:%d", r.ID, r.Revision),
				Params: map[string]any{"record": r.ID, "activity": r.ActivityTitle, "date": r.ServiceDate,
					"minutes": r.Minutes, "credits": r.Credits}})
		case res.Status == StatusRejected:
			ns = append(ns, notify.Notice{UserID: rows[i].UserID, Kind: notify.HoursRejected,
				Event:  fmt.Sprintf("attendance:%d:rejected", res.AttendanceID),
				Params: map[string]any{"activity": d.activities[rows[i].ActivityID].Title, "reason": d.req.Reason}})
		}
	}
	return s.notify.Write(ctx, tx, ns...)
}

// ReminderBefore is how long before an activity starts its volunteers signed up are reminded.
const ReminderBefore = 24 * time.Hour

// RemindUpcoming tells the volunteers signed up for open activities that start within
// ReminderBefore, once per person and activity, up to limit of them, and returns how many it told.
func (s *Service) RemindUpcoming(ctx context.Context, limit int) (int, error) {
	if s.notify == nil {
		return 0, nil
	}
	var due []struct {
		ActivityID int64     `db:"activity_id"`
		UserID     int64     `db:"user_id"`
		Title      string    `db:"title"`
		StartsAt   time.Time `db:"starts_at"`
		Address    string    `db:"address"`
	}
	now := s.now()
	err := s.db.SelectContext(ctx, &due, `
SELECT a.id AS activity_id, su.user_id, a.title, a.starts_at, a.address
FROM activities a JOIN signups su ON su.activity_id = a.id AND su.status = 'active'
WHERE a.status = 'open' AND a.starts_at > $1 AND a.starts_at <= $2
  AND NOT EXISTS (SELECT FROM notification_outbox n
                  WHERE n.user_id = su.user_id AND n.event = 'activity:' || a.id || ':reminder')
ORDER BY a.starts_at, su.id LIMIT $3`, now, now.Add(ReminderBefore), limit)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	ns := make([]notify.Notice, len(due))
	for i, d := range due {
		ns[i] = notify.Notice{UserID: d.UserID, Kind: notify.ActivityReminder, Event: fmt.Sprintf("activity:%d:reminder", d.ActivityID),
			Params: map[string]any{"activity_id": d.ActivityID, "activity": d.Title, "starts_at": d.StartsAt, "place": d.Address}}
	}
	return len(due), s.notify.Write(ctx, s.db, ns...)
}

// tellDisputeAnswered writes, in the answer's transaction, a notice to the volunteer whose dispute
// of a record was answered: outcome is amended (the record was corrected) or dismissed (it stands,
// with the organization's reasons). An answer is given once, so the dispute names the event.
func (s *Service) tellDisputeAnswered(ctx context.Context, tx *sqlx.Tx, disputeID int64, outcome string) error {
	if s.notify == nil {
		return nil
	}
	var r struct {
		UserID   int64  `db:"user_id"`
		RecordID int64  `db:"record_id"`
		Title    string `db:"title"`
	}
	if err := tx.GetContext(ctx, &r, `SELECT r.user_id, r.id AS record_id, a.title FROM record_disputes d
JOIN service_records r ON r.id = d.record_id JOIN activities a ON a.id = r.activity_id
WHERE d.id = $1`, disputeID); err != nil {
		return err
	}
	return s.notify.Write(ctx, tx, notify.Notice{UserID: r.UserID, Kind: notify.DisputeAnswered,
		Event:  fmt.Sprintf("dispute:%d:answered", disputeID),
		Params: map[string]any{"record": r.RecordID, "activity": r.Title, "outcome": outcome}})
}
