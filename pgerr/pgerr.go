// Package pgerr answers the one question every store of this service asks of a PostgreSQL error:
// did the statement break this named constraint? Stores turn the answer into their own domain
// error (a phone number taken, an idempotency key replayed, an account that exists).
//
// It is a leaf package, importing nothing of this module, and lives beside the ledger rather than
// under pkg/ because the ledger asks it too, and the ledger imports nothing from pkg/.
package pgerr

import (
	"errors"

	"github.com/lib/pq"
)

// The SQLSTATE codes of the integrity violations the stores tell apart.
const (
	UniqueViolation     = "23505"
	ForeignKeyViolation = "23503"
	CheckViolation      = "23514"
	// SerializationFailure and DeadlockDetected end a transaction that PostgreSQL chose to abort
	// so that others could go on: nothing of it was written, and it may be sent again.
	SerializationFailure = "40001"
	DeadlockDetected     = "40P01"
)

// Retryable reports whether err, or an error it wraps, ended its transaction only to break a
// deadlock or a serialization conflict with another: sent again, it may succeed.
func Retryable(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && (pe.Code == SerializationFailure || pe.Code == DeadlockDetected)
}

// Unique reports whether err, or an error it wraps, is a unique violation of the named
// constraint or unique index.
func Unique(err error, constraint string) bool {
	return Violates(err, UniqueViolation, constraint)
}

// ForeignKey reports whether err, or an error it wraps, is a foreign-key violation of the named
// constraint.
func ForeignKey(err error, constraint string) bool {
	return Violates(err, ForeignKeyViolation, constraint)
}

// Violates reports whether err, or an error it wraps, is a violation with the SQLSTATE code of
// the named constraint; an empty code matches a violation of any kind.
func Violates(err error, code, constraint string) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && (code == "" || string(pe.Code) == code) && pe.Constraint == constraint
}
