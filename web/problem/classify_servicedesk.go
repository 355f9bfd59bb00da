package problem

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/servicedesk"
)

// classifyServiceDesk maps the errors of residents' service requests to statuses and problem
// slugs; status 0 means the error is none of theirs. A desk's or request's code that does not check
// out is the qr package's error (token-*).
func classifyServiceDesk(err error) (int, string) {
	switch {
	case errors.Is(err, servicedesk.ErrInvalid):
		return fiber.StatusBadRequest, "invalid-request"
	case errors.Is(err, servicedesk.ErrDeskNotFound):
		return fiber.StatusNotFound, "service-desk-not-found"
	case errors.Is(err, servicedesk.ErrDeskExists):
		return fiber.StatusConflict, "service-desk-exists"
	case errors.Is(err, servicedesk.ErrRequestNotFound):
		return fiber.StatusNotFound, "service-request-not-found"
	case errors.Is(err, servicedesk.ErrTaken):
		return fiber.StatusConflict, "service-request-taken"
	case errors.Is(err, servicedesk.ErrWrongStep):
		return fiber.StatusConflict, "service-request-wrong-step"
	case errors.Is(err, servicedesk.ErrNotYours):
		return fiber.StatusConflict, "service-request-not-yours"
	case errors.Is(err, servicedesk.ErrNotMember):
		return fiber.StatusUnprocessableEntity, "not-team-volunteer"
	case errors.Is(err, servicedesk.ErrCode):
		return fiber.StatusUnprocessableEntity, "sms-code-wrong"
	case errors.Is(err, servicedesk.ErrCodeTooSoon):
		return fiber.StatusTooManyRequests, "rate-limited"
	case errors.Is(err, servicedesk.ErrAlreadyRated):
		return fiber.StatusConflict, "service-already-rated"
	case errors.Is(err, servicedesk.ErrVisitExpired):
		return fiber.StatusUnprocessableEntity, "service-visit-expired"
	}
	return 0, ""
}
