package problem

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pkg/outage"
)

// Classify maps an error to its status and problem slug. It is the one place where domain errors
// become HTTP statuses.
func Classify(err error) (int, string) {
	var pe *Error
	var fe *fiber.Error
	switch {
	case errors.As(err, &pe):
		return pe.Status, pe.Slug
	case outage.Is(err):
		return fiber.StatusServiceUnavailable, "unavailable"
	case errors.Is(err, ledger.ErrInvalid):
		return fiber.StatusBadRequest, "invalid-request"
	case errors.Is(err, ledger.ErrAccountNotFound):
		return fiber.StatusNotFound, "account-not-found"
	case errors.Is(err, ledger.ErrTransactionNotFound):
		return fiber.StatusNotFound, "transaction-not-found"
	case errors.Is(err, ledger.ErrHoldNotFound):
		return fiber.StatusNotFound, "hold-not-found"
	case errors.Is(err, ledger.ErrAccountExists):
		return fiber.StatusConflict, "account-exists"
	case errors.Is(err, ledger.ErrIdempotencyConflict):
		return fiber.StatusConflict, "idempotency-conflict"
	case errors.Is(err, ledger.ErrAlreadyReversed):
		return fiber.StatusConflict, "already-reversed"
	case errors.Is(err, ledger.ErrNotReversible):
		return fiber.StatusConflict, "not-reversible"
	case errors.Is(err, ledger.ErrHoldResolved):
		return fiber.StatusConflict, "hold-resolved"
	case errors.Is(err, ledger.ErrHoldExpired):
		return fiber.StatusConflict, "hold-expired"
	case errors.Is(err, ledger.ErrInsufficientFunds):
		return fiber.StatusUnprocessableEntity, "insufficient-funds"
	case errors.Is(err, ledger.ErrHistoryImmutable):
		return fiber.StatusConflict, "history-immutable"
	case errors.As(err, &fe):
		return fe.Code, fiberSlug(fe.Code)
	}
	if status, slug := classifyPeople(err); status != 0 {
		return status, slug
	}
	if status, slug := classifyActivity(err); status != 0 {
		return status, slug
	}
	if status, slug := ClassifyStore(err); status != 0 {
		return status, slug
	}
	if status, slug := ClassifyCertificate(err); status != 0 {
		return status, slug
	}
	if status, slug := ClassifyReport(err); status != 0 {
		return status, slug
	}
	if status, slug := classifyServiceDesk(err); status != 0 {
		return status, slug
	}
	if status, slug := ClassifyCare(err); status != 0 {
		return status, slug
	}
	if errors.As(err, new(*fields.Error)) {
		return fiber.StatusBadRequest, "invalid-request" // a field error whose sentinel no area's list names
	}
	return fiber.StatusInternalServerError, "internal"
}

func fiberSlug(code int) string {
	switch code {
	case fiber.StatusNotFound:
		return "not-found"
	case fiber.StatusMethodNotAllowed:
		return "method-not-allowed"
	case fiber.StatusRequestEntityTooLarge, fiber.StatusRequestHeaderFieldsTooLarge:
		return "too-large"
	case fiber.StatusUnauthorized:
		return "unauthorized"
	case fiber.StatusForbidden:
		return "forbidden"
	case fiber.StatusTooManyRequests:
		return "rate-limited"
	case fiber.StatusServiceUnavailable:
		return "unavailable"
	}
	if code >= 500 {
		return "internal"
	}
	return "invalid-request"
}
