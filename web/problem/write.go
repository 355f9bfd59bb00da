package problem

import (
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"timebank/fields"
	"timebank/ledger"
	"timebank/web/i18n"
	"timebank/web/observe"
)

// retryAfter is the Retry-After of a 503, in seconds: about how long PostgreSQL takes to restart
// after a backend crash.
const retryAfter = "2"

// Writer answers errors as problem documents in the caller's language.
type Writer struct {
	BaseURL string // the problem types are BaseURL/problems/<slug>
	Msgs    i18n.Messages
	Log     *slog.Logger
	// Page shows a problem to a browser as a page; nil, or an error from it, answers the document
	// instead. The assembly sets it, so that this package does not import the pages.
	Page func(c *fiber.Ctx, p Problem) error
}

// Write answers err as a problem document, or as the error page to a browser. It logs each 5xx
// once, here, with the request id (never the body, which may hold personal data).
func (w *Writer) Write(c *fiber.Ctx, err error) error {
	status, slug := Classify(err)
	lang := w.Msgs.Lang(c)
	p := Problem{
		Type:      w.BaseURL + "/problems/" + slug,
		Title:     w.Msgs.Get(lang, "problem."+slug),
		Status:    status,
		Instance:  observe.SafePath(c.Path()),
		RequestID: observe.RequestID(c),
		Account:   ledger.AccountOf(err),
	}
	var pe *Error
	var fe *fields.Error
	switch {
	case errors.As(err, &pe):
		p.Errors = pe.Fields
		if pe.Rows != nil {
			p.Rows = pe.Rows(lang)
		}
		if pe.Lines != nil {
			p.Lines = pe.Lines(lang)
		}
		if pe.Detail != nil {
			p.Detail = pe.Detail(lang)
		}
	case errors.As(err, &fe):
		p.Errors, p.Lines = w.refusedFields(lang, slug, err, fe)
	}
	for i := range p.Errors {
		p.Errors[i].Message = ReasonMessage(w.Msgs, lang, p.Errors[i].Field, p.Errors[i].Reason)
	}
	if len(p.Errors) > 0 {
		p.Detail = p.Errors[0].Field + ": " + p.Errors[0].Message
	} else if p.Account != "" {
		p.Detail = w.Msgs.Get(lang, "detail.account") + " " + p.Account
	}
	if status == fiber.StatusServiceUnavailable {
		// An outage passes: the client (and the idempotency key it sent) may try again shortly.
		c.Set(fiber.HeaderRetryAfter, retryAfter)
	}
	if status >= 500 {
		w.Log.Error("request failed", "method", c.Method(), "path", observe.SafePath(c.Path()), "request_id", p.RequestID, "err", err)
	}
	if WantsPage(c) && w.Page != nil && w.Page(c, p) == nil {
		return nil // a browser gets the error as a page
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
// the lines' order and lists a refused line with its item as well (StoreLines).
func (w *Writer) refusedFields(lang, slug string, err error, fe *fields.Error) ([]FieldError, []LineProblem) {
	if errs, lines, ok := StoreLines(w.Msgs, lang, slug, err); ok {
		return errs, lines
	}
	out := make([]FieldError, 0, len(fe.Fields()))
	for f, r := range fe.Fields() {
		out = append(out, FieldError{Field: f, Reason: r})
	}
	slices.SortFunc(out, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return out, nil
}

// WantsPage reports whether the request comes from a browser page rather than an API client: not
// under /api/ and accepting HTML.
func WantsPage(c *fiber.Ctx) bool {
	return !strings.HasPrefix(c.Path(), "/api/") && strings.Contains(c.Get(fiber.HeaderAccept), "text/html")
}
