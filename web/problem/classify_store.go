package problem

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/store"
)

// ClassifyStore maps the errors of the charity supermarket to statuses and problem slugs; status 0
// means the error is none of its own. A refusal about one line of a request (out of stock, over a
// limit …) is a conflict with the state of the store (409), or a request the rules refuse whatever
// the state (422); storeLines adds which line and why.
func ClassifyStore(err error) (int, string) {
	var les *store.LineErrors
	if errors.As(err, &les) {
		return ClassifyStore(les.Err) // several lines refused at once: the refusal as a whole decides
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
	case errors.Is(err, store.ErrMinimumHours):
		return fiber.StatusUnprocessableEntity, "minimum-hours"
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
