package store

import (
	"context"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// checkItems refuses lines whose item is not offered or needs more stars than the person has under
// the thresholds of the store's organization (orgID). It asks for the star level only when an item
// needs one.
func (s *Service) checkItems(ctx context.Context, userID, orgID int64, lines []OrderLine, items map[int64]Item) error {
	stars := -1
	for i, l := range lines {
		it := items[l.Item]
		if !it.Active {
			return lineError(ErrItemUnavailable, i, it, "item", ReasonInactive)
		}
		if it.MinStars == 0 {
			continue
		}
		if stars < 0 {
			stars = 0
			if s.opt.Stars != nil {
				n, err := s.opt.Stars.StarLevel(ctx, userID, orgID)
				if err != nil {
					return err
				}
				stars = n
			}
		}
		if stars < it.MinStars {
			return lineError(ErrStarsRequired, i, it, "item", ReasonStars)
		}
	}
	return nil
}

// checkFirstRedemption refuses the first redemption of a volunteer whose verified service is below
// the minimum the store's organization asks (its credit policy). A volunteer who has redeemed
// before (an order pending or handed out, or a sale, at any store) is not asked again: the rule is
// about a first redemption, and service records only grow.
// Errors: ErrMinimumHours (a *fields.Error on field user, reason minimum_hours).
// A caller that already read whether the volunteer redeemed before (redeemedQuery, in a read of its
// own) passes it as redeemed, saving a round trip; nil has it read here.
func (s *Service) checkFirstRedemption(ctx context.Context, userID, orgID int64, redeemed *bool) error {
	short, err := s.firstRedemptionShort(ctx, userID, orgID, redeemed)
	if err != nil || short == nil {
		return err
	}
	return short
}

// redeemedQuery says whether the volunteer ($1) has redeemed before: an order pending or handed
// out, or a sale, at any store.
const redeemedQuery = `SELECT EXISTS (SELECT 1 FROM store_orders WHERE user_id = $1 AND status IN ('pending', 'fulfilled'))`

// firstRedemptionShort returns what the volunteer lacks for a first redemption at a store of the
// organization, or nil when nothing bars them (no minimum, redeemed before, or enough service).
// Whether the volunteer redeemed before is read only when redeemed is nil.
func (s *Service) firstRedemptionShort(ctx context.Context, userID, orgID int64, redeemed *bool) (*MinimumHoursError, error) {
	if s.opt.ServiceTime == nil {
		return nil, nil
	}
	need, err := s.opt.ServiceTime.MinRedeemMinutes(ctx, orgID)
	if err != nil || need == 0 {
		return nil, err
	}
	if redeemed == nil {
		redeemed = new(bool)
		if err := s.st.Get(ctx, s.db, redeemed, redeemedQuery, userID); err != nil {
			return nil, err
		}
	}
	if *redeemed {
		return nil, nil
	}
	have, err := s.opt.ServiceTime.VerifiedMinutes(ctx, userID)
	if err != nil {
		return nil, err
	}
	if have < need {
		return &MinimumHoursError{NeedMinutes: need, HaveMinutes: have}, nil
	}
	return nil, nil
}

// limitLock is the advisory lock that serializes one person's orders and sales while their limits
// are counted, so that two concurrent orders cannot both fit under a limit that only one fits.
// Other people's orders do not wait for it.
func limitLock(userID int64) int64 { return 0x73746f72<<32 ^ userID } // "stor"

// checkLimits refuses a line that would take the person past its item's limit for the period
// (week, month or quarter, in China Standard Time). What counts is every pending order (as
// ordered) and every fulfilled order or sale (as handed out) created in the period, other than
// the order being placed (0 when it is not written yet).
func (s *Service) checkLimits(ctx context.Context, tx *sqlx.Tx, userID, orderID int64, now time.Time, lines []OrderLine, items map[int64]Item) error {
	var keys []usageKey
	for _, l := range lines {
		if it := items[l.Item]; it.LimitQty > 0 {
			keys = append(keys, limitKey(userID, it, now))
		}
	}
	used, err := s.limitUsage(ctx, tx, keys, orderID)
	if err != nil {
		return err
	}
	for i, l := range lines {
		if it := items[l.Item]; it.LimitQty > 0 && used[limitKey(userID, it, now)]+l.Qty > it.LimitQty {
			return lineError(ErrOverLimit, i, it, "qty", ReasonOverLimit)
		}
	}
	return nil
}

// usageKey names what a person has of a limited item in the period that starts at since (Unix).
type usageKey struct{ user, item, since int64 }

// limitKey is the person's usage of the limited item in the period of now.
func limitKey(userID int64, it Item, now time.Time) usageKey {
	return usageKey{userID, it.ID, it.LimitPeriod.Start(now).Unix()}
}

// usageQuery counts, for each (person, item, period start) of the arrays, what the person has of
// the item in the period: pending orders as ordered, fulfilled ones as handed out, leaving out the
// order $4.
const usageQuery = `
SELECT x.n, (
    SELECT coalesce(sum(CASE WHEN o.status = 'fulfilled' THEN l.handed_out ELSE l.qty END), 0)
    FROM store_orders o
    CROSS JOIN LATERAL (SELECT item_id, qty, handed_out FROM store_order_lines WHERE order_id = o.id OFFSET 0) l
    WHERE l.item_id = x.item AND o.user_id = x.usr AND o.status IN ('pending', 'fulfilled')
      AND o.created_at >= to_timestamp(x.since) AND o.id <> $4) AS used
FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) WITH ORDINALITY AS x (usr, item, since, n)`

// usageCount is a row of usageQuery: the ordinal of the key and what it counts.
type usageCount struct {
	N    int `db:"n"`
	Used int `db:"used"`
}

// limitUsage takes the limit locks of the people the keys name (in lock order, so that batches and
// single orders never wait for each other in a circle) and then counts, for each key, what the
// person already has of the item in the period, leaving out the order except (0 for none).
func (s *Service) limitUsage(ctx context.Context, tx *sqlx.Tx, keys []usageKey, except int64) (map[usageKey]int, error) {
	used := make(map[usageKey]int, len(keys))
	var locks, users, items, since []int64
	for _, k := range keys {
		if _, ok := used[k]; !ok {
			used[k] = 0
			users, items, since = append(users, k.user), append(items, k.item), append(since, k.since)
			locks = append(locks, limitLock(k.user))
		}
	}
	if len(users) == 0 {
		return used, nil
	}
	slices.Sort(locks)
	_, err := s.st.Exec(ctx, tx, `
SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT k FROM unnest($1::bigint[]) AS k ORDER BY k) AS l`, pq.Int64Array(slices.Compact(locks)))
	if err != nil {
		return nil, err
	}
	// A new statement, so a new snapshot: it sees the orders of whoever held a lock before. An
	// order's lines are read by its key, fenced (OFFSET 0) so that the item is a filter on them,
	// not a scan of every line of a popular item.
	var counts []usageCount
	err = s.st.Select(ctx, tx, &counts, usageQuery, pq.Int64Array(users), pq.Int64Array(items), pq.Int64Array(since), except)
	if err != nil {
		return nil, err
	}
	for _, c := range counts {
		used[usageKey{users[c.N-1], items[c.N-1], since[c.N-1]}] = c.Used
	}
	return used, nil
}
