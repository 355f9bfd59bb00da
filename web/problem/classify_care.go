package problem

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/care"
)

// ClassifyCare maps the errors of the care registry to statuses and problem slugs; status 0 means
// the error is none of theirs.
func ClassifyCare(err error) (int, string) {
	switch {
	case errors.Is(err, care.ErrInvalid):
		return fiber.StatusBadRequest, "invalid-request"
	case errors.Is(err, care.ErrPersonNotFound):
		return fiber.StatusNotFound, "care-person-not-found"
	case errors.Is(err, care.ErrPairingNotFound):
		return fiber.StatusNotFound, "care-pairing-not-found"
	case errors.Is(err, care.ErrProposalNotFound):
		return fiber.StatusNotFound, "care-proposal-not-found"
	case errors.Is(err, care.ErrNotPermitted):
		return fiber.StatusForbidden, "care-not-permitted"
	case errors.Is(err, care.ErrNotPaired):
		return fiber.StatusForbidden, "care-not-paired"
	case errors.Is(err, care.ErrBadCard):
		return fiber.StatusBadRequest, "care-card-invalid"
	case errors.Is(err, care.ErrDecided):
		return fiber.StatusConflict, "care-proposal-decided"
	case errors.Is(err, care.ErrPairingEnded):
		return fiber.StatusConflict, "care-pairing-ended"
	case errors.Is(err, care.ErrIdempotency):
		return fiber.StatusConflict, "idempotency-conflict"
	}
	return 0, ""
}
