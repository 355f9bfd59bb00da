package activity

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pgerr"
	"timebank/pkg/audit"
	"timebank/pkg/identity"
	"timebank/pkg/principal"
)

// ManualHours adds hours by hand (补录) for a volunteer who served but could not scan. They are kept
// apart from scanned hours: the attendance's source is "manual", it needs a reason, it is never
// longer than the activity, it must be approved (Verify) by someone else than who added it, and
// the organization's policy decides whether it earns credits.
type ManualHours struct {
	VolunteerNo string `json:"volunteer_no"`
	Minutes     int64  `json:"minutes"`
	Reason      string `json:"reason"`
}

// AddManual records hours added by hand at an ended activity, waiting for a second person's
// approval in the verification queue.
// Errors: ErrInvalid (also minutes longer_than_activity), ErrActivityNotFound, ErrNotService,
// ErrNotEnded, identity.ErrUserNotFound (no volunteer with that number), ErrAttendanceExists.
func (s *Service) AddManual(ctx context.Context, by *principal.Principal, activityID int64, m ManualHours) (Attendance, error) {
	bad := fields.Set{}
	m.VolunteerNo = strings.ToUpper(strings.TrimSpace(m.VolunteerNo))
	if m.VolunteerNo == "" {
		bad["volunteer_no"] = "required"
	}
	if m.Minutes < 1 || m.Minutes > 24*60 {
		bad["minutes"] = "range"
	}
	if r := cleanText(&m.Reason, 500, true, true); r != "" {
		bad["reason"] = r
	}
	if err := bad.Err(ErrInvalid); err != nil {
		return Attendance{}, err
	}
	a, err := s.Activity(ctx, activityID)
	switch {
	case err != nil:
		return Attendance{}, err
	case !a.IsService:
		return Attendance{}, ErrNotService
	case s.now().Before(a.EndsAt):
		return Attendance{}, ErrNotEnded
	case m.Minutes > a.LengthMinutes():
		return Attendance{}, invalid("minutes", "longer_than_activity")
	}
	var att Attendance
	err = s.ledger.InTx(ctx, func(ltx *ledger.Tx) error {
		tx := ltx.Sqlx()
		var userID int64
		err := tx.GetContext(ctx, &userID, `SELECT id FROM users WHERE volunteer_no = $1`, m.VolunteerNo)
		if errors.Is(err, sql.ErrNoRows) {
			return identity.ErrUserNotFound
		} else if err != nil {
			return err
		}
		err = tx.GetContext(ctx, &att, `
WITH t AS (
    INSERT INTO attendances (activity_id, user_id, source, status, manual_minutes, manual_reason, requested_by)
    VALUES ($1, $2, 'manual', 'closed', $3, $4, $5)
    RETURNING *
)
SELECT `+attendanceColumns+` FROM t JOIN users u ON u.id = t.user_id`, activityID, userID, m.Minutes, m.Reason, by.Label())
		if pgerr.Unique(err, "attendances_once") || isServiceKindError(err) {
			return ErrAttendanceExists
		} else if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "attendance.manual_add",
			Target: "attendance:" + itoa(att.ID), OrgID: a.OrgID,
			After: map[string]any{"activity_id": activityID, "user_id": userID, "minutes": m.Minutes, "reason": m.Reason}})
	})
	return att, err
}
