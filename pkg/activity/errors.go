package activity

import (
	"errors"

	"timebank/fields"
)

// Errors of the recording service. The web layer maps each to one problem type.
var (
	// ErrInvalid means a request is malformed; it is wrapped by a *fields.Error naming each wrong field.
	ErrInvalid = errors.New("activity: invalid request")
	// ErrActivityNotFound means no activity has that id.
	ErrActivityNotFound = errors.New("activity: activity not found")
	// ErrActivityFull means every place of the activity is taken.
	ErrActivityFull = errors.New("activity: activity is full")
	// ErrSignupClosed means sign-up (or cancelling one) is no longer possible: the activity has begun.
	ErrSignupClosed = errors.New("activity: sign-up closed, the activity has begun")
	// ErrNotSignedUp means the volunteer has no place at the activity: to cancel, or to check in at
	// an activity that takes only volunteers who signed up.
	ErrNotSignedUp = errors.New("activity: not signed up for the activity")
	// ErrCheckInNotOpen means check-in opens CheckInOpensBefore the start, and that is still ahead.
	ErrCheckInNotOpen = errors.New("activity: check-in has not opened yet")
	// ErrActivityOver means the activity has ended: nobody can check in any more.
	ErrActivityOver = errors.New("activity: the activity has ended")
	// ErrActivityCancelled means the activity was cancelled: nothing more happens at it.
	ErrActivityCancelled = errors.New("activity: the activity was cancelled")
	// ErrActivityStarted means the activity has begun and can no longer be changed, only cancelled.
	ErrActivityStarted = errors.New("activity: the activity has begun")
	// ErrNotCheckedIn means a check-out code was scanned by someone who never checked in.
	ErrNotCheckedIn = errors.New("activity: not checked in")
	// ErrWrongActivity means a genuine check-in code of another activity than the one scanned at.
	ErrWrongActivity = errors.New("activity: code of another activity")
	// ErrAttendanceNotFound means no attendance has that id.
	ErrAttendanceNotFound = errors.New("activity: attendance not found")
	// ErrAttendanceExists means the volunteer already has an attendance at the activity (hours cannot
	// be added by hand for someone who scanned: adjust theirs instead).
	ErrAttendanceExists = errors.New("activity: the volunteer already has an attendance here")
	// ErrStillCheckedIn means the attendance is open: the volunteer has not checked out yet.
	ErrStillCheckedIn = errors.New("activity: the volunteer is still checked in")
	// ErrAlreadyVerified means the attendance was verified: correct its record by amendment.
	ErrAlreadyVerified = errors.New("activity: attendance already verified")
	// ErrNotService means the activity does not count as volunteer service, so it makes no records.
	ErrNotService = errors.New("activity: the activity is not volunteer service")
	// ErrNotEnded means hours cannot be added by hand before the activity has ended.
	ErrNotEnded = errors.New("activity: the activity has not ended")
	// ErrSecondApprover means hours added by hand must be approved by someone else than who added them.
	ErrSecondApprover = errors.New("activity: manual hours need a second person's approval")
	// ErrRecordNotFound means no service record has that id (or it is not the caller's).
	ErrRecordNotFound = errors.New("activity: service record not found")
	// ErrRevisionConflict means the record was amended since the caller read it.
	ErrRevisionConflict = errors.New("activity: the record has changed; reload it")
	// ErrCreditsSpent means an amendment would take back credits the volunteer has already spent.
	ErrCreditsSpent = errors.New("activity: the volunteer has spent the credits this amendment takes back")
	// ErrDisputeOpen means the record already has an open dispute.
	ErrDisputeOpen = errors.New("activity: a dispute of this record is already open")
	// ErrDisputeNotFound means no open dispute has that id.
	ErrDisputeNotFound = errors.New("activity: dispute not found")
	// ErrRecipientNotFound means no volunteer has that volunteer number and name.
	ErrRecipientNotFound = errors.New("activity: no volunteer with that number and name")
	// ErrRelationshipMismatch means the sender recorded another relationship with the recipient before.
	ErrRelationshipMismatch = errors.New("activity: a different relationship is recorded with this person")
	// ErrYearlyLimit means the transfer would pass the sender's yearly transfer limit.
	ErrYearlyLimit = errors.New("activity: yearly transfer limit reached")
	// ErrServiceKeyConflict means a service with that key was recorded for another volunteer or
	// organization.
	ErrServiceKeyConflict = errors.New("activity: the service was recorded for someone else")
)

// invalid refuses a request for one field.
func invalid(field, reason string) error { return fields.New(ErrInvalid, field, reason) }
