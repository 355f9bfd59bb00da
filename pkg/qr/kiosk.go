package qr

import (
	"fmt"
	"time"
)

// The kiosk rhythm. The code on the coordinator's screen changes every KioskStep and each code is
// accepted for KioskTTL from the start of its window: a volunteer who scans just before the change
// still gets in, while a photo of the screen sent to someone at home is useless a minute later.
const (
	KioskStep = 30 * time.Second
	KioskTTL  = 60 * time.Second
)

// MemberTTL is how long a member code on the volunteer's phone is accepted. The page shows a fresh
// one before it runs out; a screenshot is refused once it expires or once it has been spent.
const MemberTTL = 60 * time.Second

// Kiosk returns the check-in or check-out code (t is CheckIn or CheckOut) of an activity for the
// window that holds now, and when the next window starts, so the kiosk page knows when to ask again.
// The code is the same for the whole window, on every screen and every server holding the same key:
// all kiosks of an activity show one code, and polling does not mint a new token each second. It is
// not single use; many volunteers scan the same code.
// Errors: ErrInvalidClaims.
func (s *Signer) Kiosk(t Type, activityID int64, now time.Time) (token string, next time.Time, err error) {
	if t != CheckIn && t != CheckOut {
		return "", time.Time{}, fmt.Errorf("%w: %s is not a kiosk code", ErrInvalidClaims, t)
	}
	step := int64(KioskStep / time.Second)
	start := now.Unix() / step * step
	token, err = s.Sign(Claims{Type: t, Subject: activityID, Expires: start + int64(KioskTTL/time.Second)})
	if err != nil {
		return "", time.Time{}, err
	}
	return token, time.Unix(start+step, 0), nil
}

// MemberCode returns a new member code for the user, valid for MemberTTL from now and single use.
// Errors: ErrInvalidClaims.
func (s *Signer) MemberCode(userID int64, now time.Time) (string, Claims, error) {
	return s.Issue(Member, userID, 0, now.Add(MemberTTL))
}
