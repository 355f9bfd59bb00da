package care

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/fields"
	"timebank/pgerr"
	"timebank/pkg/audit"
	"timebank/pkg/identity"
	"timebank/pkg/org"
	"timebank/pkg/principal"
	"timebank/pkg/sealed"
	"timebank/pkg/store"
	"timebank/pkg/txn"
)

// The categories of people who receive care: what a person is, possibly several.
var Categories = []string{"alone", "empty_nest", "disabled", "dibao", "tekun", "left_behind", "other"}

// The risk colours: how closely to follow a person, most closely first.
const (
	Red    = "red"
	Yellow = "yellow"
	Green  = "green"
)

// Colours lists the colours, most closely followed first.
var Colours = []string{Red, Yellow, Green}

// The columns a person's sealed values are bound to.
const (
	colName    = "care_people.name"
	colAddress = "care_people.address"
	colPhone   = "care_people.phone"
)

// Person is a person in the registry. Name, Address and Phone are filled only in an unmasked read
// (Unmasked set), which the audit log records; everywhere else the masked forms stand in.
type Person struct {
	ID          int64          `db:"id" json:"id"`
	RegionCode  string         `db:"region_code" json:"region_code"`
	RegionName  string         `db:"region_name" json:"region_name"`
	Categories  pq.StringArray `db:"categories" json:"categories"`
	Colour      string         `db:"colour" json:"colour"`
	NameMasked  string         `db:"name_masked" json:"name_masked"`
	PhoneMasked string         `db:"phone_masked" json:"phone_masked,omitempty"`
	HouseholdID *int64         `db:"household_id" json:"household_id,omitempty"`
	ConsentOf   string         `db:"consent_of" json:"consent_of"`
	ConsentBy   string         `db:"consent_by" json:"consent_by"`
	ConsentAt   time.Time      `db:"consent_at" json:"consent_at"`
	Note        string         `db:"note" json:"note,omitempty"`
	Active      bool           `db:"active" json:"active"`
	CreatedAt   time.Time      `db:"created_at" json:"created_at"`
	Unmasked    bool           `db:"-" json:"unmasked"`
	Name        string         `db:"-" json:"name,omitempty"`
	Address     string         `db:"-" json:"address,omitempty"`
	Phone       string         `db:"-" json:"phone,omitempty"`
	Replayed    bool           `db:"-" json:"-"` // answered from an earlier registration under the same key

	sealedName, sealedAddress, sealedPhone []byte
}

const personColumns = `p.id, p.region_code, r.name AS region_name, p.categories, p.colour, p.name_masked,
    coalesce(p.phone_masked, '') AS phone_masked, p.household_id, p.consent_of, p.consent_by, p.consent_at,
    p.note, p.active, p.created_at`

const personFrom = ` FROM care_people p JOIN regions r ON r.code = p.region_code`

// NewPerson is what a coordinator registers. Name, Address and Phone are sealed; only their masked
// forms are kept in the clear. Consent says the person's (or, with ConsentOf "guardian", the
// guardian's) written consent was obtained; without it nothing is registered.
type NewPerson struct {
	RegionCode  string   `json:"region_code"`
	Categories  []string `json:"categories"`
	Colour      string   `json:"colour"`
	Name        string   `json:"name"`
	Address     string   `json:"address,omitempty"`
	Phone       string   `json:"phone,omitempty"`
	Note        string   `json:"note,omitempty"`
	Consent     bool     `json:"consent"`
	ConsentOf   string   `json:"consent_of,omitempty"` // self (default) or guardian
	HouseholdID *int64   `json:"household_id,omitempty"`
}

// Validate checks the request and brings its fields to their clean forms, by the same rules as a
// change (checkPerson).
func (n *NewPerson) Validate() error {
	bad := fields.Set{}
	checkPerson(bad, personFields{Categories: &n.Categories, Name: &n.Name, Address: &n.Address, Phone: &n.Phone, Note: &n.Note})
	if n.ConsentOf == "" {
		n.ConsentOf = "self"
	}
	if n.ConsentOf != "self" && n.ConsentOf != "guardian" {
		bad["consent_of"] = "unknown"
	}
	if !n.Consent {
		bad["consent"] = "consent_required"
	}
	if !slices.Contains(Colours, n.Colour) {
		bad["colour"] = "unknown"
	}
	if _, err := strconv.ParseUint(n.RegionCode, 10, 64); err != nil || len(n.RegionCode) != 12 {
		bad["region_code"] = "division_code"
	}
	return bad.Err(ErrInvalid)
}

// personFields are the fields a registration and a change share; a nil field is not checked (a
// change leaves it as it is).
type personFields struct {
	Categories                 *[]string
	Name, Address, Phone, Note *string
}

// checkPerson is the one check of what a coordinator types about a person, for a registration and
// a change alike: it notes what is wrong in bad and brings each field to its clean form.
func checkPerson(bad fields.Set, f personFields) {
	var reason string
	if f.Categories != nil {
		cats := *f.Categories
		if len(cats) == 0 {
			bad["categories"] = "required"
		}
		for _, c := range cats {
			if !slices.Contains(Categories, c) {
				bad["categories"] = "unknown"
			}
		}
		slices.Sort(cats)
		*f.Categories = slices.Compact(cats)
	}
	if f.Name != nil {
		if *f.Name, reason = (fields.Text{Max: 50, Required: true}).Clean(*f.Name); reason != "" {
			bad["name"] = reason
		} else if containsStar(*f.Name) {
			bad["name"] = "format"
		}
	}
	if f.Address != nil {
		if *f.Address, reason = (fields.Text{Max: 200}).Clean(*f.Address); reason != "" {
			bad["address"] = reason
		}
	}
	if f.Phone != nil && *f.Phone != "" {
		p, err := identity.NormalizePhone(*f.Phone)
		if err != nil {
			bad["phone"] = "phone_invalid"
		}
		*f.Phone = p
	}
	if f.Note != nil {
		if *f.Note, reason = (fields.Text{Max: 200}).Clean(*f.Note); reason != "" {
			bad["note"] = reason
		}
	}
}

func containsStar(s string) bool {
	for _, r := range s {
		if r == '*' || r == '＊' {
			return true
		}
	}
	return false
}

// Register adds a person to the registry without an idempotency key, for the service's own callers
// (the demo, tests); requests and forms go through RegisterOnce.
func (s *Service) Register(ctx context.Context, by *principal.Principal, n NewPerson) (Person, error) {
	return s.RegisterOnce(ctx, by, "", n)
}

// RegisterOnce adds a person to the registry, sealed under the current key, with the first entry of
// the colour history and an audit entry naming the person by id only, under the registering
// principal's idempotency key: the same key with the same person returns the first (Replayed), with
// another it is ErrIdempotency.
// Errors: ErrInvalid (*fields.Error: idempotency_key, region_code not_found, household_id not_found or
// linked, …), ErrIdempotency.
func (s *Service) RegisterOnce(ctx context.Context, by *principal.Principal, key string, n NewPerson) (Person, error) {
	if err := checkKey(key); err != nil {
		return Person{}, err
	}
	if err := n.Validate(); err != nil {
		return Person{}, err
	}
	hash := s.requestHash("person", n)
	if id, err := s.replayed(ctx, "care_people", by, key, hash); err != nil || id != 0 {
		return s.replayPerson(ctx, id, err)
	}
	var id int64
	err := txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		v, err := sealed.Current(ctx, tx)
		if err != nil {
			return err
		}
		b := s.box.At(v)
		var phoneMasked, phoneIndex any
		if n.Phone != "" {
			phoneMasked, phoneIndex = identity.MaskPhone(n.Phone), b.Index(colPhone, n.Phone)
		}
		now := s.opt.Now()
		err = tx.GetContext(ctx, &id, `
INSERT INTO care_people (region_code, categories, colour, name_masked, phone_masked, name_sealed, address_sealed,
    phone_sealed, phone_index, key_version, consent_of, consent_by, consent_at, household_id, note, created_by, created_at,
    idem_key, request_hash)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $12, $13, nullif($16, ''), $17) RETURNING id`,
			n.RegionCode, pq.StringArray(n.Categories), n.Colour, store.MaskHouseholdName(n.Name), phoneMasked,
			b.Seal(colName, n.Name), b.Seal(colAddress, n.Address), b.Seal(colPhone, n.Phone), phoneIndex, v,
			n.ConsentOf, by.Label(), now, n.HouseholdID, n.Note, key, keyed(key, hash))
		switch {
		case pgerr.ForeignKey(err, "care_people_region_code_fkey"):
			return invalid("region_code", "not_found")
		case pgerr.ForeignKey(err, "care_people_household_id_fkey"):
			return invalid("household_id", "not_found")
		case pgerr.Unique(err, "care_people_household"):
			return invalid("household_id", "linked")
		case err != nil:
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO care_colour_changes (person_id, to_colour, reason, changed_by, changed_at)
VALUES ($1, $2, 'registered', $3, $4)`, id, n.Colour, by.Label(), now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "care.register", Target: ref("care_person", id),
			RegionCode: n.RegionCode, After: map[string]any{"person": id, "colour": n.Colour}})
	})
	if pgerr.Unique(err, "care_people_idempotency") {
		// The same key, registered at the same moment by another request.
		id, err = s.replayed(ctx, "care_people", by, key, hash)
		return s.replayPerson(ctx, id, err)
	}
	if err != nil {
		return Person{}, err
	}
	return s.Person(ctx, id)
}

func (s *Service) replayPerson(ctx context.Context, id int64, err error) (Person, error) {
	if err != nil {
		return Person{}, err
	}
	p, err := s.Person(ctx, id)
	p.Replayed = true
	return p, err
}

// Person returns a person, masked.
// Errors: ErrPersonNotFound.
func (s *Service) Person(ctx context.Context, id int64) (Person, error) {
	return s.person(ctx, s.db, id)
}

func (s *Service) person(ctx context.Context, q sqlx.QueryerContext, id int64) (Person, error) {
	var p Person
	row := q.QueryRowxContext(ctx, `SELECT `+personColumns+`, p.name_sealed, p.address_sealed, p.phone_sealed`+personFrom+` WHERE p.id = $1`, id)
	err := row.Scan(&p.ID, &p.RegionCode, &p.RegionName, &p.Categories, &p.Colour, &p.NameMasked, &p.PhoneMasked,
		&p.HouseholdID, &p.ConsentOf, &p.ConsentBy, &p.ConsentAt, &p.Note, &p.Active, &p.CreatedAt,
		&p.sealedName, &p.sealedAddress, &p.sealedPhone)
	if errors.Is(err, sql.ErrNoRows) {
		return Person{}, ErrPersonNotFound
	}
	return p, err
}

// RegionOf returns the region of a person, for the rule of a route about them.
// Errors: ErrPersonNotFound.
func (s *Service) RegionOf(ctx context.Context, id int64) (string, error) {
	var code string
	err := s.db.GetContext(ctx, &code, `SELECT region_code FROM care_people WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrPersonNotFound
	}
	return code, err
}

// People lists the people of a region (and the regions below it), masked, by id after the cursor.
func (s *Service) People(ctx context.Context, region string, after int64, limit int) ([]Person, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var out []Person
	err := s.db.SelectContext(ctx, &out, `SELECT `+personColumns+personFrom+`
WHERE p.region_code LIKE $1 AND p.id > $2 ORDER BY p.id LIMIT $3`,
		regionPrefix(region)+"%", after, limit)
	return out, err
}

func ref(kind string, id int64) string { return kind + ":" + strconv.FormatInt(id, 10) }

// regionPrefix is the leading digits every code inside the region starts with; a code that is not
// a division code matches nothing.
func regionPrefix(code string) string {
	l, err := org.DivisionLevel(code)
	if err != nil || len(code) != 12 {
		return "x"
	}
	return code[:l.Digits()]
}

// HouseholdStore returns the store of the household in hardship linked to a person, so that the
// person's page can show the goods it received.
func (s *Service) HouseholdStore(ctx context.Context, householdID int64) (int64, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `SELECT store_id FROM store_households WHERE id = $1`, householdID)
	return id, err
}
