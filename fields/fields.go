// Package fields is the one shape of a request refused for what its fields hold: each wrong field,
// by its JSON path ("name", "lines[2].qty"), with the key of its reason ("required", "too_long"),
// which the web layer translates. The ledger and every area (identity, org, activity, store …)
// refuse requests with it, so the web layer answers all of them with one case, and an area that
// needs more (the store's refused lines) extends it rather than inventing another.
//
// It is a leaf package, importing nothing of this module, and it lives beside the ledger rather
// than under pkg/: dependencies point cmd → web → pkg/* → ledger, the ledger refuses malformed
// requests with it as well, and the ledger imports nothing from pkg/.
package fields

import (
	"maps"
	"slices"
	"strings"
)

// Error names each wrong field of a request with the key of its reason. It wraps the sentinel of
// the area that refused the request (store.ErrInvalid, ledger.ErrInvalid …), so errors.Is still
// tells whose rule was broken and the status follows from it.
type Error struct {
	err     error
	reasons map[string]string
}

// New returns the Error of one wrong field, wrapping err.
func New(err error, field, reason string) *Error {
	return &Error{err: err, reasons: map[string]string{field: reason}}
}

// Fields returns the field → reason map. The caller must not change it.
func (e *Error) Fields() map[string]string { return e.reasons }

// Reason returns the key of the reason the field is wrong, or "" when it is not.
func (e *Error) Reason(field string) string { return e.reasons[field] }

// Error returns the sentinel's text followed by the fields in order, so that logs read the same
// twice: "store: invalid request; lines[0].qty: range; store: required".
func (e *Error) Error() string {
	var b strings.Builder
	if e.err != nil {
		b.WriteString(e.err.Error())
	}
	for _, f := range slices.Sorted(maps.Keys(e.reasons)) {
		b.WriteString("; " + f + ": " + e.reasons[f])
	}
	return b.String()
}

// Unwrap returns the sentinel, so that errors.Is(err, store.ErrInvalid) holds.
func (e *Error) Unwrap() error { return e.err }

// Set collects the wrong fields of a request while it is checked, field → reason.
type Set map[string]string

// Err returns the collected fields as an *Error wrapping sentinel, or nil when there are none.
// The Error keeps the map: the Set must not be changed afterwards.
func (s Set) Err(sentinel error) error {
	if len(s) == 0 {
		return nil
	}
	return &Error{err: sentinel, reasons: s}
}
