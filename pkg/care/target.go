package care

import (
	"context"

	"github.com/lib/pq"

	"timebank/pkg/access"
	"timebank/pkg/org"
)

// Target is where an action about the people of a region happens, for the rules of routes: the
// region, and the organizations of that community or street (an organization inside the region,
// or one at the street or community above it), so that their coordinators are covered as region
// grants are.
func (s *Service) Target(ctx context.Context, region string) (access.Target, error) {
	var above []string
	for c := region; ; {
		l, err := org.DivisionLevel(c)
		if err != nil || l < org.Street {
			break
		}
		above = append(above, c)
		if c, err = org.ParentDivision(c); err != nil {
			break
		}
	}
	var ids pq.Int64Array
	err := s.db.GetContext(ctx, &ids, `SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM organizations
WHERE region_code LIKE $1 OR region_code = ANY($2)`, regionPrefix(region)+"%", pq.StringArray(above))
	return access.Target{RegionCode: region, OrgIDs: ids}, err
}

// PersonTarget is Target for the region of a person.
// Errors: ErrPersonNotFound.
func (s *Service) PersonTarget(ctx context.Context, id int64) (access.Target, error) {
	region, err := s.RegionOf(ctx, id)
	if err != nil {
		return access.Target{}, err
	}
	return s.Target(ctx, region)
}

// PairingTarget is Target for the region of a pairing's person.
// Errors: ErrPairingNotFound.
func (s *Service) PairingTarget(ctx context.Context, id int64) (access.Target, error) {
	var region string
	err := s.db.GetContext(ctx, &region, `SELECT p.region_code FROM care_pairings c JOIN care_people p ON p.id = c.person_id WHERE c.id = $1`, id)
	if err != nil {
		return access.Target{}, notFound(err, ErrPairingNotFound)
	}
	return s.Target(ctx, region)
}

// ProposalTarget is Target for the region of a proposal's person.
// Errors: ErrProposalNotFound.
func (s *Service) ProposalTarget(ctx context.Context, id int64) (access.Target, error) {
	var region string
	err := s.db.GetContext(ctx, &region, `SELECT p.region_code FROM care_proposals x JOIN care_people p ON p.id = x.person_id WHERE x.id = $1`, id)
	if err != nil {
		return access.Target{}, notFound(err, ErrProposalNotFound)
	}
	return s.Target(ctx, region)
}
