package identity

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Registering a number takes a code sent to it by SMS, so that registration tells no one but the
// number's holder whether it is registered: every request for a code gets the same answer, the
// code goes to the number, and a number already registered is sent a notice instead (someone tried
// to register it; sign in or reset the password). The code is not stored: it is a keyed hash of
// the number and of the ten minutes it was asked in, so that it lasts from 10 to 20 minutes and
// costs no table; wrong codes are limited per address and per number by the caller.

// RegistrationCodeTTL is the stretch of time a registration code belongs to; a code is accepted in
// its own stretch and the next.
const RegistrationCodeTTL = 10 * time.Minute

// ErrRegistrationCode means the code is not the number's: wrong, too old, or never sent (a number
// already registered is sent no code). It does not say which.
var ErrRegistrationCode = errors.New("identity: wrong or expired registration code")

// registrationCode is the number's code of the stretch of time n.
func (u *Users) registrationCode(phone string, n int64) string {
	m := hmac.New(sha256.New, u.idKey)
	m.Write([]byte("registration\x00" + phone + "\x00" + strconv.FormatInt(n, 10)))
	return fmt.Sprintf("%06d", binary.BigEndian.Uint32(m.Sum(nil))%1_000_000)
}

// stretch is the number of the stretch of time holding t.
func stretch(t time.Time) int64 { return t.Unix() / int64(RegistrationCodeTTL/time.Second) }

// RegistrationCode returns the code that proves, at time at, that whoever gives it holds the phone
// number (normalised): the code an SMS carries.
func (u *Users) RegistrationCode(phone string, at time.Time) string {
	return u.registrationCode(phone, stretch(at))
}

// CheckRegistrationCode reports whether code is the number's code of now's stretch of time or of
// the one before.
// Errors: ErrRegistrationCode.
func (u *Users) CheckRegistrationCode(phone, code string, now time.Time) error {
	p, err := NormalizePhone(phone)
	if err != nil {
		return ErrRegistrationCode
	}
	code = strings.TrimSpace(code)
	ok := false
	for _, n := range []int64{stretch(now), stretch(now) - 1} {
		// Both are compared, in constant time, so that the answer takes as long either way.
		ok = hmac.Equal([]byte(code), []byte(u.registrationCode(p, n))) || ok
	}
	if !ok {
		return ErrRegistrationCode
	}
	return nil
}

// Registered reports whether someone registered the number (normalised) with a password: a
// volunteer an organization imported and who has not registered yet is not, and may register it.
func (u *Users) Registered(ctx context.Context, phone string) (bool, error) {
	user, err := u.ByPhone(ctx, phone)
	if errors.Is(err, ErrUserNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return user.PasswordHash != unusablePassword, nil
}
