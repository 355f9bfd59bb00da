package identity

import (
	"context"
	"slices"
	"time"

	"timebank/pkg/access"
	"timebank/pkg/org"
)

// Places finds where a role grant is held in the region and organization trees; the registry of
// organizations (org.Registry) is one.
type Places interface {
	OrgTarget(ctx context.Context, orgID int64) (access.Target, error)
	StoreTarget(ctx context.Context, storeID int64) (access.Target, error)
}

// StaffReset is a reset code issued by staff, with whom it is for (the phone masked).
type StaffReset struct {
	Name      string
	Phone     string // masked
	Code      string
	ExpiresAt time.Time
}

// IssueStaffReset issues a one-time reset code to a member of the organization for the staff who
// checked them in person (by, allowed access.ResetPasswords at the organization: the route's rule),
// if MayReset allows it; see IssueReset.
// Errors: ErrUserNotFound, ErrNotMember, ErrResetAbove, and the registry's errors.
func (u *Users) IssueStaffReset(ctx context.Context, ch Change, by *access.Principal, places Places, orgID, userID int64) (StaffReset, error) {
	person, err := u.Principal(ctx, userID)
	if err != nil {
		return StaffReset{}, err
	}
	if err := MayReset(ctx, places, by, person, orgID); err != nil {
		return StaffReset{}, err
	}
	who, err := u.ByID(ctx, userID)
	if err != nil {
		return StaffReset{}, err
	}
	code, expires, err := u.IssueReset(ctx, ch, orgID, userID)
	if err != nil {
		return StaffReset{}, err
	}
	return StaffReset{Name: who.Name, Phone: MaskPhone(who.Phone), Code: code, ExpiresAt: expires}, nil
}

// MayReset decides whether by, allowed access.ResetPasswords at the organization, may issue a reset
// code to the person: the person must hold a role in the organization (or below it), and each role
// they hold beyond a volunteer's must be one by may manage. A coordinator thus resets volunteers'
// passwords, and an organization's admin those of its own staff, but nobody can take over an admin
// above them, or a role elsewhere, with a reset code.
// Errors: ErrNotMember, ErrResetAbove, and the registry's errors.
func MayReset(ctx context.Context, places Places, by *access.Principal, person access.Principal, orgID int64) error {
	member := false
	for _, g := range person.Grants {
		var t access.Target
		var err error
		switch g.Kind {
		case access.Region:
			t = org.RegionTarget(g.RegionCode)
		case access.Org:
			t, err = places.OrgTarget(ctx, g.OrgID)
		case access.Store:
			t, err = places.StoreTarget(ctx, g.StoreID)
		}
		if err != nil {
			return err
		}
		if slices.Contains(t.OrgIDs, orgID) {
			member = true
		}
		if g.Role != access.Volunteer && !by.Can(access.ManageMembers, t) {
			return ErrResetAbove
		}
	}
	if !member {
		return ErrNotMember
	}
	return nil
}
