package store

import (
	"context"
	"errors"

	"timebank/pkg/identity"
	"timebank/pkg/qr"
)

// Member is a volunteer as the counter sees them: enough to greet them and check they can pay,
// nothing more (PIPL: the clerk needs no phone number, no ID, no full name).
type Member struct {
	UserID      int64  `json:"user_id"`
	VolunteerNo string `json:"volunteer_no"`
	NameMasked  string `json:"name_masked"`
	// Available is what the volunteer can spend now, in credit minutes.
	Available int64 `json:"available"`
}

// member returns the counter's view of a user.
func (s *Service) member(ctx context.Context, userID int64) (Member, identity.User, error) {
	u, err := s.users.ByID(ctx, userID)
	if errors.Is(err, identity.ErrUserNotFound) {
		return Member{}, u, ErrCodeInvalid // a signed code for a user who is gone
	} else if err != nil {
		return Member{}, u, err
	}
	b, err := s.ledger.Balance(ctx, u.AccountCode)
	if err != nil {
		return Member{}, u, err
	}
	return Member{UserID: u.ID, VolunteerNo: u.VolunteerNo, NameMasked: identity.MaskName(u.Name), Available: b.Available}, u, nil
}

// The kinds of code the counter takes.
const (
	ScanPickup = "pickup"
	ScanMember = "member"
)

// ScanResult is what the clerk must see after a scan: for a pickup code the order to hand out and
// whose it is; for a member code the member and what they can spend.
type ScanResult struct {
	Kind   string  `json:"kind"`
	Order  *Order  `json:"order,omitempty"`
	Member *Member `json:"member,omitempty"`
}

// Scan reads a code at the store's counter: the bare token or the whole URL, as a USB scanner types
// it. A pickup code must belong to a pending order of this store; it is single use, so the same
// code scanned again (a second scan, another counter, a screenshot) is refused with ErrCodeUsed,
// and the volunteer's order page shows a fresh one. A member code only shows the member; it is
// spent by the sale it pays for (see Sale). Whether the actor serves the store is for the caller
// to decide.
// Errors: ErrCodeInvalid, ErrCodeExpired, ErrCodeUsed, ErrOrderNotFound, ErrWrongStore,
// ErrOrderFulfilled, ErrOrderCancelled, ErrOrderExpired.
func (s *Service) Scan(ctx context.Context, storeID int64, token string) (ScanResult, error) {
	c, err := s.codes.Parse(token, s.now())
	if err != nil {
		return ScanResult{}, codeError(err)
	}
	switch c.Type {
	case qr.Pickup:
		o, err := s.Order(ctx, c.Subject)
		if err != nil {
			return ScanResult{}, err
		}
		if o.StoreID != storeID || c.Aux != o.StoreID {
			return ScanResult{}, ErrWrongStore
		}
		if err := stateError(o, s.now()); err != nil {
			return ScanResult{}, err
		}
		if err := s.spend(ctx, c); err != nil {
			return ScanResult{}, err
		}
		m, _, err := s.member(ctx, o.UserID)
		if err != nil {
			return ScanResult{}, err
		}
		return ScanResult{Kind: ScanPickup, Order: &o, Member: &m}, nil
	case qr.Member:
		m, _, err := s.member(ctx, c.Subject)
		if err != nil {
			return ScanResult{}, err
		}
		return ScanResult{Kind: ScanMember, Member: &m}, nil
	}
	return ScanResult{}, ErrCodeInvalid
}

// spend marks a single-use code used.
func (s *Service) spend(ctx context.Context, c qr.Claims) error {
	return codeError(qr.Spend(ctx, s.rdb, s.opt.RedisPrefix, c))
}
