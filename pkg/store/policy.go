package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/pkg/audit"
	"timebank/pkg/prepared"
	"timebank/pkg/principal"
)

// Policy is a store's rules. No national rule fixes these numbers; DefaultPolicy gives the usual
// ones (DOMAIN.md, "Charity supermarkets"). The JSON names are the field names Validate reports.
type Policy struct {
	// MinShelfLifePercent and MinShelfLifeDays decide which donated food is accepted: food whose
	// remaining shelf life is at least this share of its whole shelf life (when the production date
	// is known), or at least this many days, whichever is easier to meet. Food with less is
	// refused: a charity supermarket must not become a place to dump goods about to expire.
	MinShelfLifePercent int `json:"min_shelf_life_percent"`
	MinShelfLifeDays    int `json:"min_shelf_life_days"`
	// PickupHours is how long an online order waits for pickup before it expires and its stock and
	// credits are released. Its pickup code is valid as long.
	PickupHours int `json:"pickup_hours"`
	// NearExpiryDays is how close to its best-before date a lot is flagged in the warnings.
	NearExpiryDays int `json:"near_expiry_days"`
}

// DefaultPolicy returns the usual rules: food needs 60% of its shelf life or six months left,
// orders wait three days for pickup, lots are flagged two weeks before their date.
func DefaultPolicy() Policy {
	return Policy{MinShelfLifePercent: 60, MinShelfLifeDays: 183, PickupHours: 72, NearExpiryDays: 14}
}

// Validate checks that every number is in a range a real store could want.
// Errors: ErrInvalid (*fields.Error).
func (p Policy) Validate() error {
	bad := fields.Set{}
	if p.MinShelfLifePercent < 0 || p.MinShelfLifePercent > 100 {
		bad["min_shelf_life_percent"] = "range"
	}
	if p.MinShelfLifeDays < 0 || p.MinShelfLifeDays > 3650 {
		bad["min_shelf_life_days"] = "range"
	}
	if p.PickupHours < 1 || p.PickupHours > 30*24 {
		bad["pickup_hours"] = "range"
	}
	if p.NearExpiryDays < 0 || p.NearExpiryDays > 365 {
		bad["near_expiry_days"] = "range"
	}
	return bad.Err(ErrInvalid)
}

// ShelfLifeOK reports whether food with the best-before date (and production date, zero when
// unknown) has enough shelf life left on the day today (dates in China Standard Time; only their
// calendar day counts).
func (p Policy) ShelfLifeOK(today, bestBefore, producedOn time.Time) bool {
	left := daysBetween(today, bestBefore)
	if left < 0 {
		return false
	}
	if left >= p.MinShelfLifeDays {
		return true
	}
	if producedOn.IsZero() {
		return false
	}
	whole := daysBetween(producedOn, bestBefore)
	// left/whole ≥ percent/100, in integers.
	return whole > 0 && left*100 >= whole*p.MinShelfLifePercent
}

// pickupWindow is how long an order waits for pickup.
func (p Policy) pickupWindow() time.Duration { return time.Duration(p.PickupHours) * time.Hour }

// Policy returns the store's rules, the defaults if the store has set none.
// Errors: ErrStoreNotFound.
func (s *Service) Policy(ctx context.Context, storeID int64) (Policy, error) {
	if _, err := s.storeInfo(ctx, s.db, storeID); err != nil {
		return Policy{}, err
	}
	return s.policy(ctx, s.db, storeID)
}

func (s *Service) policy(ctx context.Context, q prepared.Queryer, storeID int64) (Policy, error) {
	var raw []byte
	err := s.st.Get(ctx, q, &raw, `SELECT policy FROM store_policies WHERE store_id = $1`, storeID)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultPolicy(), nil
	} else if err != nil {
		return Policy{}, err
	}
	return parsePolicy(raw)
}

// parsePolicy reads a store's rules as stored, over the defaults.
func parsePolicy(raw []byte) (Policy, error) {
	p := DefaultPolicy()
	if raw == nil {
		return p, nil
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// SetPolicy replaces the store's rules, with an audit entry.
// Errors: ErrInvalid (*fields.Error), ErrStoreNotFound.
func (s *Service) SetPolicy(ctx context.Context, actor *principal.Principal, storeID int64, p Policy) (Policy, error) {
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		before, err := s.policy(ctx, tx, storeID)
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(p)
		_, err = tx.ExecContext(ctx, `
INSERT INTO store_policies (store_id, policy, updated_by) VALUES ($1, $2, $3)
ON CONFLICT (store_id) DO UPDATE SET policy = EXCLUDED.policy, updated_by = EXCLUDED.updated_by, updated_at = now()`,
			storeID, raw, actor.Label())
		if err != nil {
			return dbError(err)
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor.Label(), Action: "store.policy",
			Target: ref("store", storeID), StoreID: storeID, Before: before, After: p})
	})
	if err != nil {
		return Policy{}, err
	}
	return p, nil
}
