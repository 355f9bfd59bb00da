package problem

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/certificate"
)

// ClassifyCertificate maps the errors of certificates of volunteer service to statuses and problem
// slugs; status 0 means the error is none of theirs.
func ClassifyCertificate(err error) (int, string) {
	switch {
	case errors.Is(err, certificate.ErrInvalid):
		return fiber.StatusBadRequest, "invalid-request"
	case errors.Is(err, certificate.ErrOrgNotFound):
		return fiber.StatusNotFound, "org-not-found"
	case errors.Is(err, certificate.ErrUserNotFound):
		return fiber.StatusNotFound, "user-not-found"
	case errors.Is(err, certificate.ErrNothingToCertify):
		return fiber.StatusUnprocessableEntity, "nothing-to-certify"
	case errors.Is(err, certificate.ErrRequestNotFound):
		return fiber.StatusNotFound, "certificate-request-not-found"
	case errors.Is(err, certificate.ErrRequestOpen):
		return fiber.StatusConflict, "certificate-request-open"
	case errors.Is(err, certificate.ErrRequestDecided):
		return fiber.StatusConflict, "certificate-request-decided"
	case errors.Is(err, certificate.ErrRequestNotAccepted):
		return fiber.StatusConflict, "certificate-request-closed"
	case errors.Is(err, certificate.ErrNotFound):
		return fiber.StatusNotFound, "certificate-not-found"
	case errors.Is(err, certificate.ErrNotIssued):
		return fiber.StatusConflict, "certificate-not-in-force"
	case errors.Is(err, certificate.ErrUnchanged):
		return fiber.StatusConflict, "certificate-unchanged"
	case errors.Is(err, certificate.ErrBadToken):
		return fiber.StatusBadRequest, "certificate-code-invalid"
	case errors.Is(err, certificate.ErrAlreadyPublished):
		return fiber.StatusConflict, "certificate-published"
	case errors.Is(err, certificate.ErrNotPublic):
		return fiber.StatusNotFound, "certificate-not-public"
	case errors.Is(err, certificate.ErrObjectionNotFound):
		return fiber.StatusNotFound, "objection-not-found"
	case errors.Is(err, certificate.ErrObjectionDecided):
		return fiber.StatusConflict, "objection-decided"
	case errors.Is(err, certificate.ErrKeyRotated):
		return fiber.StatusConflict, "certificate-keys-rotated"
	case errors.Is(err, certificate.ErrBadSeal):
		return fiber.StatusBadRequest, "seal-invalid"
	}
	return 0, ""
}
