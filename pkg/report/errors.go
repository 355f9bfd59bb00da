package report

import "errors"

// Errors of the report service.
var (
	// ErrInvalid means the period is not two dates, or ends before it starts, or is too long
	// (*fields.Error says which).
	ErrInvalid = errors.New("report: invalid period")
)
