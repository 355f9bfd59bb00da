package ledger

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lib/pq"

	"timebank/fields"
	"timebank/pgerr"
)

// Errors returned by the ledger. Callers test them with errors.Is; the web layer turns each into one
// problem type.
var (
	// ErrInvalid means the request is malformed: it is wrapped by a *fields.Error naming the field.
	ErrInvalid = errors.New("ledger: invalid request")
	// ErrAccountNotFound means an account code names no account.
	ErrAccountNotFound = errors.New("ledger: account not found")
	// ErrAccountExists means an account with that code already exists.
	ErrAccountExists = errors.New("ledger: account already exists")
	// ErrInsufficientFunds means a guarded account's available balance would go below zero.
	ErrInsufficientFunds = errors.New("ledger: insufficient funds")
	// ErrIdempotencyConflict means the idempotency key was already used for a different request.
	ErrIdempotencyConflict = errors.New("ledger: idempotency key reused with a different request")
	// ErrTransactionNotFound means no transaction has that id.
	ErrTransactionNotFound = errors.New("ledger: transaction not found")
	// ErrAlreadyReversed means the transaction has been reversed before (by another request).
	ErrAlreadyReversed = errors.New("ledger: transaction already reversed")
	// ErrNotReversible means the transaction is itself a reversal.
	ErrNotReversible = errors.New("ledger: a reversal cannot be reversed")
	// ErrHoldNotFound means no hold has that id.
	ErrHoldNotFound = errors.New("ledger: hold not found")
	// ErrHoldResolved means the hold was already committed, voided or expired.
	ErrHoldResolved = errors.New("ledger: hold already resolved")
	// ErrHoldExpired means the hold's expiry has passed, so it can no longer be committed.
	ErrHoldExpired = errors.New("ledger: hold expired")
	// ErrHistoryImmutable means something tried to change posted history.
	ErrHistoryImmutable = errors.New("ledger: history is append-only")
)

// AccountError says which account an error is about.
type AccountError struct {
	Err     error
	Account string
}

func (e *AccountError) Error() string { return fmt.Sprintf("%v: %s", e.Err, e.Account) }

// Unwrap returns the sentinel error.
func (e *AccountError) Unwrap() error { return e.Err }

// AccountOf returns the account code an error is about, or "".
func AccountOf(err error) string {
	var ae *AccountError
	if errors.As(err, &ae) {
		return ae.Account
	}
	return ""
}

// invalid refuses a request for one field, in the one shape every area refuses requests with.
func invalid(field, reason string) error { return fields.New(ErrInvalid, field, reason) }

// dbError turns the errors raised by the ledger's SQL functions and constraints into ledger errors.
func dbError(err error) error {
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "TB001":
		return &AccountError{Err: ErrInsufficientFunds, Account: pe.Detail}
	case "TB002":
		return &AccountError{Err: ErrAccountNotFound, Account: pe.Detail}
	case "TB003":
		return ErrIdempotencyConflict
	case "TB004":
		return fmt.Errorf("%w: %s", ErrHoldResolved, pe.Detail)
	case "TB005":
		return ErrHoldExpired
	case "TB007":
		return invalid("amount", "exceeds_hold")
	case "TB008":
		return ErrHoldNotFound
	case "TB009":
		return ErrHistoryImmutable
	case "TB010":
		return ErrBatch
	case pgerr.UniqueViolation:
		switch {
		case pgerr.Unique(err, "ledger_accounts_code_key"):
			return ErrAccountExists
		case pgerr.Unique(err, "ledger_transactions_reverses_once"):
			return ErrAlreadyReversed
		}
	case pgerr.CheckViolation:
		if strings.HasPrefix(pe.Constraint, "ledger_balances_") {
			return ErrInsufficientFunds
		}
		return fmt.Errorf("%w: %s", ErrInvalid, pe.Constraint)
	}
	return err
}
