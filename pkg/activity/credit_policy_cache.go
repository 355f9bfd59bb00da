package activity

import (
	"context"
	"time"

	"timebank/pkg/invalidate"
)

// creditPolicyTopic is the invalidation news of any change of a credit policy: a policy of the
// platform or a region applies to every organization below it, so all that is kept is forgotten.
const creditPolicyTopic = "credit-policy"

// Organizations whose minimum before a first redemption is kept, and for how long at most (the
// news of a change drops it at once; the age bounds a change made outside the service).
const (
	minRedeemCacheSize = 1 << 14
	minRedeemMaxAge    = time.Minute
)

// CacheCreditPolicies has MinRedeemMinutes, which every order asks, answer from memory while bus is
// live, and has every change of a credit policy published on it (so that it applies at once, in
// this instance and the others). Call it once, before serving.
func (s *Service) CacheCreditPolicies(bus *invalidate.Bus) {
	s.policyBus = bus
	s.minRedeem = invalidate.NewMap[int64, int64](bus, minRedeemCacheSize, minRedeemMaxAge)
	bus.OnChange(func(topic string) {
		if topic == invalidate.All || topic == creditPolicyTopic {
			s.minRedeem.Clear()
		}
	})
}

// creditPolicyChanged publishes that a credit policy changed, after the change committed. A bus
// that cannot publish logs it; the change stands.
func (s *Service) creditPolicyChanged(ctx context.Context) {
	if s.policyBus != nil {
		_ = s.policyBus.Publish(ctx, creditPolicyTopic)
	}
}

// MinRedeemMinutes returns the verified service a volunteer needs before a first redemption at a
// store of the organization (0: none): from memory when it was read since the last change of a
// credit policy, else from PostgreSQL.
func (s *Service) MinRedeemMinutes(ctx context.Context, orgID int64) (int64, error) {
	if v, ok := s.minRedeem.Get(orgID); ok {
		return v, nil
	}
	gen := s.minRedeem.Gen()
	l, err := s.OrgLimits(ctx, orgID)
	if err == nil {
		s.minRedeem.Keep(gen, orgID, l.MinRedeemMinutes)
	}
	return l.MinRedeemMinutes, err
}
