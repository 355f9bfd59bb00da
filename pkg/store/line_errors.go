package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"timebank/fields"
)

// LineError says which line of a request was refused and why: the line's index, its item, the
// field of the line at fault and the key of the reason (see the Reason constants). It wraps the
// sentinel error that decides the status. It extends the one field error: errors.As finds a
// *fields.Error naming its path ("lines[2].qty") and reason, so whatever answers field errors
// answers refused lines too, and what needs the item asks for the *LineError.
type LineError struct {
	Err    error
	Line   int    // index in the request's lines
	Item   int64  // the item's id
	Name   string // the item's name, when known
	Field  string // "item", "qty" or "best_before"
	Reason string
}

// The reasons a line is refused.
const (
	ReasonInactive           = "item_inactive"
	ReasonOutOfStock         = "out_of_stock"
	ReasonOverLimit          = "over_limit"
	ReasonStars              = "stars_required"
	ReasonShelfLife          = "shelf_life_short"
	ReasonPastDate           = "past_best_before"
	ReasonBestBeforeRequired = "best_before_required"
	ReasonReserved           = "stock_reserved"
)

func (e *LineError) Error() string {
	name := e.Name
	if name == "" {
		name = fmt.Sprintf("item %d", e.Item)
	}
	return fmt.Sprintf("%v: line %d (%s): %s", e.Err, e.Line, name, e.Reason)
}

// Unwrap returns the sentinel error.
func (e *LineError) Unwrap() error { return e.Err }

// As gives the line as a *fields.Error wrapping the same sentinel.
func (e *LineError) As(target any) bool {
	fe, ok := target.(**fields.Error)
	if ok {
		*fe = fields.New(e.Err, e.Path(), e.Reason)
	}
	return ok
}

// Path returns the JSON path of the field at fault, "lines[2].qty".
func (e *LineError) Path() string { return fmt.Sprintf("lines[%d].%s", e.Line, e.Field) }

// lineError builds a LineError for the item.
func lineError(err error, line int, it Item, field, reason string) error {
	return &LineError{Err: err, Line: line, Item: it.ID, Name: it.Name, Field: field, Reason: reason}
}

// LineErrors refuses several lines of one request at once, in line order, so that the clerk
// can fix them all before sending it again. Err is the sentinel that decides the status:
// ErrInvalid when a line is malformed (then the request is malformed, whatever else is refused),
// ErrItemNotFound when every refused line names an item the store does not have,
// ErrDonationRefused otherwise. errors.As finds the first line's *LineError, or a *fields.Error
// naming every line.
type LineErrors struct {
	Err   error
	Lines []*LineError
}

func (e *LineErrors) Error() string {
	var b strings.Builder
	b.WriteString(e.Err.Error())
	for _, l := range e.Lines {
		name := l.Name
		if name == "" {
			name = fmt.Sprintf("item %d", l.Item)
		}
		fmt.Fprintf(&b, "; line %d (%s): %s", l.Line, name, l.Reason)
	}
	return b.String()
}

// Unwrap returns the sentinel and then each line's error.
func (e *LineErrors) Unwrap() []error {
	out := []error{e.Err}
	for _, l := range e.Lines {
		out = append(out, l)
	}
	return out
}

// As gives the lines as one *fields.Error wrapping Err.
func (e *LineErrors) As(target any) bool {
	fe, ok := target.(**fields.Error)
	if ok {
		set := fields.Set{}
		for _, l := range e.Lines {
			set[l.Path()] = l.Reason
		}
		*fe, _ = set.Err(e.Err).(*fields.Error)
	}
	return ok && *fe != nil
}

// lineErrors returns the refused lines as a *LineErrors, or nil when there are none.
func lineErrors(lines []*LineError) error {
	if len(lines) == 0 {
		return nil
	}
	slices.SortStableFunc(lines, func(a, b *LineError) int { return a.Line - b.Line })
	err := ErrItemNotFound
	for _, l := range lines {
		if !errors.Is(l.Err, ErrItemNotFound) {
			err = ErrDonationRefused
		}
	}
	return &LineErrors{Err: err, Lines: lines}
}
