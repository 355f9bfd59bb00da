package identity

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/audit"
	"timebank/pkg/txn"
)

// Password reset codes.
const (
	// ResetTTL is how long a code the staff issued lasts: the person may go home first.
	ResetTTL = 24 * time.Hour
	// SMSResetTTL is how long a code sent by SMS lasts.
	SMSResetTTL = 10 * time.Minute
	// SMSResetEvery and SMSResetPerDay limit the codes sent to one person, whoever asks: an SMS
	// costs money and a flood of them is harassment.
	SMSResetEvery  = time.Minute
	SMSResetPerDay = 5
	// maxResetTries is how many wrong codes void the person's codes.
	maxResetTries = 5
)

// Reset channels.
const (
	ResetByStaff = "staff"
	ResetBySMS   = "sms"
)

// Errors of password resets.
var (
	// ErrResetCode means the phone number and code do not match a usable code: wrong, expired,
	// used, voided, or an unknown number. It does not say which.
	ErrResetCode = errors.New("identity: wrong or expired reset code")
	// ErrResetTooSoon means an SMS code was sent to the person within SMSResetEvery, or
	// SMSResetPerDay were sent today. The caller must answer as if a code had been sent.
	ErrResetTooSoon = errors.New("identity: a reset code was sent too recently")
	// ErrNotMember means the person holds no role in the organization whose staff asks to reset
	// their password: staff reset the passwords of their own organization's people only.
	ErrNotMember = errors.New("identity: the person is not a member of the organization")
	// ErrResetAbove means the person holds a role that the staff member asking may not manage (an
	// admin's, or a role elsewhere): a reset code would hand that role over. Someone who manages
	// all of the person's roles must issue it.
	ErrResetAbove = errors.New("identity: the person holds a role the caller may not manage")
)

// staffAlphabet has no 0/O, 1/I/L, so a code read aloud or copied from paper is typed right.
const staffAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newResetCode returns a code of the channel: eight letters and digits in two groups for the
// staff's ("K7M2-9XQ4", 39 bits), six digits for an SMS.
func newResetCode(channel string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	if channel == ResetBySMS {
		n := (uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])) % 1_000_000
		return strconv.FormatUint(1_000_000+n, 10)[1:]
	}
	var sb strings.Builder
	for i, c := range b {
		if i == 4 {
			sb.WriteByte('-')
		}
		sb.WriteByte(staffAlphabet[int(c)%len(staffAlphabet)])
	}
	return sb.String()
}

// normalizeResetCode reads a code as typed: spaces and dashes dropped, letters upper-cased.
func normalizeResetCode(code string) string {
	code = strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\u3000", "").Replace(code))
	if len(code) == 8 {
		return code[:4] + "-" + code[4:]
	}
	return code
}

// resetHash keys the code with the person: a stolen table gives neither the codes nor a way to
// test guesses offline.
func (u *Users) resetHash(userID int64, code string) []byte {
	m := hmac.New(sha256.New, u.idKey)
	m.Write([]byte("password-reset\x00" + strconv.FormatInt(userID, 10) + "\x00" + code))
	return m.Sum(nil)
}

// IssueReset makes a one-time reset code for the person, for an organization's admin or
// coordinator who has checked them in person (whether they may is the caller's decision). The code
// is returned once and lasts ResetTTL; the person's earlier codes are voided. The issue is audited,
// without the code.
// Errors: ErrUserNotFound.
func (u *Users) IssueReset(ctx context.Context, ch Change, orgID, userID int64) (string, time.Time, error) {
	code := newResetCode(ResetByStaff)
	var expires time.Time
	err := txn.Run(ctx, u.db, func(tx *sqlx.Tx) error {
		var err error
		expires, err = u.addReset(ctx, tx, userID, ResetByStaff, code, ch.Actor.Label(), ResetTTL)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: ch.Actor.Label(), Action: "user.reset_issue", Target: "user:" + itoa(userID),
			OrgID: orgID, RequestID: ch.RequestID, After: map[string]any{"expires_at": expires}})
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return code, expires, nil
}

// RequestSMSReset makes an SMS code for the phone number when it belongs to a registered person
// and hands it to send. An unknown number is not an error: the caller answers the same either way,
// so that the answer never tells whether a number is registered.
// Errors: ErrResetTooSoon, and send's error.
func (u *Users) RequestSMSReset(ctx context.Context, phone string, send func(ctx context.Context, phone, code string) error) error {
	p, err := NormalizePhone(phone)
	if err != nil {
		return nil
	}
	user, err := u.ByPhone(ctx, p)
	if errors.Is(err, ErrUserNotFound) || err == nil && user.PasswordHash == unusablePassword {
		return nil
	} else if err != nil {
		return err
	}
	code := newResetCode(ResetBySMS)
	err = txn.Run(ctx, u.db, func(tx *sqlx.Tx) error {
		// The person's row is locked, so two requests at once count each other.
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, user.ID); err != nil {
			return err
		}
		var last, today int
		err := tx.QueryRowxContext(ctx, `SELECT count(*) FILTER (WHERE created_at > now() - $2::interval),
       count(*) FILTER (WHERE created_at > now() - interval '1 day')
FROM password_resets WHERE user_id = $1 AND channel = 'sms'`, user.ID, SMSResetEvery.String()).Scan(&last, &today)
		if err != nil {
			return err
		}
		if last > 0 || today >= SMSResetPerDay {
			return ErrResetTooSoon
		}
		_, err = u.addReset(ctx, tx, user.ID, ResetBySMS, code, "sms", SMSResetTTL)
		return err
	})
	if err != nil {
		return err
	}
	return send(ctx, user.Phone, code)
}

// addReset voids the person's usable codes and adds one, returning its expiry.
func (u *Users) addReset(ctx context.Context, tx *sqlx.Tx, userID int64, channel, code, by string, ttl time.Duration) (time.Time, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE password_resets SET voided_at = now()
WHERE user_id = $1 AND used_at IS NULL AND voided_at IS NULL`, userID); err != nil {
		return time.Time{}, err
	}
	var expires time.Time
	err := tx.GetContext(ctx, &expires, `INSERT INTO password_resets (user_id, channel, code_hash, created_by, expires_at)
SELECT id, $2, $3, $4, now() + $5::interval FROM users WHERE id = $1 RETURNING expires_at`,
		userID, channel, u.resetHash(userID, code), by, ttl.String())
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, ErrUserNotFound
	}
	return expires, err
}

// ResetPassword sets a new password with a reset code, uses the code and voids the person's other
// codes, and returns the person (the caller then ends their other sessions). A wrong code counts
// against every usable code of the person; maxResetTries void them. A new password that is too
// weak leaves the code usable.
// Errors: ErrResetCode, ErrInvalid (*fields.Error: new_password).
func (u *Users) ResetPassword(ctx context.Context, phone, code, next string) (User, error) {
	p, err := NormalizePhone(phone)
	if err != nil {
		return User{}, ErrResetCode
	}
	user, err := u.ByPhone(ctx, p)
	if errors.Is(err, ErrUserNotFound) {
		return User{}, ErrResetCode
	} else if err != nil {
		return User{}, err
	}
	hash := u.resetHash(user.ID, normalizeResetCode(code))
	var used int64
	err = txn.Run(ctx, u.db, func(tx *sqlx.Tx) error {
		var active []struct {
			ID   int64  `db:"id"`
			Hash []byte `db:"code_hash"`
		}
		err := tx.SelectContext(ctx, &active, `SELECT id, code_hash FROM password_resets
WHERE user_id = $1 AND used_at IS NULL AND voided_at IS NULL AND expires_at > now() FOR UPDATE`, user.ID)
		if err != nil {
			return err
		}
		for _, a := range active {
			if hmac.Equal(a.Hash, hash) {
				used = a.ID
			}
		}
		if used == 0 {
			_, err := tx.ExecContext(ctx, `UPDATE password_resets SET tries = tries + 1,
    voided_at = CASE WHEN tries + 1 >= $2 THEN now() END
WHERE user_id = $1 AND used_at IS NULL AND voided_at IS NULL AND expires_at > now()`, user.ID, maxResetTries)
			return err
		}
		if err := ValidatePassword(next, user.Phone); err != nil {
			return invalid("new_password", passwordReason(err))
		}
		pw, err := HashPassword(next)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1`,
			user.ID, pw); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE password_resets SET used_at = CASE WHEN id = $2 THEN now() END,
    voided_at = CASE WHEN id <> $2 THEN now() END
WHERE user_id = $1 AND used_at IS NULL AND voided_at IS NULL`, user.ID, used); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: "user:" + itoa(user.ID), Action: "user.password_reset",
			Target: "user:" + itoa(user.ID)})
	})
	if err != nil {
		return User{}, err
	}
	if used == 0 {
		return User{}, ErrResetCode
	}
	return user, nil
}
