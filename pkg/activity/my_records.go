package activity

import (
	"context"
	"time"
)

// MyRecord is one line of a volunteer's list of service: an attendance and, once verified, its
// record. Status is what the volunteer sees: pending (checked in, or waiting for the organization),
// verified, rejected or disputed.
type MyRecord struct {
	AttendanceID  int64      `db:"attendance_id" json:"attendance_id"`
	RecordID      *int64     `db:"record_id" json:"record_id,omitempty"`
	ActivityID    int64      `db:"activity_id" json:"activity_id"`
	ActivityTitle string     `db:"activity_title" json:"activity_title"`
	OrgName       string     `db:"org_name" json:"org_name"`
	ServiceDate   string     `db:"service_date" json:"service_date"`
	Kind          string     `db:"kind" json:"kind"` // scan or manual
	Status        string     `db:"status" json:"status"`
	CheckInAt     *time.Time `db:"check_in_at" json:"check_in_at,omitempty"`
	CheckOutAt    *time.Time `db:"check_out_at" json:"check_out_at,omitempty"`
	Minutes       int64      `db:"minutes" json:"minutes"` // verified minutes; 0 until verified
	Credits       int64      `db:"credits" json:"credits"`
	Reason        string     `db:"reason" json:"reason,omitempty"` // why it was rejected
}

// The statuses a volunteer sees.
const (
	MyPending  = "pending"
	MyVerified = "verified"
	MyRejected = "rejected"
	MyDisputed = "disputed"
)

// Stars is the volunteer's star level (星级志愿者) and what the next star takes.
type Stars struct {
	Level         int   `json:"level"`
	NextLevel     int   `json:"next_level,omitempty"`
	NextHours     int64 `json:"next_hours,omitempty"`
	MinutesNeeded int64 `json:"minutes_needed,omitempty"`
}

// MyRecords is a page of the volunteer's service with the totals the page shows above it.
type MyRecords struct {
	// VerifiedMinutes is the service time of all verified (and disputed) records: what certificates,
	// stars and statistics count. Spending credits never reduces it.
	VerifiedMinutes int64 `json:"verified_minutes"`
	// Stars are under the platform's thresholds; Elsewhere under those of each organization served
	// that set different ones (see StarLevel).
	Stars     Stars      `json:"stars"`
	Elsewhere []OrgStars `json:"stars_elsewhere"`
	Items     []MyRecord `json:"items"`
	Next      int64      `json:"next,omitempty"` // the after of the next page, 0 at the end
}

// MyRecords returns the volunteer's attendances, newest service first (by the activity's start, so
// that a record added later for an old date sits at its date), keyset paged after the attendance
// after (0 for the first page), with the total verified time and the star level.
// Errors: ErrInvalid (limit).
func (s *Service) MyRecords(ctx context.Context, userID, after int64, limit int) (MyRecords, error) {
	if limit <= 0 {
		limit = DefaultPage
	}
	if limit > MaxPage || after < 0 {
		return MyRecords{}, invalid("limit", "range")
	}
	out := MyRecords{Items: []MyRecord{}}
	var err error
	if out.VerifiedMinutes, err = s.verifiedMinutes(ctx, userID); err != nil {
		return MyRecords{}, err
	}
	if out.Elsewhere, err = s.starsElsewhere(ctx, userID, out.VerifiedMinutes); err != nil {
		return MyRecords{}, err
	}
	sp := StarProgressOf(out.VerifiedMinutes, s.stars)
	out.Stars = Stars{Level: sp.Level, NextLevel: sp.NextLevel, NextHours: sp.NextHours, MinutesNeeded: sp.MinutesNeeded}
	if err := s.db.SelectContext(ctx, &out.Items, `
SELECT t.id AS attendance_id, r.id AS record_id, a.id AS activity_id, a.title AS activity_title, o.name AS org_name,
    to_char(coalesce(r.service_date, (coalesce(t.check_in_at, a.starts_at) AT TIME ZONE 'Asia/Shanghai')::date),
        'YYYY-MM-DD') AS service_date,
    t.source AS kind,
    CASE WHEN r.status = 'disputed' THEN 'disputed' WHEN r.id IS NOT NULL THEN 'verified'
         WHEN t.status = 'rejected' THEN 'rejected' ELSE 'pending' END AS status,
    t.check_in_at, t.check_out_at, coalesce(r.minutes, 0) AS minutes, coalesce(r.credits, 0) AS credits,
    CASE WHEN t.status = 'rejected' THEN t.decision_reason ELSE '' END AS reason
FROM attendances t
JOIN activities a ON a.id = t.activity_id JOIN organizations o ON o.id = a.org_id
LEFT JOIN service_records r ON r.attendance_id = t.id
WHERE t.user_id = $1 AND (a.starts_at, t.id) < (SELECT coalesce(max(a2.starts_at), 'infinity'), coalesce(max(t2.id), 0)
      FROM attendances t2 JOIN activities a2 ON a2.id = t2.activity_id WHERE t2.id = $2)
ORDER BY a.starts_at DESC, t.id DESC LIMIT $3`, userID, after, limit+1); err != nil {
		return MyRecords{}, err
	}
	if len(out.Items) > limit {
		out.Items = out.Items[:limit]
		out.Next = out.Items[limit-1].AttendanceID
	}
	return out, nil
}
