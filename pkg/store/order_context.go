package store

import (
	"context"
	"database/sql"
	"slices"

	"github.com/lib/pq"

	"timebank/pkg/identity"
	"timebank/pkg/principal"
)

// orderContext is what placing an order needs to know before its transaction.
type orderContext struct {
	replay      int64 // an earlier order under the idempotency key with the same request, or 0
	store       storeRow
	policy      Policy
	userAccount string
	redeemed    bool           // whether the volunteer has redeemed before (redeemedQuery), for the first-redemption minimum
	items       map[int64]Item // the items ordered, without their stock
}

// orderContextQuery reads, in one round trip, an earlier order under the idempotency key ($3, $4),
// the store ($1) with its policy, the volunteer's ($5) account, whether they redeemed before (as
// redeemedQuery, so that the first-redemption minimum needs no read of its own) and the items
// ordered ($2). It
// returns one row per item found, or one row with the item's columns NULL when none is; the store's
// columns are NULL when there is no such store.
const orderContextQuery = `
SELECT r.id, r.request_hash, s.id, s.org_id, s.name, s.account_code, p.policy, u.account_code,
       EXISTS (SELECT 1 FROM store_orders WHERE user_id = $5 AND status IN ('pending', 'fulfilled')),
       i.id, i.name, i.unit, i.price, coalesce(i.limit_qty, 0), coalesce(i.limit_period, ''), i.min_stars, i.active
FROM (VALUES (1)) AS one (x)
LEFT JOIN store_orders r ON r.idem_scope = $3 AND r.idem_key = $4
LEFT JOIN stores s ON s.id = $1
LEFT JOIN store_policies p ON p.store_id = s.id
LEFT JOIN users u ON u.id = $5
LEFT JOIN store_items i ON i.store_id = s.id AND i.id = ANY((SELECT $2)::bigint[])` // see lots.go on ANY

// orderContext reads what placing the order needs and checks, in the order PlaceOrder promises,
// that it may go on: an earlier request under the key is replayed (or a different one refused),
// then the store and each item must exist. The volunteer's account is checked after the items
// (see PlaceOrder).
// Errors: ErrIdempotencyConflict, ErrStoreNotFound, ErrItemNotFound (*LineError).
func (s *Service) orderContext(ctx context.Context, actor *principal.Principal, key string, hash []byte, n NewOrder) (orderContext, error) {
	ids := itemIDs(n.Lines)
	rows, err := s.st.Query(ctx, s.db, orderContextQuery, n.Store, pq.Int64Array(ids), actor.Label(), key, actor.UserID)
	if err != nil {
		return orderContext{}, err
	}
	defer rows.Close()
	oc := orderContext{items: make(map[int64]Item, len(ids))}
	var (
		replay                  sql.NullInt64
		replayHash, policy      []byte
		storeID, storeOrg       sql.NullInt64
		storeName, storeAccount sql.NullString
		userAccount             sql.NullString
		redeemed                bool
	)
	for rows.Next() {
		var (
			id              sql.NullInt64
			name, unit      sql.NullString
			price, limitQty sql.NullInt64
			period          sql.NullString
			minStars        sql.NullInt64
			active          sql.NullBool
		)
		err := rows.Scan(&replay, &replayHash, &storeID, &storeOrg, &storeName, &storeAccount, &policy, &userAccount,
			&redeemed, &id, &name, &unit, &price, &limitQty, &period, &minStars, &active)
		if err != nil {
			return oc, err
		}
		if id.Valid {
			oc.items[id.Int64] = Item{ID: id.Int64, StoreID: n.Store, Name: name.String, Unit: unit.String, Price: price.Int64,
				LimitQty: int(limitQty.Int64), LimitPeriod: Period(period.String), MinStars: int(minStars.Int64), Active: active.Bool}
		}
	}
	if err := rows.Err(); err != nil {
		return oc, err
	}
	switch {
	case replay.Valid && !slices.Equal(replayHash, hash):
		return oc, ErrIdempotencyConflict
	case replay.Valid:
		oc.replay = replay.Int64
		return oc, nil
	case !storeID.Valid:
		return oc, ErrStoreNotFound
	}
	for i, id := range ids {
		if _, ok := oc.items[id]; !ok {
			return oc, &LineError{Err: ErrItemNotFound, Line: i, Item: id, Field: "item", Reason: "not_found"}
		}
	}
	oc.store = storeRow{ID: storeID.Int64, OrgID: storeOrg.Int64, Name: storeName.String, AccountCode: storeAccount.String}
	oc.userAccount = userAccount.String
	oc.redeemed = redeemed
	oc.policy, err = parsePolicy(policy)
	return oc, err
}

// account returns the volunteer's ledger account.
// Errors: identity.ErrUserNotFound.
func (oc orderContext) account() (string, error) {
	if oc.userAccount == "" {
		return "", identity.ErrUserNotFound
	}
	return oc.userAccount, nil
}
