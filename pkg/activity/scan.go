package activity

import (
	"context"
	"errors"
	"strings"
	"time"

	"timebank/fields"
	"timebank/pkg/principal"
	"timebank/pkg/qr"
)

// Scan is one scan of a QR code at an activity: the token (or the whole URL a camera read) and,
// when the phone's browser shared it, its position.
type Scan struct {
	Token string `json:"token"`
	// ActivityID, when not 0, is the activity the scanning page was opened for; a check-in code of
	// another activity is then refused (ErrWrongActivity).
	ActivityID int64     `json:"activity_id,omitempty"`
	Position   *Position `json:"position,omitempty"`
}

func (sc Scan) validate() error {
	bad := fields.Set{}
	if strings.TrimSpace(sc.Token) == "" {
		bad["token"] = "required"
	}
	if sc.ActivityID < 0 {
		bad["activity_id"] = "range"
	}
	if sc.Position != nil && !sc.Position.Valid() {
		bad["position"] = "range"
	}
	return bad.Err(ErrInvalid)
}

// What a scan did.
const (
	ActionCheckedIn  = "checked_in"
	ActionCheckedOut = "checked_out"
	ActionUnchanged  = "unchanged" // a repeated scan: nothing changed, the attendance is as it was
)

// MinCheckOutAfter is the least time after checking in at which scanning the check-in code again
// checks out. A second scan sooner (the camera read the code twice, the volunteer tapped twice, two
// requests raced) leaves the volunteer checked in; the kiosk's check-out code checks out at once.
const MinCheckOutAfter = 2 * time.Minute

// ScanResult is what a scan did and the attendance after it.
type ScanResult struct {
	Action        string     `json:"action"`
	ActivityTitle string     `json:"activity_title"`
	Attendance    Attendance `json:"attendance"`
}

// ScanKiosk is a signed-in volunteer scanning the activity's code on the kiosk screen: a check-in
// code checks them in, or out when they have been in for MinCheckOutAfter; a check-out code checks
// them out. Scanning again, or many times at once, never makes a second attendance.
// Errors: ErrInvalid, qr.ErrMalformed, qr.ErrBadSignature, qr.ErrUnknownKey, qr.ErrExpired,
// qr.ErrWrongType (not a kiosk code), ErrWrongActivity, ErrActivityNotFound, ErrCheckInNotOpen,
// ErrActivityOver, ErrActivityCancelled, ErrNotSignedUp, ErrNotCheckedIn.
func (s *Service) ScanKiosk(ctx context.Context, userID int64, sc Scan) (ScanResult, error) {
	if err := sc.validate(); err != nil {
		return ScanResult{}, err
	}
	now := s.now()
	c, err := s.signer.Parse(sc.Token, now)
	if err != nil {
		return ScanResult{}, err
	}
	switch {
	case c.Type != qr.CheckIn && c.Type != qr.CheckOut:
		return ScanResult{}, qr.ErrWrongType
	case sc.ActivityID != 0 && c.Subject != sc.ActivityID:
		return ScanResult{}, ErrWrongActivity
	}
	return s.scan(ctx, c.Subject, userID, "user:"+itoa(userID), c.Type == qr.CheckOut, sc.Position, now)
}

// ScanMember is a coordinator or the organization's kiosk device scanning a volunteer's member code
// at the activity: it checks the volunteer in, or out when they have been in for MinCheckOutAfter.
// Member codes are single use: the code is spent in Redis before anything else, so a screenshot
// scanned again is refused (qr.ErrSpent).
// Errors: ErrInvalid, qr.ErrMalformed, qr.ErrBadSignature, qr.ErrUnknownKey, qr.ErrExpired,
// qr.ErrWrongType, qr.ErrSpent, ErrWrongActivity (a check-in code of another activity),
// ErrActivityNotFound, ErrCheckInNotOpen, ErrActivityOver, ErrNotSignedUp, identity.ErrUserNotFound.
func (s *Service) ScanMember(ctx context.Context, by *principal.Principal, activityID int64, sc Scan) (ScanResult, error) {
	if err := sc.validate(); err != nil {
		return ScanResult{}, err
	}
	now := s.now()
	c, err := s.signer.Parse(sc.Token, now)
	if err != nil {
		return ScanResult{}, err
	}
	switch {
	case (c.Type == qr.CheckIn || c.Type == qr.CheckOut) && c.Subject != activityID:
		return ScanResult{}, ErrWrongActivity
	case c.Type != qr.Member:
		return ScanResult{}, qr.ErrWrongType
	}
	if err := qr.Spend(ctx, s.rdb, s.prefix, c); err != nil {
		return ScanResult{}, err
	}
	return s.scan(ctx, activityID, c.Subject, by.Label(), false, sc.Position, now)
}

// scan checks the volunteer in or out. A check-in is one statement that reads the activity and
// inserts the attendance … ON CONFLICT DO NOTHING when check-in is open, so of any number of
// concurrent scans exactly one creates the attendance and the rest find it; a first scan, the
// storm of a Volunteer Day morning, costs that one statement.
func (s *Service) scan(ctx context.Context, activityID, userID int64, by string, outOnly bool, pos *Position,
	now time.Time) (ScanResult, error) {
	// PostgreSQL keeps microseconds: the statement and the checks below see the same instant.
	now = now.Truncate(time.Microsecond)
	a, att, inserted, err := s.checkIn(ctx, activityID, userID, by, now, pos, outOnly)
	if err != nil {
		return ScanResult{}, err
	}
	res := ScanResult{ActivityTitle: a.Title, Action: ActionUnchanged}
	switch {
	case a.Status == StatusActivityCancelled:
		return ScanResult{}, ErrActivityCancelled
	case now.Before(CheckInOpens(a.StartsAt)):
		return ScanResult{}, ErrCheckInNotOpen
	case inserted:
		res.Action, res.Attendance = ActionCheckedIn, att
		return res, nil
	}
	inside := a.Inside(pos)
	att, err = attendanceOf(ctx, s.stmts, s.db, activityID, userID)
	switch {
	case errors.Is(err, ErrAttendanceNotFound) && outOnly:
		return ScanResult{}, ErrNotCheckedIn
	case errors.Is(err, ErrAttendanceNotFound) && now.After(a.EndsAt):
		return ScanResult{}, ErrActivityOver
	case errors.Is(err, ErrAttendanceNotFound):
		return ScanResult{}, ErrNotSignedUp // the only reason checkIn inserts nothing and finds nothing
	case err != nil:
		return ScanResult{}, err
	}
	res.Attendance = att
	if att.Status != StatusOpen || !outOnly && now.Sub(*att.CheckInAt) < MinCheckOutAfter {
		return res, nil
	}
	// Past the forgotten check-out deadline the attendance is closed at the scheduled end, as the
	// worker would have done, so that a late scan cannot claim the hours in between.
	p, err := s.Policy(ctx, a.OrgID)
	if err != nil {
		return ScanResult{}, err
	}
	at, auto := now, false
	if now.After(p.AutoCloseAt(a.EndsAt)) {
		at, auto = a.EndsAt, true
	}
	closed, ok, err := checkOut(ctx, s.stmts, s.db, att.ID, by, at, inside, auto)
	if err != nil {
		return ScanResult{}, err
	}
	if !ok {
		res.Attendance, err = attendanceOf(ctx, s.stmts, s.db, activityID, userID)
		return res, err
	}
	res.Action, res.Attendance = ActionCheckedOut, closed
	return res, nil
}
