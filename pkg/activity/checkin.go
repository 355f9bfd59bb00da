package activity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"timebank/pgerr"
	"timebank/pkg/identity"
)

// checkInQuery reads the activity a scan is at and, in the same statement, checks the volunteer in
// when check-in is open: not a check-out code ($7), from an hour before the start ($8 is the latest
// start that allows it now) to the end, and with an active sign-up when the activity takes only
// those. The insert is ON CONFLICT DO NOTHING, so of any number of concurrent scans exactly one
// creates the attendance. No row means no such activity; a row without attendance_id means nothing
// was inserted, and the caller tells why from the activity's times. Whether the phone was inside
// the activity's radius ($5, $6: its position, or NULL) is worked out here as the "near me" list
// does (distanceSQL): the activity's place is known only inside the statement.
var checkInQuery = fmt.Sprintf(`
WITH a AS (
    SELECT id, org_id, title, starts_at, ends_at, signup_required, latitude, longitude, radius_m, status
    FROM activities WHERE id = $1 AND kind = 'activity'
), t AS (
    INSERT INTO attendances (activity_id, user_id, source, check_in_at, check_in_by, inside_at_check_in)
    SELECT a.id, $2, 'scan', $3, $4,
        CASE WHEN $5::float8 IS NOT NULL AND $6::float8 IS NOT NULL AND a.radius_m IS NOT NULL
            THEN %s <= a.radius_m END
    FROM a
    WHERE NOT $7 AND a.status = 'open' AND a.starts_at <= $8 AND $3 <= a.ends_at
      AND (NOT a.signup_required
           OR EXISTS (SELECT 1 FROM signups s WHERE s.activity_id = $1 AND s.user_id = $2 AND s.status = 'active'))
    ON CONFLICT (activity_id, user_id) DO NOTHING
    RETURNING id, user_id, check_in_at, inside_at_check_in, created_at
)
SELECT a.id, a.org_id, a.title, a.starts_at, a.ends_at, a.signup_required, a.latitude, a.longitude, a.radius_m,
    a.status, t.id AS attendance_id, t.check_in_at, t.inside_at_check_in, t.created_at AS attendance_created_at,
    u.name AS volunteer_name, u.volunteer_no
FROM a LEFT JOIN t ON true LEFT JOIN users u ON u.id = t.user_id`, fmt.Sprintf(distanceSQL, "$5", "$6"))

// checkInOne is checkIn for one scan alone, with checkInQuery.
func (s *Service) checkInOne(ctx context.Context, activityID, userID int64, by string, at time.Time, pos *Position,
	outOnly bool) (a Activity, att Attendance, inserted bool, err error) {
	var lat, lng *float64
	if pos != nil {
		lat, lng = &pos.Lat, &pos.Lng
	}
	// Scanned field by field: this runs for every first scan, and sqlx's mapping of columns to
	// fields by reflection took about a tenth of the statement's Go time.
	var (
		attID                *int64
		checkInAt, createdAt *time.Time
		inside               *bool
		volunteerName, volNo *string
	)
	err = s.stmts.QueryRow(ctx, s.db, checkInQuery, activityID, userID, at, by, lat, lng, outOnly,
		at.Add(CheckInOpensBefore)).Scan(&a.ID, &a.OrgID, &a.Title, &a.StartsAt, &a.EndsAt, &a.SignupRequired,
		&a.Latitude, &a.Longitude, &a.RadiusM, &a.Status, &attID, &checkInAt, &inside, &createdAt, &volunteerName, &volNo)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Activity{}, Attendance{}, false, ErrActivityNotFound
	case pgerr.Violates(err, "", "attendances_user_id_fkey"):
		return Activity{}, Attendance{}, false, identity.ErrUserNotFound // a genuine member code of a user since removed
	case err != nil:
		return Activity{}, Attendance{}, false, err
	case attID == nil:
		return a, Attendance{}, false, nil
	}
	return a, Attendance{ID: *attID, ActivityID: a.ID, UserID: userID, VolunteerName: *volunteerName,
		VolunteerNo: *volNo, Source: "scan", CheckInAt: checkInAt, InsideAtCheckIn: inside, Status: StatusOpen,
		CreatedAt: *createdAt}, true, nil
}
