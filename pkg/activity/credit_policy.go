package activity

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"timebank/fields"
)

// CreditPolicy is the rules on credits set at one level: the platform, a region or an organization.
// A field left out (nil) is not set there and takes the value of the level above: an organization's
// from its region's, a region's from the regions above it, the top one's from the platform's, and
// the platform's from the service's options (DefaultCreditLimits). Whole hours; the JSON names are
// the field names Validate reports. The conversion ratio of service into credits is the
// organization's activity policy (Policy).
type CreditPolicy struct {
	// AccountCapHours is the most a volunteer's account holds when credits arrive from the
	// organization; above it they go to the community pool. 0 means no cap.
	AccountCapHours *int64 `json:"account_cap_hours,omitempty"`
	// MaxTransferHours is the most one transfer or donation may move.
	MaxTransferHours *int64 `json:"max_transfer_hours,omitempty"`
	// MaxYearHours is the most a volunteer may transfer and donate in a calendar year.
	MaxYearHours *int64 `json:"max_year_hours,omitempty"`
	// MinRedeemHours is the verified service a volunteer must have before their first redemption
	// at a store of the organization (桐乡 asks 50 h). 0 means none.
	MinRedeemHours *int64 `json:"min_redeem_hours,omitempty"`
	// ExpiryMonths is how long credits the organization issues stay spendable: they expire this many
	// months after they were earned, earned-first-spent-first (see ExpireCredits). 0 means never.
	// It is fixed for each earning when it is made.
	ExpiryMonths *int64 `json:"expiry_months,omitempty"`
}

// Limits of the policy's fields: wide enough for any real programme, narrow enough that hours
// turned into minutes never overflow.
const (
	maxCapHours      = 100_000
	maxTransferHours = 10_000
	maxRedeemHours   = 10_000
	maxExpiryMonths  = 120
)

// Validate returns the wrong fields as JSON field name → reason key ("range"), nil when valid.
func (p CreditPolicy) Validate() map[string]string {
	bad := fields.Set{}
	check := func(field string, v *int64, lo, hi int64) {
		if v != nil && (*v < lo || *v > hi) {
			bad[field] = "range"
		}
	}
	check("account_cap_hours", p.AccountCapHours, 0, maxCapHours)
	check("max_transfer_hours", p.MaxTransferHours, 1, maxTransferHours)
	check("max_year_hours", p.MaxYearHours, 1, maxCapHours)
	check("min_redeem_hours", p.MinRedeemHours, 0, maxRedeemHours)
	check("expiry_months", p.ExpiryMonths, 0, maxExpiryMonths)
	if len(bad) == 0 {
		return nil
	}
	return bad
}

// apply returns the limits with the fields the policy sets replaced.
func (p CreditPolicy) apply(l CreditLimits) CreditLimits {
	if p.AccountCapHours != nil {
		l.AccountCapMinutes = *p.AccountCapHours * 60
		if l.AccountCapMinutes == 0 {
			l.AccountCapMinutes = -1
		}
	}
	if p.MaxTransferHours != nil {
		l.MaxTransferMinutes = *p.MaxTransferHours * 60
	}
	if p.MaxYearHours != nil {
		l.MaxYearMinutes = *p.MaxYearHours * 60
	}
	if p.MinRedeemHours != nil {
		l.MinRedeemMinutes = *p.MinRedeemHours * 60
	}
	if p.ExpiryMonths != nil {
		l.ExpiryMonths = *p.ExpiryMonths
	}
	return l
}

// Policy returns the limits as a policy that sets every field, in whole hours (rounded down).
func (l CreditLimits) Policy() CreditPolicy {
	hours := func(m int64) *int64 { h := max(m, 0) / 60; return &h }
	months := l.ExpiryMonths
	return CreditPolicy{AccountCapHours: hours(l.AccountCapMinutes), MaxTransferHours: hours(l.MaxTransferMinutes),
		MaxYearHours: hours(l.MaxYearMinutes), MinRedeemHours: hours(l.MinRedeemMinutes), ExpiryMonths: &months}
}

// stricter returns the stricter of two limits field by field, for a volunteer who served several
// organizations (see VolunteerLimits).
func (l CreditLimits) stricter(o CreditLimits) CreditLimits {
	l.MaxTransferMinutes = min(l.MaxTransferMinutes, o.MaxTransferMinutes)
	l.MaxYearMinutes = min(l.MaxYearMinutes, o.MaxYearMinutes)
	l.MinRedeemMinutes = max(l.MinRedeemMinutes, o.MinRedeemMinutes)
	if l.AccountCapMinutes < 0 || (o.AccountCapMinutes >= 0 && o.AccountCapMinutes < l.AccountCapMinutes) {
		l.AccountCapMinutes = o.AccountCapMinutes
	}
	return l
}

// The levels a credit policy is set at.
const (
	ScopePlatform = "platform"
	ScopeRegion   = "region"
	ScopeOrg      = "org"
)

// CreditScope names the level of a credit policy: the platform, a region by code or an
// organization by id.
type CreditScope struct {
	Kind   string
	Region string
	OrgID  int64
}

// chainQuery returns the stored policies that bear on a scope, nearest first: the organization's
// own ($1, 0 for none), its region's or the region's ($2) and each region above, then the
// platform's. depth orders them.
const chainQuery = `
WITH RECURSIVE up (code, depth) AS (
    SELECT coalesce((SELECT region_code FROM organizations WHERE id = $1), nullif($2, '')), 1
    UNION ALL
    SELECT r.parent_code, up.depth + 1 FROM up JOIN regions r ON r.code = up.code WHERE r.parent_code IS NOT NULL
)
SELECT policy, 0 AS depth FROM credit_policies WHERE scope_kind = 'org' AND org_id = $1
UNION ALL
SELECT p.policy, up.depth FROM up JOIN credit_policies p ON p.scope_kind = 'region' AND p.region_code = up.code
UNION ALL
SELECT policy, 1000 FROM credit_policies WHERE scope_kind = 'platform'
ORDER BY depth DESC`

// resolve returns the limits in force at the scope, and those it would have without its own
// policy (inherited from the levels above).
func (s *Service) resolve(ctx context.Context, q sqlx.QueryerContext, sc CreditScope) (limits, inherited CreditLimits, err error) {
	rows, err := q.QueryContext(ctx, chainQuery, sc.OrgID, sc.Region)
	if err != nil {
		return limits, inherited, err
	}
	defer rows.Close()
	limits = s.limits
	for rows.Next() {
		var raw []byte
		var depth int
		if err := rows.Scan(&raw, &depth); err != nil {
			return limits, inherited, err
		}
		var p CreditPolicy
		if err := json.Unmarshal(raw, &p); err != nil {
			return limits, inherited, fmt.Errorf("activity: stored credit policy: %w", err)
		}
		if own := (sc.Kind == ScopeOrg && depth == 0) || (sc.Kind == ScopeRegion && depth == 1) ||
			(sc.Kind == ScopePlatform && depth == 1000); !own {
			inherited = p.apply(limits)
		}
		limits = p.apply(limits)
	}
	if err := rows.Err(); err != nil {
		return limits, inherited, err
	}
	if inherited == (CreditLimits{}) {
		inherited = s.limits
	}
	return limits, inherited, nil
}

// OrgLimits returns the limits on credits in force at the organization: its own policy over its
// regions' and the platform's. Credits it issues are capped by its account cap, and its stores ask
// its minimum before a first redemption.
func (s *Service) OrgLimits(ctx context.Context, orgID int64) (CreditLimits, error) {
	l, _, err := s.resolve(ctx, s.db, CreditScope{Kind: ScopeOrg, OrgID: orgID})
	return l, err
}

// VolunteerLimits returns the limits on what the volunteer transfers and receives: the stricter of
// those of every organization they have service records with, since each of them issued credits
// the volunteer may hold; the platform's when they have served none.
func (s *Service) VolunteerLimits(ctx context.Context, userID int64) (CreditLimits, error) {
	return s.volunteerLimits(ctx, s.db, userID)
}

func (s *Service) volunteerLimits(ctx context.Context, q sqlx.QueryerContext, userID int64) (CreditLimits, error) {
	var orgs []int64
	if err := sqlx.SelectContext(ctx, q, &orgs, `SELECT DISTINCT org_id FROM service_records WHERE user_id = $1`, userID); err != nil {
		return CreditLimits{}, err
	}
	if len(orgs) == 0 {
		l, _, err := s.resolve(ctx, q, CreditScope{Kind: ScopePlatform})
		return l, err
	}
	var out CreditLimits
	for i, id := range orgs {
		l, _, err := s.resolve(ctx, q, CreditScope{Kind: ScopeOrg, OrgID: id})
		if err != nil {
			return CreditLimits{}, err
		}
		if i == 0 {
			out = l
		} else {
			out = out.stricter(l)
		}
	}
	return out, nil
}
