package store

import (
	"context"
	"time"

	"github.com/lib/pq"
)

// Allowance is what a person may take of a store's items now, for the catalogue to show before
// they order: the units left under each limited item's limit in the current period (week, month
// or quarter), their star level, and the verified service they lack for a first redemption. Placing
// the order decides again, under the limit lock.
type Allowance struct {
	Left  map[int64]int // item → units left this period, for limited items only
	Stars int           // the person's star level; 0 when no item needs stars
	// FirstRedemption is the minimum of verified service the store's organization asks before a
	// first redemption and what the person has, when they have less and have never redeemed; nil
	// when it does not bar them.
	FirstRedemption *MinimumHoursError
}

// CanTake is how many units of the item the person may take under its limit: -1 for no limit.
func (a Allowance) CanTake(it Item) int {
	if it.LimitQty <= 0 {
		return -1
	}
	if left, ok := a.Left[it.ID]; ok {
		return left
	}
	return it.LimitQty
}

// Barred reports why the person may not take the item now: "minimum_hours" when their verified
// service is below the minimum for a first redemption, "stars" when it needs more stars than they
// have, "limit" when they have reached its limit this period; "" when they may.
func (a Allowance) Barred(it Item) string {
	switch {
	case a.FirstRedemption != nil:
		return "minimum_hours"
	case it.MinStars > a.Stars:
		return "stars"
	case a.CanTake(it) == 0:
		return "limit"
	}
	return ""
}

// Allowances returns what the person may still take of the items (of one store) at now, reading
// without locks.
func (s *Service) Allowances(ctx context.Context, userID int64, items []Item, now time.Time) (Allowance, error) {
	a := Allowance{Left: map[int64]int{}}
	var users, ids, since []int64
	stars := false
	for _, it := range items {
		if it.LimitQty > 0 {
			k := limitKey(userID, it, now)
			users, ids, since = append(users, k.user), append(ids, k.item), append(since, k.since)
		}
		stars = stars || it.MinStars > 0
	}
	if len(users) > 0 {
		var counts []usageCount
		if err := s.db.SelectContext(ctx, &counts, usageQuery, pq.Int64Array(users), pq.Int64Array(ids),
			pq.Int64Array(since), 0); err != nil {
			return Allowance{}, err
		}
		byID := make(map[int64]Item, len(items))
		for _, it := range items {
			byID[it.ID] = it
		}
		for _, c := range counts {
			id := ids[c.N-1]
			a.Left[id] = max(byID[id].LimitQty-c.Used, 0)
		}
	}
	if len(items) == 0 {
		return a, nil
	}
	st, err := s.storeInfo(ctx, s.db, items[0].StoreID)
	if err != nil {
		return Allowance{}, err
	}
	if a.FirstRedemption, err = s.firstRedemptionShort(ctx, userID, st.OrgID, nil); err != nil {
		return Allowance{}, err
	}
	if stars && s.opt.Stars != nil {
		// Stars under the thresholds of the store's organization, as an order is decided.
		if a.Stars, err = s.opt.Stars.StarLevel(ctx, userID, st.OrgID); err != nil {
			return Allowance{}, err
		}
	}
	return a, nil
}
