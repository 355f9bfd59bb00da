// Package problem turns errors into RFC 9457 problem documents: the one place where domain errors
// become HTTP statuses (Classify), and the writer every error answer goes through. It imports no
// handler: a browser's error page is reached through the hook the assembly sets (Writer.Page).
package problem

import (
	"github.com/gofiber/fiber/v2"

	"timebank/pkg/roster"
)

// Problem is an RFC 9457 problem document, the body of every error response.
type Problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail,omitempty"`
	Instance  string            `json:"instance,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Account   string            `json:"account,omitempty"`
	Rows      []roster.RowError `json:"rows,omitempty"`  // the bad rows of an uploaded list
	Lines     []LineProblem     `json:"lines,omitempty"` // the refused lines of a request, all at once
	Errors    []FieldError      `json:"errors,omitempty"`
}

// FieldError says what is wrong with one field of the request.
type FieldError struct {
	Field   string `json:"field"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// LineProblem is one refused line of a request in a problem document: its index in the request's
// lines (as in the paths, lines[2].qty), the item and its name when the store has it, the field at
// fault, and the reason with a message that may carry the line's own figures.
type LineProblem struct {
	Line    int    `json:"line"`
	Item    int64  `json:"item"`
	Name    string `json:"name,omitempty"`
	Field   string `json:"field"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// Error is an error that already knows its problem type and status, raised by handlers for what
// they check themselves (a missing header, a malformed body).
type Error struct {
	Status int
	Slug   string
	Fields []FieldError // Message filled in at render time
	Rows   func(lang string) []roster.RowError
	Lines  func(lang string) []LineProblem
	Detail func(lang string) string
}

func (e *Error) Error() string { return e.Slug }

// BadRequest is a 400 naming the field at fault and why (a reason with a message in the catalogues).
func BadRequest(field, reason string) error {
	return &Error{Status: fiber.StatusBadRequest, Slug: "invalid-request",
		Fields: []FieldError{{Field: field, Reason: reason}}}
}
