package activity

import (
	"context"
	"time"

	"timebank/pkg/qr"
)

// Code is a QR code to show: its token, the URL the code carries (BASE_URL/q/<token>), when the
// token stops being accepted, and when the page should fetch the next one.
type Code struct {
	Kind      string    `json:"kind"` // check_in, check_out or member
	Token     string    `json:"token"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
	RefreshAt time.Time `json:"refresh_at"`
	// ActivityTitle names the activity of a kiosk code, for the kiosk screen to show above it.
	ActivityTitle string `json:"activity_title,omitempty"`
}

// The kinds of Code.
const (
	CodeCheckIn  = "check_in"
	CodeCheckOut = "check_out"
	CodeMember   = "member"
)

// KioskCode returns the activity's current check-in code (or check-out code) for the kiosk screen.
// All screens of the activity show the same code during a window of qr.KioskStep; each is accepted
// for qr.KioskTTL.
// Errors: ErrActivityNotFound, ErrActivityCancelled, ErrActivityOver (past the forgotten check-out
// deadline, nothing more can be scanned).
func (s *Service) KioskCode(ctx context.Context, activityID int64, checkOut bool) (Code, error) {
	a, err := s.Activity(ctx, activityID)
	if err != nil {
		return Code{}, err
	}
	p, err := s.Policy(ctx, a.OrgID)
	if err != nil {
		return Code{}, err
	}
	now := s.now()
	if a.Status == StatusActivityCancelled {
		return Code{}, ErrActivityCancelled
	}
	if now.After(p.AutoCloseAt(a.EndsAt)) {
		return Code{}, ErrActivityOver
	}
	t, kind := qr.CheckIn, CodeCheckIn
	if checkOut {
		t, kind = qr.CheckOut, CodeCheckOut
	}
	token, next, err := s.signer.Kiosk(t, a.ID, now)
	if err != nil {
		return Code{}, err
	}
	step := next.Add(-qr.KioskStep)
	return Code{Kind: kind, Token: token, URL: qr.URL(s.baseURL, token), ExpiresAt: step.Add(qr.KioskTTL),
		RefreshAt: next, ActivityTitle: a.Title}, nil
}

// MemberCode returns a fresh single-use member code for the volunteer's phone, accepted for
// qr.MemberTTL; the page fetches the next one halfway through.
func (s *Service) MemberCode(userID int64) (Code, error) {
	now := s.now()
	token, c, err := s.signer.MemberCode(userID, now)
	if err != nil {
		return Code{}, err
	}
	return Code{Kind: CodeMember, Token: token, URL: qr.URL(s.baseURL, token), ExpiresAt: c.ExpiresAt(),
		RefreshAt: now.Add(qr.MemberTTL / 2)}, nil
}
