package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/identity"
)

// classifyPeople maps the errors of people, organizations and sessions to statuses and problem slugs;
// status 0 means the error is none of theirs.
func classifyPeople(err error) (int, string) {
	switch {
	case errors.Is(err, identity.ErrBadCredentials):
		return fiber.StatusUnauthorized, "bad-credentials"
	case errors.Is(err, identity.ErrPhoneTaken):
		return fiber.StatusConflict, "phone-taken"
	case errors.Is(err, identity.ErrResidentIDTaken):
		return fiber.StatusConflict, "resident-id-taken"
	case errors.Is(err, identity.ErrUserNotFound):
		return fiber.StatusNotFound, "user-not-found"
	case errors.Is(err, identity.ErrDeviceNotFound):
		return fiber.StatusNotFound, "device-not-found"
	}
	return 0, ""
}
