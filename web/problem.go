package web

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pkg/outage"
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

// problemError is an error that already knows its problem type and status, raised by handlers for
// what they check themselves (a missing header, a malformed body).
type problemError struct {
	status int
	slug   string
	fields []FieldError // Message filled in at render time
	rows   func(lang string) []roster.RowError
	lines  func(lang string) []LineProblem
	detail func(lang string) string
}

func (e *problemError) Error() string { return e.slug }

func badRequest(field, reason string) error {
	return &problemError{status: fiber.StatusBadRequest, slug: "invalid-request",
		fields: []FieldError{{Field: field, Reason: reason}}}
}

// classify maps an error to its status and problem slug. It is the one place where domain errors
// become HTTP statuses.
func classify(err error) (int, string) {
	var pe *problemError
	var fe *fiber.Error
	switch {
	case errors.As(err, &pe):
		return pe.status, pe.slug
	case outage.Is(err):
		return fiber.StatusServiceUnavailable, "unavailable"
	case errors.Is(err, ledger.ErrInvalid):
		return fiber.StatusBadRequest, "invalid-request"
	case errors.Is(err, ledger.ErrAccountNotFound):
		return fiber.StatusNotFound, "account-not-found"
	case errors.Is(err, ledger.ErrTransactionNotFound):
		return fiber.StatusNotFound, "transaction-not-found"
	case errors.Is(err, ledger.ErrHoldNotFound):
		return fiber.StatusNotFound, "hold-not-found"
	case errors.Is(err, ledger.ErrAccountExists):
		return fiber.StatusConflict, "account-exists"
	case errors.Is(err, ledger.ErrIdempotencyConflict):
		return fiber.StatusConflict, "idempotency-conflict"
	case errors.Is(err, ledger.ErrAlreadyReversed):
		return fiber.StatusConflict, "already-reversed"
	case errors.Is(err, ledger.ErrNotReversible):
		return fiber.StatusConflict, "not-reversible"
	case errors.Is(err, ledger.ErrHoldResolved):
		return fiber.StatusConflict, "hold-resolved"
	case errors.Is(err, ledger.ErrHoldExpired):
		return fiber.StatusConflict, "hold-expired"
	case errors.Is(err, ledger.ErrInsufficientFunds):
		return fiber.StatusUnprocessableEntity, "insufficient-funds"
	case errors.Is(err, ledger.ErrHistoryImmutable):
		return fiber.StatusConflict, "history-immutable"
	case errors.As(err, &fe):
		return fe.Code, fiberSlug(fe.Code)
	}
	if status, slug := classifyPeople(err); status != 0 {
		return status, slug
	}
	if status, slug := classifyActivity(err); status != 0 {
		return status, slug
	}
	if status, slug := classifyStore(err); status != 0 {
		return status, slug
	}
	if errors.As(err, new(*fields.Error)) {
		return fiber.StatusBadRequest, "invalid-request" // a field error whose sentinel no area's list names
	}
	return fiber.StatusInternalServerError, "internal"
}

func fiberSlug(code int) string {
	switch code {
	case fiber.StatusNotFound:
		return "not-found"
	case fiber.StatusMethodNotAllowed:
		return "method-not-allowed"
	case fiber.StatusRequestEntityTooLarge, fiber.StatusRequestHeaderFieldsTooLarge:
		return "too-large"
	case fiber.StatusUnauthorized:
		return "unauthorized"
	case fiber.StatusForbidden:
		return "forbidden"
	case fiber.StatusTooManyRequests:
		return "rate-limited"
	case fiber.StatusServiceUnavailable:
		return "unavailable"
	}
	if code >= 500 {
		return "internal"
	}
	return "invalid-request"
}

// errorHandler renders every error as application/problem+json in the caller's language and logs
// each 5xx once, here, with the request id (never the body, which may hold personal data). Fiber
// also calls it for a request the HTTP server refused while reading it: that one has not been
// through the middleware and has no request id yet.
func (s *server) errorHandler(c *fiber.Ctx, err error) error {
	if requestID(c) == "" {
		return s.refused(c, err)
	}
	return s.writeProblem(c, err)
}

// retryAfter is the Retry-After of a 503, in seconds: about how long PostgreSQL takes to restart
// after a backend crash.
const retryAfter = "2"

// writeProblem answers err as a problem document, or as the error page to a browser.
func (s *server) writeProblem(c *fiber.Ctx, err error) error {
	status, slug := classify(err)
	lang := s.msgs.Lang(c)
	p := Problem{
		Type:      s.cfg.BaseURL + "/problems/" + slug,
		Title:     s.msgs.Get(lang, "problem."+slug),
		Status:    status,
		Instance:  c.Path(),
		RequestID: requestID(c),
		Account:   ledger.AccountOf(err),
	}
	var pe *problemError
	var fe *fields.Error
	switch {
	case errors.As(err, &pe):
		p.Errors = pe.fields
		if pe.rows != nil {
			p.Rows = pe.rows(lang)
		}
		if pe.lines != nil {
			p.Lines = pe.lines(lang)
		}
		if pe.detail != nil {
			p.Detail = pe.detail(lang)
		}
	case errors.As(err, &fe):
		p.Errors, p.Lines = s.refusedFields(lang, slug, err, fe)
	}
	for i := range p.Errors {
		p.Errors[i].Message = s.msgs.Get(lang, "reason."+p.Errors[i].Reason)
	}
	if len(p.Errors) > 0 {
		p.Detail = p.Errors[0].Field + ": " + p.Errors[0].Message
	} else if p.Account != "" {
		p.Detail = s.msgs.Get(lang, "detail.account") + " " + p.Account
	}
	if status == fiber.StatusServiceUnavailable {
		// An outage passes: the client (and the idempotency key it sent) may try again shortly.
		c.Set(fiber.HeaderRetryAfter, retryAfter)
	}
	if status >= 500 {
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "request_id", p.RequestID, "err", err)
	}
	if wantsPage(c) && s.errorPage(c, p) == nil {
		return nil // a browser gets the error as a page (pages_error.go)
	}
	body, _ := json.Marshal(p)
	c.Set(fiber.HeaderContentType, "application/problem+json")
	if strings.HasPrefix(lang, "zh") {
		c.Set(fiber.HeaderContentLanguage, "zh-CN")
	} else {
		c.Set(fiber.HeaderContentLanguage, "en")
	}
	return c.Status(status).Send(body)
}

// refusedFields lists the wrong fields of a refused request, sorted by field, with their reasons
// (their messages are filled in by the caller). A refusal of lines of the store's requests keeps
// the lines' order and lists a refused line with its item as well (storeLines).
func (s *server) refusedFields(lang, slug string, err error, fe *fields.Error) ([]FieldError, []LineProblem) {
	if errs, lines, ok := s.storeLines(lang, slug, err); ok {
		return errs, lines
	}
	out := make([]FieldError, 0, len(fe.Fields()))
	for f, r := range fe.Fields() {
		out = append(out, FieldError{Field: f, Reason: r})
	}
	slices.SortFunc(out, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return out, nil
}
