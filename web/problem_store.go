package web

import (
	"context"
	"errors"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/store"
)

// classifyStore maps the errors of the charity supermarket to statuses and problem slugs; status 0
// means the error is none of its own. A refusal about one line of a request (out of stock, over a
// limit …) is a conflict with the state of the store (409), or a request the rules refuse whatever
// the state (422); storeLines adds which line and why.
func classifyStore(err error) (int, string) {
	var les *store.LineErrors
	if errors.As(err, &les) {
		return classifyStore(les.Err) // several lines refused at once: the refusal as a whole decides
	}
	switch {
	case errors.Is(err, store.ErrInvalid):
		return fiber.StatusBadRequest, "invalid-request"
	case errors.Is(err, store.ErrStoreNotFound):
		return fiber.StatusNotFound, "store-not-found"
	case errors.Is(err, store.ErrItemNotFound):
		return fiber.StatusNotFound, "item-not-found"
	case errors.Is(err, store.ErrLotNotFound):
		return fiber.StatusNotFound, "lot-not-found"
	case errors.Is(err, store.ErrDonationNotFound):
		return fiber.StatusNotFound, "donation-not-found"
	case errors.Is(err, store.ErrOrderNotFound):
		return fiber.StatusNotFound, "order-not-found"
	case errors.Is(err, store.ErrHouseholdNotFound):
		return fiber.StatusNotFound, "household-not-found"
	case errors.Is(err, store.ErrAidNotFound):
		return fiber.StatusNotFound, "aid-not-found"
	case errors.Is(err, store.ErrHouseholdInactive):
		return fiber.StatusConflict, "household-inactive"
	case errors.Is(err, store.ErrPhotoNotFound):
		return fiber.StatusNotFound, "photo-not-found"
	case errors.Is(err, store.ErrPhotoTooLarge):
		return fiber.StatusRequestEntityTooLarge, "photo-too-large"
	case errors.Is(err, store.ErrPhotoType):
		return fiber.StatusUnsupportedMediaType, "photo-type"
	case errors.Is(err, store.ErrPhotoInvalid):
		return fiber.StatusUnprocessableEntity, "photo-invalid"
	case errors.Is(err, store.ErrItemExists):
		return fiber.StatusConflict, "item-exists"
	case errors.Is(err, store.ErrItemUnavailable):
		return fiber.StatusConflict, "item-unavailable"
	case errors.Is(err, store.ErrOutOfStock):
		return fiber.StatusConflict, "out-of-stock"
	case errors.Is(err, store.ErrOverLimit):
		return fiber.StatusConflict, "over-limit"
	case errors.Is(err, store.ErrStockReserved):
		return fiber.StatusConflict, "stock-reserved"
	case errors.Is(err, store.ErrStarsRequired):
		return fiber.StatusUnprocessableEntity, "stars-required"
	case errors.Is(err, store.ErrDonationRefused):
		return fiber.StatusUnprocessableEntity, "donation-refused"
	case errors.Is(err, store.ErrOrderFulfilled):
		return fiber.StatusConflict, "order-fulfilled"
	case errors.Is(err, store.ErrOrderCancelled):
		return fiber.StatusConflict, "order-cancelled"
	case errors.Is(err, store.ErrOrderExpired):
		return fiber.StatusConflict, "order-expired"
	case errors.Is(err, store.ErrWrongStore):
		return fiber.StatusConflict, "wrong-store"
	case errors.Is(err, store.ErrCodeInvalid):
		return fiber.StatusUnprocessableEntity, "code-invalid"
	case errors.Is(err, store.ErrCodeExpired):
		return fiber.StatusConflict, "code-expired"
	case errors.Is(err, store.ErrCodeUsed):
		return fiber.StatusConflict, "code-used"
	case errors.Is(err, store.ErrIdempotencyConflict):
		return fiber.StatusConflict, "idempotency-conflict"
	case errors.Is(err, store.ErrHistoryImmutable):
		return fiber.StatusConflict, "history-immutable"
	}
	return 0, ""
}

// storeLines gives the refusal of lines of a request (out of stock, over a limit, a malformed
// quantity …) in the lines' order, so that the problem document says which line (lines[2].qty) and
// why (reason out_of_stock, with its message), and a page can show it beside the line. A single
// refused line is also listed in lines with its item's name, so the message says which goods; a
// donation lists each of several lines with messages of its own (donationProblem). ok is false for
// an error that refuses no line.
func (s *server) storeLines(lang, slug string, err error) (errs []FieldError, lines []LineProblem, ok bool) {
	var les *store.LineErrors
	if errors.As(err, &les) {
		for _, le := range les.Lines {
			errs = append(errs, FieldError{Field: le.Path(), Reason: le.Reason})
		}
		return errs, nil, true
	}
	var le *store.LineError
	if !errors.As(err, &le) {
		return nil, nil, false
	}
	return []FieldError{{Field: le.Path(), Reason: le.Reason}},
		[]LineProblem{{Line: le.Line, Item: le.Item, Name: le.Name, Field: le.Field, Reason: le.Reason,
			Message: s.lineMessage(lang, le.Reason, slug)}}, true
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

// donationProblem answers a refused donation: a refusal of several lines lists each line with its
// item's name and a message that says, for food with too little shelf life left, its best-before
// date and the share the store's policy asks for. Other errors pass unchanged to the error handler.
func (s *server) donationProblem(ctx context.Context, storeID int64, n store.NewDonation, err error) error {
	var les *store.LineErrors
	if !errors.As(err, &les) {
		return err
	}
	p, perr := s.store.Policy(ctx, storeID)
	if perr != nil {
		return perr
	}
	status, slug := classifyStore(err)
	pe := &problemError{status: status, slug: slug}
	pe.fields, _, _ = s.storeLines("", slug, err)
	pe.lines = func(lang string) []LineProblem {
		out := make([]LineProblem, len(les.Lines))
		for i, le := range les.Lines {
			out[i] = LineProblem{Line: le.Line, Item: le.Item, Name: le.Name, Field: le.Field, Reason: le.Reason,
				Message: s.donationLineMessage(lang, le, n.Lines, p, slug)}
		}
		return out
	}
	return pe
}
