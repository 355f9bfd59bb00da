package certificate

import (
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/lib/pq"
)

// Errors of the certificate service. The web layer maps each to one problem type.
var (
	// ErrInvalid means a request is malformed; it is wrapped by a FieldErrors naming each wrong field.
	ErrInvalid = errors.New("certificate: invalid request")
	// ErrOrgNotFound means no organization has that id.
	ErrOrgNotFound = errors.New("certificate: organization not found")
	// ErrUserNotFound means no volunteer has that id.
	ErrUserNotFound = errors.New("certificate: volunteer not found")
	// ErrNothingToCertify means the organization recorded no verified service of the volunteer in the
	// period ("谁记录谁证明": an organization certifies only what it recorded).
	ErrNothingToCertify = errors.New("certificate: no verified service recorded by this organization in the period")
	// ErrRequestNotFound means no certificate request has that id (at that organization).
	ErrRequestNotFound = errors.New("certificate: request not found")
	// ErrRequestOpen means the volunteer already has a request at the organization that is waiting
	// or accepted and not yet issued.
	ErrRequestOpen = errors.New("certificate: a request to this organization is already open")
	// ErrRequestDecided means the request was accepted, refused or issued already.
	ErrRequestDecided = errors.New("certificate: request already decided")
	// ErrRequestNotAccepted means a request is issued only once accepted (not when still waiting,
	// refused or issued already).
	ErrRequestNotAccepted = errors.New("certificate: request not accepted")
	// ErrNotFound means no certificate has that id (at that organization).
	ErrNotFound = errors.New("certificate: certificate not found")
	// ErrNotIssued means the certificate was revoked or superseded already.
	ErrNotIssued = errors.New("certificate: certificate is no longer in force")
	// ErrUnchanged means a replacement would certify exactly what the certificate already does.
	ErrUnchanged = errors.New("certificate: the records have not changed since the certificate was issued")
	// ErrBadToken means a verification code is malformed, signed by no known key, or altered.
	ErrBadToken = errors.New("certificate: verification code not genuine")
	// ErrBadSeal means a seal image is not a PNG image of a sensible size.
	ErrBadSeal = errors.New("certificate: seal must be a PNG image of at most 1 MiB")
)

// FieldErrors maps each wrong field of a request (by its JSON name) to the key of its reason; the
// web layer translates the keys. It wraps ErrInvalid.
type FieldErrors map[string]string

// Error lists the fields and their reasons.
func (f FieldErrors) Error() string {
	var b strings.Builder
	b.WriteString("certificate: invalid request")
	for _, k := range slices.Sorted(maps.Keys(f)) {
		b.WriteString("; " + k + ": " + f[k])
	}
	return b.String()
}

// Fields returns the field → reason map.
func (f FieldErrors) Fields() map[string]string { return f }

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (f FieldErrors) Unwrap() error { return ErrInvalid }

// err returns f as an error, or nil when no field is wrong.
func (f FieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return f
}

// isUnique reports whether err is the violation of the named unique constraint or index.
func isUnique(err error, name string) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "23505" && pe.Constraint == name
}

// invalid is one wrong field.
func invalid(field, reason string) error { return FieldErrors{field: reason} }
