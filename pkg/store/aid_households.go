package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"unicode"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/pgerr"
	"timebank/pkg/audit"
	"timebank/pkg/identity"
	"timebank/pkg/principal"
)

// The tiers of hardship a household may be registered under.
const (
	TierDibao    = "dibao"    // 低保: on the minimum living allowance
	TierTekun    = "tekun"    // 特困: supported in extreme poverty
	TierBianyuan = "bianyuan" // 边缘户: at the edge of the allowance
)

// Tiers are the tiers, in the order forms list them.
var Tiers = []string{TierDibao, TierTekun, TierBianyuan}

// NewHousehold is what a store manager registers for a household in hardship. Name and Phone are
// the contact's as typed: they are masked here and only the masked forms are kept (the full ones
// are never stored or logged). Consent says the person's written consent to the store keeping
// this was obtained; without it nothing is registered.
type NewHousehold struct {
	Tier    string `json:"tier"`
	Name    string `json:"name"`
	Phone   string `json:"phone,omitempty"`
	Note    string `json:"note,omitempty"`
	Consent bool   `json:"consent"`
}

// validate checks the request and replaces its name and phone by their masked forms.
func (n *NewHousehold) validate() error {
	bad := fields.Set{}
	var reason string
	switch n.Tier {
	case TierDibao, TierTekun, TierBianyuan:
	case "":
		bad["tier"] = "required"
	default:
		bad["tier"] = "unknown"
	}
	if n.Name, reason = (fields.Text{Max: 50, Required: true}).Clean(n.Name); reason != "" {
		bad["name"] = reason
		n.Name = ""
	} else if containsStar(n.Name) {
		bad["name"] = "format" // a star would pass for a masked character
	}
	n.Name = MaskHouseholdName(n.Name)
	if n.Phone != "" {
		p, err := identity.NormalizePhone(n.Phone)
		if err != nil {
			bad["phone"] = "phone_invalid"
			n.Phone = ""
		} else {
			n.Phone = identity.MaskPhone(p)
		}
	}
	if n.Note, reason = (fields.Text{Max: 200}).Clean(n.Note); reason != "" {
		bad["note"] = reason
	}
	if !n.Consent {
		bad["consent"] = "consent_required"
	}
	return bad.Err(ErrInvalid)
}

func containsStar(s string) bool {
	for _, r := range s {
		if r == '*' || r == '＊' {
			return true
		}
	}
	return false
}

// MaskHouseholdName keeps the first and last characters of a name and hides the rest: 王小芳
// becomes 王*芳, 欧阳小芳 欧**芳, and a two-character name shows its first only, 李四 → 李*. Spaces
// are dropped first; a one-character name is kept as it is.
func MaskHouseholdName(name string) string {
	var r []rune
	for _, c := range name {
		if !unicode.IsSpace(c) {
			r = append(r, c)
		}
	}
	switch len(r) {
	case 0, 1:
		return string(r)
	case 2:
		return string(r[0]) + "*"
	}
	out := []rune{r[0]}
	for range r[1 : len(r)-1] {
		out = append(out, '*')
	}
	return string(append(out, r[len(r)-1]))
}

// HouseholdNo formats a household's number in its store's series: 7 → "0007".
func HouseholdNo(n int) string { return fmt.Sprintf("%04d", n) }

// Household is a registered household in hardship as the store keeps it: masked, with its consent.
type Household struct {
	ID          int64      `db:"id" json:"id"`
	StoreID     int64      `db:"store_id" json:"store_id"`
	Number      int        `db:"number" json:"number"` // in the store's series: shown as 困难户 0007
	Tier        string     `db:"tier" json:"tier"`
	NameMasked  string     `db:"name_masked" json:"name_masked"`
	PhoneMasked string     `db:"phone_masked" json:"phone_masked,omitempty"`
	Note        string     `db:"note" json:"note,omitempty"`
	Active      bool       `db:"active" json:"active"`
	ConsentBy   string     `db:"consent_by" json:"consent_by"`
	ConsentAt   time.Time  `db:"consent_at" json:"consent_at"`
	CreatedBy   string     `db:"created_by" json:"created_by"`
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
	LastAidAt   *time.Time `db:"last_aid_at" json:"last_aid_at,omitempty"`
	// Replayed says the request repeated an earlier one with the same idempotency key.
	Replayed bool `db:"-" json:"-"`
}

// No is the household's number as shown: "0007".
func (h Household) No() string { return HouseholdNo(h.Number) }

const householdQuery = `
SELECT h.id, h.store_id, h.number, h.tier, h.name_masked, coalesce(h.phone_masked, '') AS phone_masked, h.note,
       h.active, h.consent_by, h.consent_at, h.created_by, h.created_at,
       (SELECT max(a.created_at) FROM store_aid a WHERE a.household_id = h.id) AS last_aid_at
FROM store_households h`

// RegisterHousehold registers a household in hardship at the store under the next number of the
// store's series, with the actor as who obtained the consent, and an audit entry that names the
// household only by its id and number (never its tier or name). key, when not empty, is the
// caller's idempotency key, unique per store: the same key with the same registration returns the
// household registered first (Replayed set), with a different one it is a conflict.
// Errors: ErrInvalid (*fields.Error: consent "consent_required", name, phone, tier, note,
// idempotency_key), ErrStoreNotFound, ErrIdempotencyConflict.
func (s *Service) RegisterHousehold(ctx context.Context, actor *principal.Principal, storeID int64, key string, n NewHousehold) (Household, error) {
	if err := needActor(actor); err != nil {
		return Household{}, err
	}
	if key != "" {
		if err := checkKey(key); err != nil {
			return Household{}, err
		}
	}
	if err := n.validate(); err != nil {
		return Household{}, err
	}
	// Of the registration as kept: the name and phone are masked by now.
	hash := requestHash("household", struct {
		Store int64
		N     NewHousehold
	}{storeID, n})
	if id, err := s.householdReplayed(ctx, storeID, key, hash); err != nil || id != 0 {
		return s.replayHousehold(ctx, storeID, id, err)
	}
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := s.storeInfo(ctx, tx, storeID); err != nil {
			return err
		}
		// The counter row stays locked until commit, and a rollback gives the number back.
		var number int
		err := tx.GetContext(ctx, &number, `
INSERT INTO store_household_counters (store_id, last) VALUES ($1, 1)
ON CONFLICT (store_id) DO UPDATE SET last = store_household_counters.last + 1 RETURNING last`, storeID)
		if err != nil {
			return err
		}
		now := s.now()
		var keyed []byte
		if key != "" {
			keyed = hash
		}
		err = tx.GetContext(ctx, &id, `
INSERT INTO store_households (store_id, number, tier, name_masked, phone_masked, note, consent_by, consent_at,
    created_by, created_at, idem_key, request_hash)
VALUES ($1, $2, $3, $4, nullif($5, ''), $6, $7, $8, $7, $8, nullif($9, ''), $10) RETURNING id`,
			storeID, number, n.Tier, n.Name, n.Phone, n.Note, actor.Label(), now, key, keyed)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor.Label(), Action: "store.household_register",
			Target: ref("household", id), StoreID: storeID, After: map[string]any{"household": id, "number": number}})
	})
	if pgerr.Unique(err, "store_households_idempotency") {
		// The same key, registered at the same moment by another request.
		id, err = s.householdReplayed(ctx, storeID, key, hash)
		return s.replayHousehold(ctx, storeID, id, err)
	}
	if err != nil {
		return Household{}, err
	}
	return s.Household(ctx, storeID, id)
}

// householdReplayed is replayed for a registration, which may come without a key.
func (s *Service) householdReplayed(ctx context.Context, storeID int64, key string, hash []byte) (int64, error) {
	if key == "" {
		return 0, nil
	}
	return s.replayed(ctx, "store_households", storeID, key, hash)
}

func (s *Service) replayHousehold(ctx context.Context, storeID, id int64, err error) (Household, error) {
	if err != nil {
		return Household{}, err
	}
	h, err := s.Household(ctx, storeID, id)
	h.Replayed = true
	return h, err
}

// Household returns one of the store's households.
// Errors: ErrHouseholdNotFound.
func (s *Service) Household(ctx context.Context, storeID, id int64) (Household, error) {
	return s.household(ctx, s.db, storeID, id, false)
}

// household reads a household of the store, locking it against deactivation when lock is set.
func (s *Service) household(ctx context.Context, q sqlx.QueryerContext, storeID, id int64, lock bool) (Household, error) {
	query := householdQuery + ` WHERE h.store_id = $1 AND h.id = $2`
	if lock {
		query += ` FOR SHARE OF h`
	}
	var h Household
	err := sqlx.GetContext(ctx, q, &h, query, storeID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return h, ErrHouseholdNotFound
	}
	return h, err
}

// HouseholdFilter narrows the list of households.
type HouseholdFilter struct {
	ActiveOnly bool
	After      int // keyset: households with a larger number
	Limit      int // at most this many (DefaultLimit when 0, MaxLimit at most)
}

// Households returns the store's households by number, with the day each last received goods.
// Errors: ErrStoreNotFound.
func (s *Service) Households(ctx context.Context, storeID int64, f HouseholdFilter) ([]Household, error) {
	if _, err := s.storeInfo(ctx, s.db, storeID); err != nil {
		return nil, err
	}
	out := []Household{}
	err := s.db.SelectContext(ctx, &out, householdQuery+`
WHERE h.store_id = $1 AND h.number > $2 AND (h.active OR NOT $3) ORDER BY h.number LIMIT $4`,
		storeID, f.After, f.ActiveOnly, pageLimit(f.Limit))
	return out, err
}

// DeactivateHousehold stops allocations to a household (it moved, its status ended …), with an
// audit entry naming it by id only. A household already inactive is returned as it is.
// Errors: ErrHouseholdNotFound.
func (s *Service) DeactivateHousehold(ctx context.Context, actor *principal.Principal, storeID, id int64) (Household, error) {
	if err := needActor(actor); err != nil {
		return Household{}, err
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
UPDATE store_households SET active = false, deactivated_by = $3, deactivated_at = $4
WHERE store_id = $1 AND id = $2 AND active`, storeID, id, actor.Label(), s.now())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			_, err := s.household(ctx, tx, storeID, id, false)
			return err // not found, or inactive already: nothing to record
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor.Label(), Action: "store.household_deactivate",
			Target: ref("household", id), StoreID: storeID, After: map[string]any{"household": id}})
	})
	if err != nil {
		return Household{}, err
	}
	return s.Household(ctx, storeID, id)
}
