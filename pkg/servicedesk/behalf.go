package servicedesk

import (
	"context"
	"database/sql"
	"errors"

	"timebank/pkg/access"
	"timebank/pkg/org"
	"timebank/pkg/principal"
)

// MayActFor reports whether the person may act for the residents a team serves in a community: ask
// the team for a service on a resident's behalf without an SMS code, and confirm a service done for
// them. The team's dispatchers may (its coordinators and administrators, the region administrators
// above it), and so may the grid workers (网格员) of the community or of the street above it,
// whatever team serves it. Nobody else, and no device, may.
func MayActFor(p *access.Principal, team access.Target, community string) bool {
	if p == nil || p.UserID == 0 {
		return false
	}
	return p.Can(access.DispatchServices, team) || p.Can(access.ActForResidents, org.RegionTarget(community))
}

// OnBehalf returns who asks the desk's team for a resident when the signed-in person may act for
// its residents (MayActFor), or nil: nobody signed in, or a person who may not, asks as a resident
// does, with an SMS code. The API and the pages both ask it, so that they answer alike: a desk code
// that names no desk is reported the same way on both (no lookup is made for nobody, nor for no
// code: Create reports those).
// Errors: the qr package's errors, ErrDeskNotFound.
func (s *Service) OnBehalf(ctx context.Context, p *access.Principal, deskCode string) (*principal.Principal, error) {
	if p == nil || p.UserID == 0 || deskCode == "" {
		return nil, nil
	}
	d, err := s.DeskByCode(ctx, deskCode)
	if err != nil {
		return nil, err
	}
	return s.actor(ctx, p, d.OrgID, d.RegionCode)
}

// ConfirmerOf returns the signed-in person when they may act for the request's resident (MayActFor
// the request's team and community): confirm it for them, or cancel it; or nil.
// Errors: ErrRequestNotFound.
func (s *Service) ConfirmerOf(ctx context.Context, p *access.Principal, id int64) (*principal.Principal, error) {
	if p == nil || p.UserID == 0 {
		return nil, nil
	}
	var r struct {
		OrgID      int64  `db:"org_id"`
		RegionCode string `db:"region_code"`
	}
	err := s.db.GetContext(ctx, &r, `SELECT org_id, region_code FROM service_requests WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrRequestNotFound
	} else if err != nil {
		return nil, err
	}
	return s.actor(ctx, p, r.OrgID, r.RegionCode)
}

func (s *Service) actor(ctx context.Context, p *access.Principal, orgID int64, community string) (*principal.Principal, error) {
	team, err := s.orgs.OrgTarget(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if !MayActFor(p, team, community) {
		return nil, nil
	}
	return p.Actor(), nil
}
