package target

import (
	"slices"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/identity"
)

// MayReset decides whether the caller, allowed access.ResetPasswords at the organization, may
// issue a reset code to the person: the person must hold a role in the organization (or below it),
// and each role they hold beyond a volunteer's must be one the caller may manage. A coordinator
// thus resets volunteers' passwords, and an organization's admin those of its own staff, but
// nobody can take over an admin above them, or a role elsewhere, with a reset code.
// Errors: identity.ErrNotMember, identity.ErrResetAbove, and the registry's errors.
func (f *Finder) MayReset(c *fiber.Ctx, by *access.Principal, person access.Principal, orgID int64) error {
	member := false
	for _, g := range person.Grants {
		t, err := f.Grant(c, g)
		if err != nil {
			return err
		}
		if slices.Contains(t.OrgIDs, orgID) {
			member = true
		}
		if g.Role != access.Volunteer && !by.Can(access.ManageMembers, t) {
			return identity.ErrResetAbove
		}
	}
	if !member {
		return identity.ErrNotMember
	}
	return nil
}
