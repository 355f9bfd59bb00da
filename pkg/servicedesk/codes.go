package servicedesk

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/identity"
	"timebank/pkg/txn"
)

// Limits of the one-time codes sent to residents: an SMS costs money and a flood of them is
// harassment, and a code is guessed at most CodeTries times.
const (
	CodeTTL     = 10 * time.Minute
	CodeEvery   = time.Minute
	CodesPerDay = 5
	CodeTries   = 5
)

// The purposes of a code: proving a phone to ask for a service, or confirming a service done.
const (
	purposeCreate  = "create"
	purposeConfirm = "confirm"
)

// SendFunc hands a code to the SMS sender, which the web layer owns (it knows the language).
type SendFunc func(ctx context.Context, phone, code string) error

// RequestCode sends a one-time code to the phone so that its owner can ask the desk for a service.
// Errors: ErrInvalid (phone), ErrCodeTooSoon, send's error.
func (s *Service) RequestCode(ctx context.Context, phone string, send SendFunc) error {
	p, err := identity.NormalizePhone(phone)
	if err != nil {
		return fieldErr("phone", "format")
	}
	return s.issueCode(ctx, p, purposeCreate, 0, send)
}

// RequestConfirmCode sends a one-time code to the phone the request was made with, for the resident
// to confirm the service done. Errors: ErrRequestNotFound, ErrWrongStep, ErrCodeTooSoon, send's error.
func (s *Service) RequestConfirmCode(ctx context.Context, id int64, send SendFunc) error {
	var row struct {
		Status string `db:"status"`
		Phone  []byte `db:"phone_sealed"`
	}
	err := s.db.GetContext(ctx, &row, `SELECT status, phone_sealed FROM service_requests WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrRequestNotFound
	} else if err != nil {
		return err
	}
	if row.Status != StatusFinished {
		return ErrWrongStep
	}
	phone, err := s.box.Open(colPhone, row.Phone)
	if err != nil {
		return err
	}
	return s.issueCode(ctx, phone, purposeConfirm, id, send)
}

func (s *Service) issueCode(ctx context.Context, phone, purpose string, requestID int64, send SendFunc) error {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	index := s.box.Index(colPhone, phone)
	return txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		// One number's codes are counted one at a time.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(encode($1, 'hex'), 7460015))`, index); err != nil {
			return err
		}
		var recent, today int
		err := tx.QueryRowxContext(ctx, `SELECT count(*) FILTER (WHERE created_at > $2::timestamptz - $3::interval),
    count(*) FILTER (WHERE created_at > $2::timestamptz - interval '1 day')
FROM service_request_codes WHERE phone_index = $1`, index, s.now(), CodeEvery.String()).Scan(&recent, &today)
		if err != nil {
			return err
		}
		if recent > 0 || today >= CodesPerDay {
			return ErrCodeTooSoon
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO service_request_codes (phone_index, purpose, request_id, code_hash,
    expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)`, index, purpose, idOrNil(requestID),
			s.codeHash(phone, code), s.now().Add(CodeTTL), s.now()); err != nil {
			return err
		}
		// Sent before the commit: a code that could not be sent is not kept.
		return send(ctx, phone, code)
	})
}

func (s *Service) codeHash(phone, code string) []byte {
	return s.box.Index("service_request_codes.code", phone+":"+code)
}

// useCode spends the phone's latest live code of the purpose if it matches, in a transaction of
// its own, so that a wrong code counts a try even though the request it came with is refused: after
// CodeTries the code is dead. Callers check the rest of their input first.
func (s *Service) useCode(ctx context.Context, phone, purpose string, requestID int64, code string) error {
	wrong := false
	err := txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		var c struct {
			ID    int64  `db:"id"`
			Hash  []byte `db:"code_hash"`
			Tries int    `db:"tries"`
		}
		err := tx.GetContext(ctx, &c, `SELECT id, code_hash, tries FROM service_request_codes
WHERE phone_index = $1 AND purpose = $2 AND request_id IS NOT DISTINCT FROM $3 AND used_at IS NULL AND expires_at > $4
ORDER BY id DESC LIMIT 1 FOR UPDATE`, s.box.Index(colPhone, phone), purpose, idOrNil(requestID), s.now())
		if errors.Is(err, sql.ErrNoRows) {
			return ErrCode
		} else if err != nil {
			return err
		}
		if c.Tries >= CodeTries {
			return ErrCode
		}
		if !hmac.Equal(c.Hash, s.codeHash(phone, code)) {
			wrong = true
			_, err := tx.ExecContext(ctx, `UPDATE service_request_codes SET tries = tries + 1 WHERE id = $1`, c.ID)
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE service_request_codes SET used_at = $2 WHERE id = $1`, c.ID, s.now())
		return err
	})
	if err == nil && wrong {
		return ErrCode
	}
	return err
}

func idOrNil(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
