package activity

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pgerr"
	"timebank/pkg/audit"
	"timebank/pkg/principal"
)

// CreditPolicyView is a level's credit policy as its form shows it: what the level sets itself,
// what it would have without that (from the levels above), and what is in force.
type CreditPolicyView struct {
	Scope     string       `json:"scope"` // platform, region or org
	Own       CreditPolicy `json:"own"`
	Inherited CreditPolicy `json:"inherited"`
	Effective CreditPolicy `json:"effective"`
}

// CreditPolicy returns the credit policy of the platform, a region or an organization.
func (s *Service) CreditPolicy(ctx context.Context, sc CreditScope) (CreditPolicyView, error) {
	v := CreditPolicyView{Scope: sc.Kind}
	var raw []byte
	err := s.db.GetContext(ctx, &raw, `SELECT policy FROM credit_policies
WHERE scope_kind = $1 AND coalesce(region_code, '') = $2 AND coalesce(org_id, 0) = $3`, sc.Kind, sc.Region, sc.OrgID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return v, err
	default:
		if err := json.Unmarshal(raw, &v.Own); err != nil {
			return v, err
		}
	}
	limits, inherited, err := s.resolve(ctx, s.db, sc)
	if err != nil {
		return v, err
	}
	v.Effective, v.Inherited = limits.Policy(), inherited.Policy()
	return v, nil
}

// SetCreditPolicy replaces the credit policy of the platform, a region or an organization, with an
// audit entry holding the old and the new. It applies to credits earned, transferred and redeemed
// from now on.
// Errors: ErrInvalid (*fields.Error from CreditPolicy.Validate, or org_id / region_code not_found).
func (s *Service) SetCreditPolicy(ctx context.Context, by *principal.Principal, sc CreditScope, p CreditPolicy) (CreditPolicyView, error) {
	if bad := p.Validate(); bad != nil {
		return CreditPolicyView{}, fields.Set(bad).Err(ErrInvalid)
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return CreditPolicyView{}, err
	}
	before, err := s.CreditPolicy(ctx, sc)
	if err != nil {
		return CreditPolicyView{}, err
	}
	var region, org any
	target := "platform"
	switch sc.Kind {
	case ScopeRegion:
		region, target = sc.Region, "region:"+sc.Region
	case ScopeOrg:
		org, target = sc.OrgID, "org:"+strconv.FormatInt(sc.OrgID, 10)
	}
	err = s.ledger.InTx(ctx, func(ltx *ledger.Tx) error {
		tx := ltx.Sqlx()
		_, err := tx.ExecContext(ctx, `
INSERT INTO credit_policies (scope_kind, region_code, org_id, policy, updated_by) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (scope_kind, coalesce(region_code, ''), coalesce(org_id, 0))
DO UPDATE SET policy = EXCLUDED.policy, updated_by = EXCLUDED.updated_by, updated_at = now()`,
			sc.Kind, region, org, raw, by.Label())
		switch {
		case pgerr.Violates(err, "", "credit_policies_org_id_fkey"):
			return invalid("org_id", "not_found")
		case pgerr.Violates(err, "", "credit_policies_region_code_fkey"):
			return invalid("region_code", "not_found")
		case err != nil:
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "credit.policy", Target: target,
			RegionCode: sc.Region, OrgID: sc.OrgID, Before: before.Own, After: p})
	})
	if err != nil {
		return CreditPolicyView{}, err
	}
	s.creditPolicyChanged(ctx)
	return s.CreditPolicy(ctx, sc)
}

// VerifiedMinutes returns the volunteer's verified service time, all organizations together: what
// stars and the minimum before a first redemption count.
func (s *Service) VerifiedMinutes(ctx context.Context, userID int64) (int64, error) {
	return s.verifiedMinutes(ctx, userID)
}
