package care

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/pkg/access"
	"timebank/pkg/audit"
	"timebank/pkg/org"
)

// MayUnmask reports whether the principal may see the person's name, address and phone: the roles
// of the person's community, that is a region administrator of the person's community or street,
// a coordinator or administrator of an organization of that community or street, or a volunteer
// paired with the person now (alone, or as a member of the paired team). Administrators higher up,
// auditors, clerks and devices see the masked forms only: they do not visit.
func (s *Service) MayUnmask(ctx context.Context, p *access.Principal, person Person) (bool, error) {
	if p == nil {
		return false, nil
	}
	var orgs []int64
	for _, g := range p.Grants {
		switch {
		case g.Role == access.RegionAdmin && local(g.RegionCode, person.RegionCode):
			return true, nil
		case (g.Role == access.Coordinator || g.Role == access.OrgAdmin) && g.OrgID != 0:
			orgs = append(orgs, g.OrgID)
		}
	}
	if len(orgs) > 0 {
		var regions []string
		if err := s.db.SelectContext(ctx, &regions, `SELECT region_code FROM organizations WHERE id = ANY($1)`, pq.Int64Array(orgs)); err != nil {
			return false, err
		}
		for _, r := range regions {
			if local(r, person.RegionCode) {
				return true, nil
			}
		}
	}
	if p.UserID == 0 {
		return false, nil
	}
	return s.paired(ctx, s.db, person.ID, p.UserID, MemberOrgs(p))
}

// local reports whether a place (a grant's region, an organization's region) is the person's
// community or street: the same node, a node inside it, or the node above it down to the street.
func local(place, personRegion string) bool {
	if org.IsWithin(place, personRegion) {
		return true
	}
	l, err := org.DivisionLevel(place)
	return err == nil && l >= org.Street && org.IsWithin(personRegion, place)
}

// paired reports whether the user is paired with the person today, alone or through a team among orgs.
func (s *Service) paired(ctx context.Context, q sqlx.QueryerContext, personID, userID int64, orgs []int64) (bool, error) {
	var ok bool
	err := sqlx.GetContext(ctx, q, &ok, `SELECT EXISTS (SELECT 1 FROM care_pairings
WHERE person_id = $1 AND (user_id = $2 OR (user_id IS NULL AND org_id = ANY($3)))
  AND starts_on <= $4::date AND (ends_on IS NULL OR ends_on >= $4::date))`, personID, userID, pq.Int64Array(orgs), s.today())
	return ok, err
}

// Unmasked returns the person with name, address and phone opened, after checking MayUnmask, and
// records the read in the audit log (committed before anything is returned).
// Errors: ErrPersonNotFound, ErrNotPermitted.
func (s *Service) Unmasked(ctx context.Context, p *access.Principal, id int64) (Person, error) {
	person, err := s.Person(ctx, id)
	if err != nil {
		return Person{}, err
	}
	ok, err := s.MayUnmask(ctx, p, person)
	if err != nil {
		return Person{}, err
	}
	if !ok {
		return Person{}, ErrNotPermitted
	}
	b := s.box // it opens every version
	if person.Name, err = b.Open(colName, person.sealedName); err != nil {
		return Person{}, err
	}
	if person.Address, err = b.Open(colAddress, person.sealedAddress); err != nil {
		return Person{}, err
	}
	if person.Phone, err = b.Open(colPhone, person.sealedPhone); err != nil {
		return Person{}, err
	}
	person.Unmasked = true
	err = audit.Record(ctx, s.db, audit.Entry{Actor: p.Label(), Action: "care.read_unmasked",
		Target: ref("care_person", id), RegionCode: person.RegionCode})
	if err != nil {
		return Person{}, err
	}
	return person, nil
}
