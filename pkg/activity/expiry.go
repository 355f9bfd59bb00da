package activity

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/ledger"
	"timebank/pkg/chinatime"
	"timebank/pkg/notify"
)

// ExpiryAccount is the system account expired credits go to.
const ExpiryAccount = "sys:expired"

// ExpiryNoticeBefore is how long before credits expire the volunteer is told.
const ExpiryNoticeBefore = 30 * 24 * time.Hour

// addLot records an earning as a lot that expires, when the organization's policy sets an expiry
// (lim.ExpiryMonths) and credits reached the volunteer's account: so the expiry of each earning is
// fixed when it is made, and a later change of policy does not move it.
func (s *Service) addLot(ctx context.Context, tx *sqlx.Tx, lim CreditLimits, txID, userID, orgID, credits int64) error {
	if lim.ExpiryMonths <= 0 || credits <= 0 || txID == 0 {
		return nil
	}
	expires := s.now().In(chinatime.Zone()).AddDate(0, int(lim.ExpiryMonths), 0)
	_, err := tx.ExecContext(ctx, `INSERT INTO credit_lots (earn_tx_id, user_id, org_id, amount, expires_at)
VALUES ($1, $2, $3, $4, $5)`, txID, userID, orgID, credits, expires)
	return err
}

// lot is a credit lot as the expiry worker reads it.
type lot struct {
	TxID     int64      `db:"earn_tx_id"`
	Expires  time.Time  `db:"expires_at"`
	Notified *time.Time `db:"notified_at"`
}

// ExpireCredits posts what is left of credits whose time is over, and tells volunteers of credits
// that expire within ExpiryNoticeBefore, for at most limit volunteers; it returns how many it
// handled. Credits are spent earned-first-spent-first: what a volunteer spent (and holds for
// orders) used up their oldest credits first, so what expires of a lot is what later credits did
// not have to cover. Each volunteer is handled in one transaction, under their lock, with the notice
// written in it; the expiry is one `expire` transaction to ExpiryAccount. Service records are
// never touched. Safe to run on several servers at once.
func (s *Service) ExpireCredits(ctx context.Context, limit int) (int, error) {
	now := s.now()
	var users []int64
	if err := s.db.SelectContext(ctx, &users, `
SELECT user_id FROM credit_lots
WHERE settled_at IS NULL AND (expires_at <= $1 OR (notified_at IS NULL AND expires_at <= $2))
GROUP BY user_id ORDER BY min(expires_at) LIMIT $3`, now, now.Add(ExpiryNoticeBefore), limit); err != nil {
		return 0, err
	}
	if len(users) == 0 {
		return 0, nil
	}
	if _, err := s.ledger.EnsureAccount(ctx, ledger.NewAccount{Code: ExpiryAccount, Kind: ledger.KindSystem}); err != nil {
		return 0, fmt.Errorf("activity: expiry account: %w", err)
	}
	for _, u := range users {
		if err := s.ledger.InTx(ctx, func(ltx *ledger.Tx) error { return s.expireFor(ctx, ltx, u, now) }); err != nil {
			return 0, fmt.Errorf("activity: expire credits of user %d: %w", u, err)
		}
	}
	return len(users), nil
}

// expireFor settles the volunteer's due lots and tells them of lots soon due.
func (s *Service) expireFor(ctx context.Context, ltx *ledger.Tx, userID int64, now time.Time) error {
	tx := ltx.Sqlx()
	if err := lockVolunteers(ctx, tx, userID); err != nil {
		return err
	}
	var lots []lot
	if err := tx.SelectContext(ctx, &lots, `SELECT earn_tx_id, expires_at, notified_at FROM credit_lots
WHERE user_id = $1 AND settled_at IS NULL ORDER BY earn_tx_id`, userID); err != nil {
		return err
	}
	left, err := unspent(ctx, tx, userID)
	if err != nil {
		return err
	}
	var due, dueIDs, dueAmounts []int64
	var notices []notify.Notice
	var told []int64
	for _, l := range lots {
		switch {
		case !l.Expires.After(now):
			dueIDs, dueAmounts = append(dueIDs, l.TxID), append(dueAmounts, left[l.TxID])
			due = append(due, left[l.TxID])
		case l.Notified == nil && l.Expires.Sub(now) <= ExpiryNoticeBefore:
			told = append(told, l.TxID)
			if left[l.TxID] > 0 {
				notices = append(notices, notify.Notice{UserID: userID, Kind: notify.CreditsExpiring,
					Event:  "credits-expiring:" + itoa(l.TxID),
					Params: map[string]any{"credits": left[l.TxID], "expires_at": l.Expires.Format(time.RFC3339)}})
			}
		}
	}
	var total int64
	for _, n := range due {
		total += n
	}
	var expireTx any
	if total > 0 {
		id, _, err := ltx.Post(ctx, ledger.TransactionRequest{Kind: ledger.TxExpire, Memo: "credits expired",
			Reference: "activity:expiry", CreatedBy: "system:expiry", IdempotencyKey: "activity:expire:lot:" + itoa(dueIDs[0]),
			Postings: []ledger.PostingRequest{{Account: userAccount(userID), Amount: -total}, {Account: ExpiryAccount, Amount: total}}})
		if err != nil {
			return err
		}
		expireTx = id
	}
	if len(dueIDs) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE credit_lots l SET settled_at = $2, expired = d.amount, expire_tx_id = $3
FROM unnest($1::bigint[], $4::bigint[]) AS d (id, amount) WHERE l.earn_tx_id = d.id`,
			pq.Int64Array(dueIDs), now, expireTx, pq.Int64Array(dueAmounts)); err != nil {
			return err
		}
	}
	if len(told) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE credit_lots SET notified_at = $2 WHERE earn_tx_id = ANY($1)`,
			pq.Int64Array(told), now); err != nil {
			return err
		}
	}
	if s.notify != nil {
		return s.notify.Write(ctx, tx, notices...)
	}
	return nil
}

// unspent returns, for each transaction that brought credits into the volunteer's account, how
// much of it is left under earned-first-spent-first: whatever left the account (spending,
// transfers, holds for orders) is taken from the oldest credits first, except what expired (taken
// from its own lot when it was settled) and what reversed an earlier credit (taken from that credit).
func unspent(ctx context.Context, tx *sqlx.Tx, userID int64) (map[int64]int64, error) {
	account := userAccount(userID)
	var settled []struct {
		TxID    int64 `db:"earn_tx_id"`
		Expired int64 `db:"expired"`
	}
	if err := tx.SelectContext(ctx, &settled, `SELECT earn_tx_id, expired FROM credit_lots
WHERE user_id = $1 AND expired > 0`, userID); err != nil {
		return nil, err
	}
	expired := make(map[int64]int64, len(settled))
	for _, l := range settled {
		expired[l.TxID] = l.Expired
	}
	var rows []struct {
		TxID     int64  `db:"tx_id"`
		Amount   int64  `db:"amount"`
		Kind     string `db:"kind"`
		Reverses *int64 `db:"reverses"`
	}
	if err := tx.SelectContext(ctx, &rows, `
SELECT p.tx_id, p.amount, t.kind, t.reverses
FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.tx_id
WHERE p.account_id = (SELECT id FROM ledger_accounts WHERE code = $1)
ORDER BY p.id`, account); err != nil {
		return nil, err
	}
	var spent int64
	if err := tx.GetContext(ctx, &spent, `SELECT coalesce(sum(b.pending), 0)
FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id WHERE a.code = $1`, account); err != nil {
		return nil, err
	}
	left := map[int64]int64{}
	var order []int64
	for _, r := range rows {
		switch {
		case r.Amount > 0:
			left[r.TxID] += r.Amount - expired[r.TxID]
			order = append(order, r.TxID)
		case r.Kind == ledger.TxExpire:
			// Taken from the lots it settled: their expired part is out of left above.
		case r.Reverses != nil && left[*r.Reverses] > 0:
			take := min(left[*r.Reverses], -r.Amount)
			left[*r.Reverses] -= take
			spent += -r.Amount - take
		default:
			spent += -r.Amount
		}
	}
	for _, id := range order {
		take := min(left[id], spent)
		left[id] -= take
		spent -= take
	}
	return left, nil
}
