package activity

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"timebank/fields"
	"timebank/ledger"
	"timebank/pgerr"
	"timebank/pkg/audit"
	"timebank/pkg/prepared"
	"timebank/pkg/principal"
)

// Category is one service category of the configurable list (为老服务, 环境保护 …).
type Category struct {
	Code   string `db:"code" json:"code"`
	NameZH string `db:"name_zh" json:"name_zh"`
	NameEN string `db:"name_en" json:"name_en"`
}

// Categories returns the service categories in the order pages list them.
func (s *Service) Categories(ctx context.Context) ([]Category, error) {
	out := []Category{}
	err := s.db.SelectContext(ctx, &out, `SELECT code, name_zh, name_en FROM activity_categories ORDER BY sort, code`)
	return out, err
}

// Policy returns the organization's policy: the one it set, or DefaultPolicy.
func (s *Service) Policy(ctx context.Context, orgID int64) (Policy, error) {
	return policyOf(ctx, s.stmts, s.db, orgID)
}

// policyOf reads an organization's policy. Fields missing from the stored JSON take their default,
// so that a field added to Policy later has a value for every organization.
func policyOf(ctx context.Context, st *prepared.Statements, q prepared.Queryer, orgID int64) (Policy, error) {
	p := DefaultPolicy()
	var raw []byte
	err := st.Get(ctx, q, &raw, `SELECT policy FROM activity_policies WHERE org_id = $1`, orgID)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	} else if err != nil {
		return Policy{}, err
	}
	p.StarThresholdsHours = nil // a stored list replaces the default one rather than merging into it
	if err := json.Unmarshal(raw, &p); err != nil {
		return Policy{}, fmt.Errorf("activity: policy of org %d: %w", orgID, err)
	}
	if len(p.StarThresholdsHours) == 0 {
		p.StarThresholdsHours = DefaultPolicy().StarThresholdsHours
	}
	if bad := p.Validate(); bad != nil {
		return Policy{}, fmt.Errorf("%w: stored policy of org %d: %v", ErrInvalidPolicy, orgID, bad)
	}
	return p, nil
}

// SetPolicy replaces the organization's policy, with an audit entry holding the old and the new.
// It applies to attendances verified from now on; records already made keep their numbers.
// Errors: ErrInvalid (*fields.Error from Policy.Validate, or org_id not_found).
func (s *Service) SetPolicy(ctx context.Context, by *principal.Principal, orgID int64, p Policy) (Policy, error) {
	if bad := p.Validate(); bad != nil {
		return Policy{}, fields.Set(bad).Err(ErrInvalid)
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return Policy{}, err
	}
	err = s.ledger.InTx(ctx, func(ltx *ledger.Tx) error {
		tx := ltx.Sqlx()
		before, err := policyOf(ctx, s.stmts, tx, orgID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
INSERT INTO activity_policies (org_id, policy, updated_by) VALUES ($1, $2, $3)
ON CONFLICT (org_id) DO UPDATE SET policy = EXCLUDED.policy, updated_by = EXCLUDED.updated_by, updated_at = now()`,
			orgID, raw, by.Label())
		if pgerr.Violates(err, "", "activity_policies_org_id_fkey") {
			return invalid("org_id", "not_found")
		} else if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by.Label(), Action: "activity.policy",
			Target: "org:" + itoa(orgID), OrgID: orgID, Before: before, After: p})
	})
	if err != nil {
		return Policy{}, err
	}
	return p, nil
}
