package problem

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/activity"
	"timebank/pkg/qr"
)

// classifyActivity maps the errors of activities, scans, records and transfers to statuses and
// problem slugs; status 0 means the error is none of theirs. Every way a scanned code can be wrong
// has its own slug, so the scanning page can tell the volunteer what to do (refresh the code, scan
// the right screen …).
func classifyActivity(err error) (int, string) {
	switch {
	case errors.Is(err, qr.ErrMalformed):
		return fiber.StatusBadRequest, "token-malformed"
	case errors.Is(err, qr.ErrBadSignature), errors.Is(err, qr.ErrUnknownKey):
		return fiber.StatusUnprocessableEntity, "token-invalid"
	case errors.Is(err, qr.ErrExpired):
		return fiber.StatusUnprocessableEntity, "token-expired"
	case errors.Is(err, qr.ErrWrongType):
		return fiber.StatusUnprocessableEntity, "token-wrong-type"
	case errors.Is(err, activity.ErrWrongActivity):
		return fiber.StatusUnprocessableEntity, "token-wrong-activity"
	case errors.Is(err, qr.ErrSpent):
		return fiber.StatusConflict, "token-used"
	case errors.Is(err, activity.ErrActivityNotFound):
		return fiber.StatusNotFound, "activity-not-found"
	case errors.Is(err, activity.ErrActivityFull):
		return fiber.StatusConflict, "activity-full"
	case errors.Is(err, activity.ErrSignupClosed):
		return fiber.StatusConflict, "signup-closed"
	case errors.Is(err, activity.ErrNotSignedUp):
		return fiber.StatusConflict, "not-signed-up"
	case errors.Is(err, activity.ErrCheckInNotOpen):
		return fiber.StatusConflict, "check-in-not-open"
	case errors.Is(err, activity.ErrActivityCancelled):
		return fiber.StatusConflict, "activity-cancelled"
	case errors.Is(err, activity.ErrActivityStarted):
		return fiber.StatusConflict, "activity-started"
	case errors.Is(err, activity.ErrActivityOver):
		return fiber.StatusConflict, "activity-over"
	case errors.Is(err, activity.ErrNotCheckedIn):
		return fiber.StatusConflict, "not-checked-in"
	case errors.Is(err, activity.ErrAttendanceNotFound):
		return fiber.StatusNotFound, "attendance-not-found"
	case errors.Is(err, activity.ErrAttendanceExists):
		return fiber.StatusConflict, "attendance-exists"
	case errors.Is(err, activity.ErrStillCheckedIn):
		return fiber.StatusConflict, "still-checked-in"
	case errors.Is(err, activity.ErrAlreadyVerified):
		return fiber.StatusConflict, "already-verified"
	case errors.Is(err, activity.ErrNotService):
		return fiber.StatusUnprocessableEntity, "not-volunteer-service"
	case errors.Is(err, activity.ErrNotEnded):
		return fiber.StatusConflict, "activity-not-ended"
	case errors.Is(err, activity.ErrSecondApprover):
		return fiber.StatusConflict, "second-approver-required"
	case errors.Is(err, activity.ErrRecordNotFound):
		return fiber.StatusNotFound, "record-not-found"
	case errors.Is(err, activity.ErrRevisionConflict):
		return fiber.StatusConflict, "record-changed"
	case errors.Is(err, activity.ErrCreditsSpent):
		return fiber.StatusUnprocessableEntity, "credits-spent"
	case errors.Is(err, activity.ErrDisputeOpen):
		return fiber.StatusConflict, "dispute-open"
	case errors.Is(err, activity.ErrDisputeNotFound):
		return fiber.StatusNotFound, "dispute-not-found"
	case errors.Is(err, activity.ErrRecipientNotFound):
		return fiber.StatusUnprocessableEntity, "recipient-not-found"
	case errors.Is(err, activity.ErrRelationshipMismatch):
		return fiber.StatusConflict, "relationship-mismatch"
	case errors.Is(err, activity.ErrYearlyLimit):
		return fiber.StatusUnprocessableEntity, "transfer-limit-reached"
	case errors.Is(err, activity.ErrServiceKeyConflict):
		return fiber.StatusConflict, "service-recorded-elsewhere"
	}
	return 0, ""
}
