package care

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/fields"
	"timebank/pgerr"
	"timebank/pkg/audit"
	"timebank/pkg/identity"
	"timebank/pkg/principal"
	"timebank/pkg/sealed"
	"timebank/pkg/store"
	"timebank/pkg/txn"
)

// PersonChange changes what a coordinator keeps of a person; a nil field is left as it is. A new
// name, address or phone is sealed under the current key (an empty address or phone removes it);
// HouseholdID 0 unlinks the household. The colour changes only through ChangeColour, with its reason.
type PersonChange struct {
	Categories  []string `json:"categories,omitempty"`
	Name        *string  `json:"name,omitempty"`
	Address     *string  `json:"address,omitempty"`
	Phone       *string  `json:"phone,omitempty"`
	Note        *string  `json:"note,omitempty"`
	HouseholdID *int64   `json:"household_id,omitempty"`
	Active      *bool    `json:"active,omitempty"`
}

// Validate checks the change by the same rules as a registration (checkPerson) and brings its
// fields to their clean forms.
func (c *PersonChange) Validate() error {
	bad := fields.Set{}
	f := personFields{Name: c.Name, Address: c.Address, Phone: c.Phone, Note: c.Note}
	if c.Categories != nil {
		f.Categories = &c.Categories
	}
	checkPerson(bad, f)
	return bad.Err(ErrInvalid)
}

// UpdatePerson applies the change in one transaction, with an audit entry naming the fields changed
// (never their values).
// Errors: ErrInvalid (*fields.Error: household_id not_found or linked, …), ErrPersonNotFound.
func (s *Service) UpdatePerson(ctx context.Context, by *principal.Principal, id int64, c PersonChange) (Person, error) {
	if err := c.Validate(); err != nil {
		return Person{}, err
	}
	err := txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		var region string
		if err := tx.GetContext(ctx, &region, `SELECT region_code FROM care_people WHERE id = $1 FOR UPDATE`, id); err != nil {
			return notFound(err, ErrPersonNotFound)
		}
		v, err := sealed.Current(ctx, tx)
		if err != nil {
			return err
		}
		b := s.box.At(v)
		var changed []string
		set := func(field, stmt string, args ...any) error {
			changed = append(changed, field)
			_, err := tx.ExecContext(ctx, `UPDATE care_people SET `+stmt+` WHERE id = $1`, append([]any{id}, args...)...)
			return err
		}
		if c.Categories != nil {
			if err := set("categories", `categories = $2`, pq.StringArray(c.Categories)); err != nil {
				return err
			}
		}
		if c.Note != nil {
			if err := set("note", `note = $2`, *c.Note); err != nil {
				return err
			}
		}
		if c.Active != nil {
			if err := set("active", `active = $2`, *c.Active); err != nil {
				return err
			}
		}
		if c.HouseholdID != nil {
			var h any
			if *c.HouseholdID != 0 {
				h = *c.HouseholdID
			}
			err := set("household_id", `household_id = $2`, h)
			switch {
			case pgerr.ForeignKey(err, "care_people_household_id_fkey"):
				return invalid("household_id", "not_found")
			case pgerr.Unique(err, "care_people_household"):
				return invalid("household_id", "linked")
			case err != nil:
				return err
			}
		}
		// Sealed values: whatever is re-sealed moves to the current key with the rest of the row.
		if c.Name != nil || c.Address != nil || c.Phone != nil {
			if err := s.resealRow(ctx, tx, id, v); err != nil {
				return err
			}
		}
		if c.Name != nil {
			if err := set("name", `name_sealed = $2, name_masked = $3`, b.Seal(colName, *c.Name), store.MaskHouseholdName(*c.Name)); err != nil {
				return err
			}
		}
		if c.Address != nil {
			if err := set("address", `address_sealed = $2`, b.Seal(colAddress, *c.Address)); err != nil {
				return err
			}
		}
		if c.Phone != nil {
			var masked, index any
			if *c.Phone != "" {
				masked, index = identity.MaskPhone(*c.Phone), b.Index(colPhone, *c.Phone)
			}
			if err := set("phone", `phone_sealed = $2, phone_masked = $3, phone_index = $4`, b.Seal(colPhone, *c.Phone), masked, index); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "care.update", Target: ref("care_person", id),
			RegionCode: region, After: map[string]any{"fields": changed}})
	})
	if err != nil {
		return Person{}, err
	}
	return s.Person(ctx, id)
}

// resealRow brings the row's sealed values to key version v, so that key_version stays true of every
// sealed column once one of them is written under v.
func (s *Service) resealRow(ctx context.Context, tx *sqlx.Tx, id int64, v int) error {
	var name, address, phone []byte
	if err := tx.QueryRowxContext(ctx, `SELECT name_sealed, address_sealed, phone_sealed FROM care_people WHERE id = $1`, id).
		Scan(&name, &address, &phone); err != nil {
		return err
	}
	b := s.box.At(v)
	var err error
	if name, _, err = b.Reseal(colName, name); err != nil {
		return err
	}
	if address, _, err = b.Reseal(colAddress, address); err != nil {
		return err
	}
	if phone, _, err = b.Reseal(colPhone, phone); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE care_people SET name_sealed = $2, address_sealed = $3, phone_sealed = $4, key_version = $5
WHERE id = $1`, id, name, address, phone, v)
	return err
}
