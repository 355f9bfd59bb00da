package activity

import (
	"bytes"
	"context"
	"database/sql"
	"errors"

	"timebank/ledger"
)

// transferTx records a transfer inside the transaction, holding the locks of sender and recipient
// so that the yearly sum, the replay check and the recipient's cap read a state nobody else changes.
// lim are the sender's limits (VolunteerLimits); the recipient's cap is that of their own.
func (s *Service) transferTx(ctx context.Context, ltx *ledger.Tx, lim CreditLimits, fromUserID, toUserID int64, toAccount, key string,
	r TransferRequest) (Transfer, bool, error) {
	tx := ltx.Sqlx()
	if err := lockVolunteers(ctx, tx, fromUserID, toUserID); err != nil {
		return Transfer{}, false, err
	}
	var prev struct {
		Transfer
		Hash []byte `db:"request_hash"`
	}
	err := tx.GetContext(ctx, &prev, `SELECT `+transferColumns+`, request_hash FROM credit_transfers
WHERE from_user_id = $1 AND idempotency_key = $2`, fromUserID, key)
	switch {
	case err == nil && bytes.Equal(prev.Hash, r.hash()):
		return prev.Transfer, true, nil
	case err == nil:
		return Transfer{}, false, ledger.ErrIdempotencyConflict
	case !errors.Is(err, sql.ErrNoRows):
		return Transfer{}, false, err
	}
	year := DateOf(s.now()).Year
	var sent int64
	if err := tx.GetContext(ctx, &sent, `SELECT coalesce(sum(amount), 0) FROM credit_transfers
WHERE from_user_id = $1 AND year = $2`, fromUserID, year); err != nil {
		return Transfer{}, false, err
	}
	if sent+r.Amount > lim.MaxYearMinutes {
		return Transfer{}, false, ErrYearlyLimit
	}
	kind, toRecipient, overflow := ledger.TxDonate, int64(0), r.Amount
	var relationship, recipient any
	if r.To == ToFamily {
		if err := recordRelationship(ctx, ltx, fromUserID, toUserID, r.Relationship); err != nil {
			return Transfer{}, false, err
		}
		available, err := availableTx(ctx, tx, toAccount)
		if err != nil {
			return Transfer{}, false, err
		}
		held, err := s.volunteerLimits(ctx, tx, toUserID)
		if err != nil {
			return Transfer{}, false, err
		}
		toRecipient, overflow = held.split(available, r.Amount)
		kind, relationship, recipient = ledger.TxTransfer, r.Relationship, toUserID
	}
	req := ledger.TransactionRequest{
		Kind:           kind,
		Memo:           "credit transfer",
		Reference:      "activity:transfer",
		Postings:       []ledger.PostingRequest{{Account: userAccount(fromUserID), Amount: -r.Amount}},
		IdempotencyKey: ledgerKey(fromUserID, key),
		CreatedBy:      "user:" + itoa(fromUserID),
	}
	if toRecipient > 0 {
		req.Postings = append(req.Postings, ledger.PostingRequest{Account: toAccount, Amount: toRecipient})
	}
	if overflow > 0 {
		req.Postings = append(req.Postings, ledger.PostingRequest{Account: s.limits.PoolAccount, Amount: overflow})
	}
	txID, _, err := ltx.Post(ctx, req)
	if err != nil {
		return Transfer{}, false, err
	}
	if r.To == ToPool {
		overflow = 0 // a donation is not an overflow: all of it was meant for the pool
	}
	var t Transfer
	err = tx.GetContext(ctx, &t, `
INSERT INTO credit_transfers (from_user_id, to_user_id, relationship, to_account, amount, overflow, pool_account,
    tx_id, idempotency_key, request_hash, year)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING `+transferColumns,
		fromUserID, recipient, relationship, toAccount, r.Amount, overflow, s.limits.PoolAccount, txID, key, r.hash(), year)
	return t, false, err
}

// recordRelationship records what the recipient is to the sender the first time, and refuses a
// transfer that states another relationship later.
func recordRelationship(ctx context.Context, ltx *ledger.Tx, userID, relativeID int64, relationship string) error {
	tx := ltx.Sqlx()
	if _, err := tx.ExecContext(ctx, `INSERT INTO family_relationships (user_id, relative_id, relationship)
VALUES ($1, $2, $3) ON CONFLICT (user_id, relative_id) DO NOTHING`, userID, relativeID, relationship); err != nil {
		return err
	}
	var recorded string
	if err := tx.GetContext(ctx, &recorded, `SELECT relationship FROM family_relationships
WHERE user_id = $1 AND relative_id = $2`, userID, relativeID); err != nil {
		return err
	}
	if recorded != relationship {
		return ErrRelationshipMismatch
	}
	return nil
}

// Relative is a family member the volunteer has given credits to, with the relationship recorded.
type Relative struct {
	UserID       int64  `db:"user_id" json:"user_id"`
	Name         string `db:"name" json:"name"`
	VolunteerNo  string `db:"volunteer_no" json:"volunteer_no"`
	Relationship string `db:"relationship" json:"relationship"`
}

// Family returns the relatives the volunteer has recorded, in the order they were first given credits.
func (s *Service) Family(ctx context.Context, userID int64) ([]Relative, error) {
	out := []Relative{}
	err := s.db.SelectContext(ctx, &out, `SELECT f.relative_id AS user_id, u.name, u.volunteer_no, f.relationship
FROM family_relationships f JOIN users u ON u.id = f.relative_id WHERE f.user_id = $1 ORDER BY f.id`, userID)
	return out, err
}
