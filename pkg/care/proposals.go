package care

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/audit"
	"timebank/pkg/principal"
	"timebank/pkg/txn"
)

// Proposal is what a visit raised for the coordinator to decide: a follow-up, or a colour change.
type Proposal struct {
	ID         int64      `db:"id" json:"id"`
	PersonID   int64      `db:"person_id" json:"person_id"`
	NameMasked string     `db:"name_masked" json:"name_masked"`
	VisitID    int64      `db:"visit_id" json:"visit_id"`
	Kind       string     `db:"kind" json:"kind"` // follow_up or colour
	Colour     *string    `db:"colour" json:"colour,omitempty"`
	Note       string     `db:"note" json:"note"`
	Status     string     `db:"status" json:"status"` // open, accepted or declined
	DecidedBy  *string    `db:"decided_by" json:"decided_by,omitempty"`
	DecidedAt  *time.Time `db:"decided_at" json:"decided_at,omitempty"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	RegionCode string     `db:"region_code" json:"-"`
}

const proposalQuery = `SELECT x.id, x.person_id, p.name_masked, x.visit_id, x.kind, x.colour, x.note, x.status,
    x.decided_by, x.decided_at, x.created_at, p.region_code FROM care_proposals x JOIN care_people p ON p.id = x.person_id`

func (s *Service) propose(ctx context.Context, tx *sqlx.Tx, personID, visitID int64, kind string, colour *string, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO care_proposals (person_id, visit_id, kind, colour, note) VALUES ($1, $2, $3, $4, $5)`,
		personID, visitID, kind, colour, note)
	return err
}

// Proposals returns the person's proposals, open first, then the latest.
func (s *Service) Proposals(ctx context.Context, personID int64) ([]Proposal, error) {
	out := []Proposal{}
	err := s.db.SelectContext(ctx, &out, proposalQuery+` WHERE x.person_id = $1 ORDER BY x.status <> 'open', x.id DESC LIMIT 100`, personID)
	return out, err
}

// Proposal returns one proposal.
// Errors: ErrProposalNotFound.
func (s *Service) Proposal(ctx context.Context, id int64) (Proposal, error) {
	var p Proposal
	err := s.db.GetContext(ctx, &p, proposalQuery+` WHERE x.id = $1`, id)
	return p, notFound(err, ErrProposalNotFound)
}

// Decide accepts or declines an open proposal, once; an accepted colour change changes the
// person's colour with the proposal's note as its reason.
// Errors: ErrProposalNotFound, ErrDecided.
func (s *Service) Decide(ctx context.Context, by *principal.Principal, id int64, accept bool) (Proposal, error) {
	status := "declined"
	if accept {
		status = "accepted"
	}
	err := txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		var p Proposal
		if err := tx.GetContext(ctx, &p, proposalQuery+` WHERE x.id = $1 FOR UPDATE OF x`, id); err != nil {
			return notFound(err, ErrProposalNotFound)
		}
		if p.Status != "open" {
			return ErrDecided
		}
		if _, err := tx.ExecContext(ctx, `UPDATE care_proposals SET status = $2, decided_by = $3, decided_at = $4 WHERE id = $1`,
			id, status, by.Label(), s.opt.Now()); err != nil {
			return err
		}
		if accept && p.Kind == "colour" {
			var current string
			if err := tx.GetContext(ctx, &current, `SELECT colour FROM care_people WHERE id = $1`, p.PersonID); err != nil {
				return err
			}
			if current != *p.Colour {
				if err := s.changeColour(ctx, tx, by, p.PersonID, ColourRequest{Colour: *p.Colour, Reason: p.Note}); err != nil {
					return err
				}
			}
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "care.decide", Target: ref("care_proposal", id),
			RegionCode: p.RegionCode, After: map[string]string{"status": status}})
	})
	if err != nil {
		return Proposal{}, err
	}
	return s.Proposal(ctx, id)
}
