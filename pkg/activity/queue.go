package activity

import (
	"context"
	"slices"
	"time"

	"github.com/lib/pq"
)

// QueueItem is an attendance as the coordinator's verification queue shows it: with what approving
// it now would record, the warnings to look at first, and its record once there is one.
type QueueItem struct {
	Attendance
	// PreviewMinutes is what approving now would record (closed attendances only).
	PreviewMinutes *int64 `db:"-" json:"preview_minutes,omitempty"`
	// Warnings are message keys: clipped, rounded, below_minimum, capped, auto_closed, outside_area,
	// manual, disputed.
	Warnings      []string `db:"-" json:"warnings"`
	RecordID      *int64   `db:"record_id" json:"record_id,omitempty"`
	RecordStatus  *string  `db:"record_status" json:"record_status,omitempty"`
	RecordMinutes *int64   `db:"record_minutes" json:"record_minutes,omitempty"`
	// DisputeID and DisputeReason are those of the record's open dispute, if any.
	DisputeID     *int64  `db:"dispute_id" json:"dispute_id,omitempty"`
	DisputeReason *string `db:"dispute_reason" json:"dispute_reason,omitempty"`
}

// Queue is an activity's attendances for verification, with the deadline for its records.
type Queue struct {
	Activity Activity `json:"activity"`
	// Deadline is the end of the tenth working day after the activity (志愿服务记录 are due then);
	// Due says how it stands now: ok, due_soon or overdue. DeadlineEstimated is set when the count
	// ran into a year whose holidays are not entered, so that it assumed Monday to Friday.
	Deadline          time.Time   `json:"deadline"`
	DeadlineEstimated bool        `json:"deadline_estimated,omitempty"`
	Due               string      `json:"due"`
	Items             []QueueItem `json:"items"`
	Next              int64       `json:"next,omitempty"` // the after of the next page, 0 at the end
}

// Attendances returns the activity's attendances in id order, keyset paged after an id, with a
// preview of the hours of each closed one under the organization's policy.
// Errors: ErrActivityNotFound, ErrInvalid (limit).
func (s *Service) Attendances(ctx context.Context, activityID, after int64, limit int) (Queue, error) {
	if limit <= 0 {
		limit = MaxPage
	}
	if limit > 1000 || after < 0 {
		return Queue{}, invalid("limit", "range")
	}
	a, err := s.Activity(ctx, activityID)
	if err != nil {
		return Queue{}, err
	}
	p, err := s.Policy(ctx, a.OrgID)
	if err != nil {
		return Queue{}, err
	}
	cal, err := s.cal.Get(ctx)
	if err != nil {
		return Queue{}, err
	}
	now := s.now()
	q := Queue{Activity: a, Items: []QueueItem{}}
	q.Deadline, q.DeadlineEstimated = cal.Deadline(a.EndsAt, RecordDueWorkingDays)
	q.Due = cal.DueStatus(q.Deadline, now).String()
	if err := s.db.SelectContext(ctx, &q.Items, `SELECT `+attendanceColumns+`, r.id AS record_id,
    r.status AS record_status, r.minutes AS record_minutes, d.id AS dispute_id, d.reason AS dispute_reason
FROM attendances t JOIN users u ON u.id = t.user_id
LEFT JOIN service_records r ON r.attendance_id = t.id
LEFT JOIN record_disputes d ON d.record_id = r.id AND d.status = 'open'
WHERE t.activity_id = $1 AND t.id > $2 ORDER BY t.id LIMIT $3`, activityID, after, limit+1); err != nil {
		return Queue{}, err
	}
	if len(q.Items) > limit {
		q.Items = q.Items[:limit]
		q.Next = q.Items[limit-1].ID
	}
	credited, err := s.creditedByUser(ctx, q.Items, DateOf(a.StartsAt).AddDays(-1), DateOf(a.EndsAt).AddDays(1))
	if err != nil {
		return Queue{}, err
	}
	for i := range q.Items {
		it := &q.Items[i]
		it.Warnings = attendanceFlags(pendingAttendance{Attendance: it.Attendance})
		if it.DisputeID != nil {
			it.Warnings = append(it.Warnings, "disputed")
		}
		if it.Status != StatusClosed {
			continue
		}
		m := int64(0)
		switch {
		case it.ManualMinutes != nil:
			o := capOnDay(p, DateOf(a.StartsAt), *it.ManualMinutes, credited[it.UserID])
			m, it.Warnings = o.minutes, append(it.Warnings, o.flags...)
		case it.CheckInAt != nil && it.CheckOutAt != nil:
			h, err := Hours(HoursInput{CheckIn: *it.CheckInAt, CheckOut: *it.CheckOutAt, Start: a.StartsAt,
				End: a.EndsAt, Credited: credited[it.UserID]}, p)
			if err != nil {
				return Queue{}, err
			}
			m, it.Warnings = h.Minutes, append(it.Warnings, h.Flags.Keys()...)
		}
		it.PreviewMinutes = &m
	}
	return q, nil
}

// creditedByUser returns, for each volunteer of the items, the minutes recorded on each day from
// first to last by their records (for previews of the daily cap).
func (s *Service) creditedByUser(ctx context.Context, items []QueueItem, first, last Date) (map[int64]map[Date]int64, error) {
	ids := make([]int64, 0, len(items))
	for _, it := range items {
		if it.Status == StatusClosed {
			ids = append(ids, it.UserID)
		}
	}
	out := map[int64]map[Date]int64{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, `
SELECT r.user_id, to_char(d.day, 'YYYY-MM-DD'), sum(d.m)
FROM service_records r
JOIN service_record_revisions v ON v.record_id = r.id AND v.revision = r.revision
CROSS JOIN LATERAL unnest(v.day_dates, v.day_minutes) AS d(day, m)
WHERE r.user_id = ANY($1) AND r.service_date BETWEEN $2::date - 1 AND $3::date
  AND d.day BETWEEN $2::date AND $3::date
GROUP BY r.user_id, d.day`, pq.Int64Array(ids), first.String(), last.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var user, m int64
		var day string
		if err := rows.Scan(&user, &day, &m); err != nil {
			return nil, err
		}
		d, err := ParseDate(day)
		if err != nil {
			return nil, err
		}
		if out[user] == nil {
			out[user] = map[Date]int64{}
		}
		out[user][d] = m
	}
	return out, rows.Err()
}

// PendingActivity is an activity with attendances waiting for verification.
type PendingActivity struct {
	Activity
	Pending           int       `db:"pending" json:"pending"`
	Deadline          time.Time `db:"-" json:"deadline"`
	DeadlineEstimated bool      `db:"-" json:"deadline_estimated,omitempty"`
	Due               string    `db:"-" json:"due"`
}

// PendingActivities returns the organization's activities that have closed attendances waiting for
// a decision, the most urgent deadline first, with how each deadline stands (at most MaxPage).
func (s *Service) PendingActivities(ctx context.Context, orgID int64) ([]PendingActivity, error) {
	out := []PendingActivity{}
	if err := s.db.SelectContext(ctx, &out, `SELECT `+activityColumns+`, NULL::int AS distance_m, p.pending
FROM (SELECT activity_id, count(*) AS pending FROM attendances
      WHERE status = 'closed' AND activity_id IN (SELECT id FROM activities WHERE org_id = $1)
      GROUP BY activity_id) p
JOIN activities a ON a.id = p.activity_id JOIN organizations o ON o.id = a.org_id
ORDER BY a.ends_at, a.id LIMIT $2`, orgID, MaxPage); err != nil {
		return nil, err
	}
	cal, err := s.cal.Get(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for i := range out {
		out[i].Deadline, out[i].DeadlineEstimated = cal.Deadline(out[i].EndsAt, RecordDueWorkingDays)
		out[i].Due = cal.DueStatus(out[i].Deadline, now).String()
	}
	return out, nil
}

// flaggedWarnings are the warnings a coordinator must look at before approving: the phone seemed
// outside the activity's area, the service checked the volunteer out (forgotten), or the record
// is disputed.
var flaggedWarnings = []string{"outside_area", "auto_closed", "disputed"}

// Flagged reports whether the attendance carries a warning to look at before approving it.
func (it QueueItem) Flagged() bool {
	return slices.ContainsFunc(it.Warnings, func(w string) bool { return slices.Contains(flaggedWarnings, w) })
}
