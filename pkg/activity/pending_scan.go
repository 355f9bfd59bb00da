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
// The position, if the page sent one, is where the phone is when the scan is applied: used once to
// decide inside or outside the activity's radius, as for a scan made signed in, and never kept.
func (s *Service) ApplyScan(ctx context.Context, userID int64, pending string, pos *Position) (ScanResult, error) {
	c, err := s.parsePending(pending)
	if err != nil {
		return ScanResult{}, err
	}
	if err := qr.Spend(ctx, s.rdb, s.prefix, c); err != nil {
		return ScanResult{}, err
	}
	p := pendingOf(c)
	return s.scan(ctx, p.ActivityID, userID, "user:"+itoa(userID), p.CheckOut, pos, p.ScannedAt)
}

// PendingScan is what a held scan says, for the page that asks the person to sign in and then
// to confirm: which activity, when the code was scanned, and whether it was the check-out code.
type PendingScan struct {
	ActivityID int64
	ScannedAt  time.Time
	CheckOut   bool
}

// ReadPendingScan reads a held scan without using it.
// Errors: as ApplyScan's before the scan is made, except qr.ErrSpent (Read does not look).
func (s *Service) ReadPendingScan(pending string) (PendingScan, error) {
	c, err := s.parsePending(pending)
	if err != nil {
		return PendingScan{}, err
	}
	return pendingOf(c), nil
}

// parsePending checks a held scan's signature, lifetime and type.
func (s *Service) parsePending(pending string) (qr.Claims, error) {
	c, err := s.signer.Parse(pending, s.now())
	if err != nil {
		return qr.Claims{}, err
	}
	if c.Type != qr.PendingScan {
		return qr.Claims{}, qr.ErrWrongType
	}
	return c, nil
}

// pendingOf unpacks a held scan's claims: the scan's second in the high bits of Aux, the check-out
// flag in the lowest.
func pendingOf(c qr.Claims) PendingScan {
	return PendingScan{ActivityID: c.Subject, ScannedAt: time.Unix(c.Aux>>1, 0), CheckOut: c.Aux&1 == 1}
}
