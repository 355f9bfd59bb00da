package care

import (
	"context"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
	"timebank/pkg/txn"
)

// ColourChange is one entry of a person's colour history: append-only, with who and why.
type ColourChange struct {
	ID         int64     `db:"id" json:"id"`
	FromColour *string   `db:"from_colour" json:"from_colour,omitempty"`
	ToColour   string    `db:"to_colour" json:"to_colour"`
	Reason     string    `db:"reason" json:"reason"`
	ChangedBy  string    `db:"changed_by" json:"changed_by"`
	ChangedAt  time.Time `db:"changed_at" json:"changed_at"`
}

// ColourRequest is a change of a person's colour with its reason.
type ColourRequest struct {
	Colour string `json:"colour"`
	Reason string `json:"reason"`
}

// Validate checks the request.
func (r *ColourRequest) Validate() error {
	bad := fields.Set{}
	if !slices.Contains(Colours, r.Colour) {
		bad["colour"] = "unknown"
	}
	var reason string
	if r.Reason, reason = (fields.Text{Max: 200, Required: true}).Clean(r.Reason); reason != "" {
		bad["reason"] = reason
	}
	return bad.Err(ErrInvalid)
}

// ChangeColour sets the person's colour and appends the change to the history (a change to the
// colour it already has is refused as unchanged).
// Errors: ErrInvalid (*fields.Error: colour unknown or unchanged, reason), ErrPersonNotFound.
func (s *Service) ChangeColour(ctx context.Context, by *principal.Principal, id int64, r ColourRequest) (Person, error) {
	if err := r.Validate(); err != nil {
		return Person{}, err
	}
	err := txn.Run(ctx, s.db, func(tx *sqlx.Tx) error { return s.changeColour(ctx, tx, by, id, r) })
	if err != nil {
		return Person{}, err
	}
	return s.Person(ctx, id)
}

func (s *Service) changeColour(ctx context.Context, tx *sqlx.Tx, by *principal.Principal, id int64, r ColourRequest) error {
	var from, region string
	err := tx.QueryRowxContext(ctx, `SELECT colour, region_code FROM care_people WHERE id = $1 FOR UPDATE`, id).Scan(&from, &region)
	if err != nil {
		return notFound(err, ErrPersonNotFound)
	}
	if from == r.Colour {
		return invalid("colour", "unchanged")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE care_people SET colour = $2 WHERE id = $1`, id, r.Colour); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO care_colour_changes (person_id, from_colour, to_colour, reason, changed_by, changed_at)
VALUES ($1, $2, $3, $4, $5, $6)`, id, from, r.Colour, r.Reason, by.Label(), s.opt.Now()); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "care.colour", Target: ref("care_person", id),
		RegionCode: region, Before: map[string]string{"colour": from}, After: map[string]string{"colour": r.Colour}})
}

// ColourHistory returns the person's colour changes, oldest first.
func (s *Service) ColourHistory(ctx context.Context, id int64) ([]ColourChange, error) {
	out := []ColourChange{}
	err := s.db.SelectContext(ctx, &out, `SELECT id, from_colour, to_colour, reason, changed_by, changed_at
FROM care_colour_changes WHERE person_id = $1 ORDER BY id`, id)
	return out, err
}
