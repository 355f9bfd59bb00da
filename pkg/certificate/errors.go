package certificate

import "errors"

// Errors of the certificate service. The web layer maps each to one problem type.
var (
	// ErrInvalid means a request is malformed; it is wrapped by a *fields.Error naming each wrong field.
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
