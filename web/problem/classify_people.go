package problem

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/identity"
	"timebank/pkg/org"
	"timebank/pkg/sms"
)

// classifyPeople maps the errors of people, organizations and regions to statuses and problem slugs;
// status 0 means the error is none of theirs.
func classifyPeople(err error) (int, string) {
	switch {
	case errors.Is(err, identity.ErrBadCredentials):
		return fiber.StatusUnauthorized, "bad-credentials"
	case errors.Is(err, identity.ErrPhoneTaken):
		return fiber.StatusConflict, "phone-taken"
	case errors.Is(err, identity.ErrClaimNeedsResidentID):
		return fiber.StatusConflict, "claim-needs-resident-id"
	case errors.Is(err, identity.ErrResidentIDTaken):
		return fiber.StatusConflict, "resident-id-taken"
	case errors.Is(err, identity.ErrUserNotFound):
		return fiber.StatusNotFound, "user-not-found"
	case errors.Is(err, identity.ErrDeviceNotFound):
		return fiber.StatusNotFound, "device-not-found"
	case errors.Is(err, identity.ErrGrantNotFound):
		return fiber.StatusNotFound, "grant-not-found"
	case errors.Is(err, identity.ErrScopeNotFound):
		return fiber.StatusNotFound, "scope-not-found"
	case errors.Is(err, identity.ErrRegistrationCode):
		return fiber.StatusBadRequest, "registration-code"
	case errors.Is(err, identity.ErrResetCode):
		return fiber.StatusBadRequest, "reset-code"
	case errors.Is(err, identity.ErrNotMember):
		return fiber.StatusNotFound, "not-member"
	case errors.Is(err, identity.ErrResetAbove):
		return fiber.StatusForbidden, "reset-above"
	case errors.Is(err, sms.ErrNotConfigured):
		return fiber.StatusServiceUnavailable, "sms-unavailable"
	case errors.Is(err, org.ErrRegionNotFound):
		return fiber.StatusNotFound, "region-not-found"
	case errors.Is(err, org.ErrOrgNotFound):
		return fiber.StatusNotFound, "org-not-found"
	case errors.Is(err, org.ErrStoreNotFound):
		return fiber.StatusNotFound, "store-not-found"
	case errors.Is(err, org.ErrRegionExists):
		return fiber.StatusConflict, "region-exists"
	case errors.Is(err, org.ErrParentMissing):
		return fiber.StatusUnprocessableEntity, "parent-region-missing"
	case errors.Is(err, org.ErrCreditCodeTaken):
		return fiber.StatusConflict, "credit-code-taken"
	}
	return 0, ""
}
