package activity

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Record is a service record (志愿服务记录): the permanent proof that a volunteer served, with the
// fields the Ministry of Civil Affairs' rules list (activity, date, place, content, hours,
// organizing unit, leader, recorder, people served, evaluation). The certified facts are copied
// when the record is made and never change; Minutes and Credits are those of the current revision,
// and every revision is kept.
type Record struct {
	ID            int64  `db:"id" json:"id"`
	AttendanceID  int64  `db:"attendance_id" json:"attendance_id"`
	ActivityID    int64  `db:"activity_id" json:"activity_id"`
	UserID        int64  `db:"user_id" json:"user_id"`
	VolunteerName string `db:"volunteer_name" json:"volunteer_name"`
	VolunteerNo   string `db:"volunteer_no" json:"volunteer_no"`
	OrgID         int64  `db:"org_id" json:"org_id"`
	Kind          string `db:"kind" json:"kind"` // scan (信用时) or manual (补录)
	ActivityTitle string `db:"activity_title" json:"activity_title"`
	ServiceDate   string `db:"service_date" json:"service_date"` // YYYY-MM-DD, China Standard Time
	Place         string `db:"place" json:"place"`
	Content       string `db:"content" json:"content"`
	Category      string `db:"category" json:"category"`
	OrgName       string `db:"org_name" json:"org_name"`
	LeaderName    string `db:"leader_name" json:"leader_name"`
	PeopleServed  string `db:"people_served" json:"people_served"`
	RecorderName  string `db:"recorder_name" json:"recorder_name"`
	Status        string `db:"status" json:"status"` // verified or disputed
	Revision      int    `db:"revision" json:"revision"`
	// Minutes is the service time of the current revision; Credits what it credited to the
	// volunteer's account (any part above the account cap went to the pool).
	Minutes   int64      `db:"minutes" json:"minutes"`
	Credits   int64      `db:"credits" json:"credits"`
	CreatedAt time.Time  `db:"created_at" json:"created_at"`
	Revisions []Revision `db:"-" json:"revisions,omitempty"`
	Disputes  []Dispute  `db:"-" json:"disputes,omitempty"`
}

// Revision is one version of a record's numbers, with who made it and why. Revision 1 is the
// approval; later ones are amendments, each of which replaced (reversed) the earning before it.
type Revision struct {
	Revision     int            `db:"revision" json:"revision"`
	Minutes      int64          `db:"minutes" json:"minutes"`
	Credits      int64          `db:"credits" json:"credits"`
	PoolCredits  int64          `db:"pool_credits" json:"pool_credits"`
	ServedFrom   *time.Time     `db:"served_from" json:"served_from,omitempty"`
	ServedTo     *time.Time     `db:"served_to" json:"served_to,omitempty"`
	Flags        pq.StringArray `db:"flags" json:"flags"`
	EarnTxID     *int64         `db:"earn_tx_id" json:"earn_tx_id,omitempty"`
	ReplacesTxID *int64         `db:"replaces_tx_id" json:"replaces_tx_id,omitempty"`
	Reason       string         `db:"reason" json:"reason,omitempty"`
	Evaluation   string         `db:"evaluation" json:"evaluation,omitempty"`
	CreatedBy    string         `db:"created_by" json:"created_by"`
	CreatedAt    time.Time      `db:"created_at" json:"created_at"`
}

// The statuses of a record.
const (
	RecordVerified = "verified"
	RecordDisputed = "disputed"
)

const recordColumns = `r.id, r.attendance_id, r.activity_id, r.user_id, u.name AS volunteer_name, u.volunteer_no,
	r.org_id, r.kind, r.activity_title, to_char(r.service_date, 'YYYY-MM-DD') AS service_date, r.place, r.content,
	r.category, r.org_name, r.leader_name, r.people_served, r.recorder_name, r.status, r.revision, r.minutes,
	r.credits, r.created_at`

func oneRecord(ctx context.Context, q sqlx.QueryerContext, where string, args ...any) (Record, error) {
	var r Record
	err := sqlx.GetContext(ctx, q, &r, `SELECT `+recordColumns+`
FROM service_records r JOIN users u ON u.id = r.user_id WHERE `+where, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, ErrRecordNotFound
	}
	return r, err
}

// Record returns the service record with its revisions and disputes, oldest first.
// Errors: ErrRecordNotFound.
func (s *Service) Record(ctx context.Context, id int64) (Record, error) {
	r, err := oneRecord(ctx, s.db, `r.id = $1`, id)
	if err != nil {
		return Record{}, err
	}
	if err := s.db.SelectContext(ctx, &r.Revisions, `SELECT revision, minutes, credits, pool_credits, served_from,
	served_to, flags, earn_tx_id, replaces_tx_id, reason, evaluation, created_by, created_at
FROM service_record_revisions WHERE record_id = $1 ORDER BY revision`, id); err != nil {
		return Record{}, err
	}
	if err := s.db.SelectContext(ctx, &r.Disputes, `SELECT `+disputeColumns+`
FROM record_disputes WHERE record_id = $1 ORDER BY id`, id); err != nil {
		return Record{}, err
	}
	return r, nil
}

// RecordOwner returns the volunteer and the organization of a record, for the access check of a
// route about it. Errors: ErrRecordNotFound.
func (s *Service) RecordOwner(ctx context.Context, id int64) (userID, orgID int64, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT user_id, org_id FROM service_records WHERE id = $1`, id).Scan(&userID, &orgID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, ErrRecordNotFound
	}
	return userID, orgID, err
}

// creditedDays returns the minutes already recorded for the volunteer on each day from first to
// last, by the current revisions of their records other than except, for the daily cap.
func creditedDays(ctx context.Context, q sqlx.QueryerContext, userID, except int64, first, last Date) (map[Date]int64, error) {
	rows, err := q.QueryContext(ctx, `
SELECT to_char(d.day, 'YYYY-MM-DD'), sum(d.m)
FROM service_records r
JOIN service_record_revisions v ON v.record_id = r.id AND v.revision = r.revision
CROSS JOIN LATERAL unnest(v.day_dates, v.day_minutes) AS d(day, m)
WHERE r.user_id = $1 AND r.id <> $2 AND r.service_date BETWEEN $3::date - 1 AND $4::date
  AND d.day BETWEEN $3::date AND $4::date
GROUP BY d.day`, userID, except, first.String(), last.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[Date]int64{}
	for rows.Next() {
		var day string
		var m int64
		if err := rows.Scan(&day, &m); err != nil {
			return nil, err
		}
		d, err := ParseDate(day)
		if err != nil {
			return nil, err
		}
		out[d] = m
	}
	return out, rows.Err()
}
