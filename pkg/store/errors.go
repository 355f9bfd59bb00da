package store

import (
	"errors"
	"fmt"

	"github.com/lib/pq"

	"timebank/fields"
)

// Errors of the store. The web layer maps each to one problem type. An error about one line of a
// request (an item out of stock, over its limit …) is a *LineError wrapping one of them.
var (
	// ErrInvalid means a request is malformed; it is wrapped by a *fields.Error naming each
	// wrong field.
	ErrInvalid = errors.New("store: invalid request")
	// ErrStoreNotFound means no store has that id.
	ErrStoreNotFound = errors.New("store: store not found")
	// ErrItemNotFound means the store has no item with that id.
	ErrItemNotFound = errors.New("store: item not found")
	// ErrItemExists means the store already has an item with that name.
	ErrItemExists = errors.New("store: an item with that name exists")
	// ErrLotNotFound means the store has no lot with that id.
	ErrLotNotFound = errors.New("store: lot not found")
	// ErrDonationNotFound means the store has no donation with that id.
	ErrDonationNotFound = errors.New("store: donation not found")
	// ErrOrderNotFound means no order has that id.
	ErrOrderNotFound = errors.New("store: order not found")
	// ErrHouseholdNotFound means the store has no household in hardship with that id (a household
	// registered at another store is not found either).
	ErrHouseholdNotFound = errors.New("store: household not found")
	// ErrAidNotFound means the store has no allocation with that id.
	ErrAidNotFound = errors.New("store: allocation not found")
	// ErrHouseholdInactive means the household was deactivated and receives nothing more.
	ErrHouseholdInactive = errors.New("store: household inactive")

	// ErrItemUnavailable means an item is not offered (inactive) at the moment.
	ErrItemUnavailable = errors.New("store: item not available")
	// ErrOutOfStock means not enough of an item is in stock (and within its date) for a line.
	ErrOutOfStock = errors.New("store: out of stock")
	// ErrOverLimit means a line would take the person past the item's limit for the period.
	ErrOverLimit = errors.New("store: over the item's limit")
	// ErrStarsRequired means the item is kept for volunteers with more stars.
	ErrStarsRequired = errors.New("store: more stars required")
	// ErrMinimumHours means the volunteer has less verified service than the store's organization
	// asks before a first redemption (a *MinimumHoursError says how much).
	ErrMinimumHours = errors.New("store: too little verified service for a first redemption")
	// ErrDonationRefused means a donated line fails the condition check (too little shelf life
	// left, past its date, or no date on food).
	ErrDonationRefused = errors.New("store: donation refused")
	// ErrStockReserved means a write-off or count would take a lot below what orders reserved.
	ErrStockReserved = errors.New("store: stock is reserved by orders")

	// ErrOrderFulfilled means the order was already handed out.
	ErrOrderFulfilled = errors.New("store: order already handed out")
	// ErrOrderCancelled means the order was cancelled.
	ErrOrderCancelled = errors.New("store: order cancelled")
	// ErrOrderExpired means the order was not picked up in time.
	ErrOrderExpired = errors.New("store: order expired")
	// ErrWrongStore means a pickup code or order of another store was brought to this counter.
	ErrWrongStore = errors.New("store: order belongs to another store")

	// ErrCodeInvalid means a scanned code is not one of ours (malformed, forged, unknown key) or
	// is of a kind the counter does not take.
	ErrCodeInvalid = errors.New("store: invalid code")
	// ErrCodeExpired means a scanned code's time is over (refresh the code on the phone).
	ErrCodeExpired = errors.New("store: code expired")
	// ErrCodeUsed means a single-use code was used before (a screenshot, or a second scan).
	ErrCodeUsed = errors.New("store: code already used")

	// ErrIdempotencyConflict means the idempotency key was used before for a different request.
	ErrIdempotencyConflict = errors.New("store: idempotency key reused with a different request")
	// ErrHistoryImmutable means something tried to change the stock journal or a resolved order.
	ErrHistoryImmutable = errors.New("store: history is append-only")
)

// MinimumHoursError refuses a first redemption below the organization's minimum of verified service.
type MinimumHoursError struct {
	NeedMinutes, HaveMinutes int64
}

func (e *MinimumHoursError) Error() string {
	return fmt.Sprintf("%v: %d of %d minutes", ErrMinimumHours, e.HaveMinutes, e.NeedMinutes)
}

// Unwrap makes errors.Is(err, ErrMinimumHours) hold.
func (e *MinimumHoursError) Unwrap() error { return ErrMinimumHours }

// invalid refuses a request for one field.
func invalid(field, reason string) error { return fields.New(ErrInvalid, field, reason) }

// dbError turns the constraint violations and trigger refusals of the store's tables into its
// errors. Violations the Go code checks first only surface here when two requests race.
func dbError(err error) error {
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return err
	}
	switch {
	case pe.Code == "TB101":
		return fmt.Errorf("%w: %s", ErrHistoryImmutable, pe.Message)
	case pe.Constraint == "store_items_name_key":
		return ErrItemExists
	case pe.Constraint == "store_lots_on_hand" || pe.Constraint == "store_lots_reserved" ||
		pe.Constraint == "store_movements_on_hand_after" || pe.Constraint == "store_movements_reserved_after":
		return ErrOutOfStock
	case pe.Constraint == "store_items_store_id_fkey" || pe.Constraint == "store_policies_store_id_fkey" ||
		pe.Constraint == "store_orders_store_id_fkey" || pe.Constraint == "store_donations_store_id_fkey" ||
		pe.Constraint == "store_adjustments_store_id_fkey" || pe.Constraint == "store_households_store_id_fkey" ||
		pe.Constraint == "store_household_counters_store_id_fkey":
		return ErrStoreNotFound
	case pe.Constraint == "store_aid_household_fkey":
		return ErrHouseholdNotFound
	case pe.Code == "23514":
		return fmt.Errorf("%w: %s", ErrInvalid, pe.Constraint)
	}
	return err
}
