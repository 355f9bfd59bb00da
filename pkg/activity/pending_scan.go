package activity

import (
	"context"
	"time"

	"timebank/pkg/qr"
)

// PendingScanTTL is how long a kiosk scan made while signed out waits for the person to sign in or
// register. The kiosk's code itself lives about a minute, less than signing in takes on a phone
// opened from WeChat (whose browser has cookies of its own): the scan must count from when it was
// made, not from when the person got through.
const PendingScanTTL = 15 * time.Minute

// HoldScan checks a kiosk code scanned in a browser that is not signed in, at the moment of the
// scan, and returns a pending scan for that browser to keep (in a cookie): ApplyScan then makes the
// scan, once, as of that moment. A code that is not a kiosk code, forged or already expired is
// refused now, as a scan would be.
// Errors: ErrInvalid, qr.ErrMalformed, qr.ErrBadSignature, qr.ErrUnknownKey, qr.ErrExpired,
// qr.ErrWrongType.
func (s *Service) HoldScan(token string) (string, error) {
	if err := (Scan{Token: token}).validate(); err != nil {
		return "", err
	}
	now := s.now()
	c, err := s.signer.Parse(token, now)
	if err != nil {
		return "", err
	}
	if c.Type != qr.CheckIn && c.Type != qr.CheckOut {
		return "", qr.ErrWrongType
	}
	aux := now.Unix() << 1
	if c.Type == qr.CheckOut {
		aux |= 1
	}
	pending, _, err := s.signer.Issue(qr.PendingScan, c.Subject, aux, now.Add(PendingScanTTL))
	return pending, err
}

// ApplyScan makes the pending scan for the person who has now signed in, as a scan of the kiosk
// code at the moment it was held: the check-in (or check-out) time, and whether check-in was open,
// are those of that moment. A pending scan is used once.
// Errors: qr.ErrMalformed, qr.ErrBadSignature, qr.ErrUnknownKey, qr.ErrExpired (held longer than
// PendingScanTTL), qr.ErrWrongType, qr.ErrSpent (used already), and ScanKiosk's errors about the
// activity.
func (s *Service) ApplyScan(ctx context.Context, userID int64, pending string) (ScanResult, error) {
	c, err := s.signer.Parse(pending, s.now())
	if err != nil {
		return ScanResult{}, err
	}
	if c.Type != qr.PendingScan {
		return ScanResult{}, qr.ErrWrongType
	}
	if err := qr.Spend(ctx, s.rdb, s.prefix, c); err != nil {
		return ScanResult{}, err
	}
	at := time.Unix(c.Aux>>1, 0)
	return s.scan(ctx, c.Subject, userID, "user:"+itoa(userID), c.Aux&1 == 1, nil, at)
}
