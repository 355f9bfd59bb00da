package activity

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"timebank/fields"
	"timebank/ledger"
)

// The destinations of a transfer.
const (
	ToFamily = "family" // a spouse or direct relative, by volunteer number and name
	ToPool   = "pool"   // the community pool (for elderly people in need)
)

// Relationships credits may be given across: spouse and direct relatives (DOMAIN.md).
var Relationships = []string{"spouse", "parent", "child", "grandparent", "grandchild", "sibling"}

// TransferRequest gives credits to a family member or donates them to the community pool. The
// recipient is named by volunteer number and name together, so that a mistyped number reaches nobody.
type TransferRequest struct {
	To           string `json:"to"` // family or pool
	VolunteerNo  string `json:"volunteer_no,omitempty"`
	Name         string `json:"name,omitempty"`
	Relationship string `json:"relationship,omitempty"` // the recipient is the sender's …
	Amount       int64  `json:"amount"`                 // credit minutes
}

// Transfer is a transfer as recorded. Overflow is the part that went to the pool because the
// recipient's account was at its cap.
type Transfer struct {
	ID           int64     `db:"id" json:"id"`
	FromUserID   int64     `db:"from_user_id" json:"from_user_id"`
	ToUserID     *int64    `db:"to_user_id" json:"to_user_id,omitempty"`
	Relationship *string   `db:"relationship" json:"relationship,omitempty"`
	ToAccount    string    `db:"to_account" json:"to_account"`
	Amount       int64     `db:"amount" json:"amount"`
	Overflow     int64     `db:"overflow" json:"overflow"`
	PoolAccount  string    `db:"pool_account" json:"pool_account"`
	TxID         int64     `db:"tx_id" json:"tx_id"`
	CreatedAt    time.Time `db:"created_at" json:"created_at"`
}

const transferColumns = `id, from_user_id, to_user_id, relationship, to_account, amount, overflow, pool_account,
	tx_id, created_at`

func (r *TransferRequest) validate(limits CreditLimits) error {
	bad := fields.Set{}
	switch r.To {
	case ToFamily:
		r.VolunteerNo = strings.ToUpper(strings.TrimSpace(r.VolunteerNo))
		if r.VolunteerNo == "" {
			bad["volunteer_no"] = "required"
		}
		if reason := cleanText(&r.Name, 50, true, false); reason != "" {
			bad["name"] = reason
		}
		if r.Relationship == "" {
			bad["relationship"] = "required"
		} else if !slices.Contains(Relationships, r.Relationship) {
			bad["relationship"] = "unknown"
		}
	case ToPool:
		if r.VolunteerNo != "" || r.Name != "" || r.Relationship != "" {
			bad["to"] = "pool_takes_no_recipient"
		}
	case "":
		bad["to"] = "required"
	default:
		bad["to"] = "unknown"
	}
	switch {
	case r.Amount < 1:
		bad["amount"] = "range"
	case r.Amount > limits.MaxTransferMinutes:
		bad["amount"] = "over_transfer_limit"
	}
	return bad.Err(ErrInvalid)
}

// hash identifies the request for idempotency, field by field with lengths, so boundaries cannot shift.
func (r TransferRequest) hash() []byte {
	h := sha256.New()
	for _, s := range []string{r.To, r.VolunteerNo, r.Name, r.Relationship} {
		_ = binary.Write(h, binary.BigEndian, uint32(len(s)))
		h.Write([]byte(s))
	}
	_ = binary.Write(h, binary.BigEndian, r.Amount)
	return h.Sum(nil)
}

// Transfer moves credits from the volunteer to a family member (the relationship is recorded, and
// must stay the one recorded before) or donates them to the community pool, within the limits: per
// transfer, per calendar year, and the recipient's account cap (the part above it goes to the pool).
// key is the caller's Idempotency-Key: the same key with the same request returns the first transfer
// (replayed true), with another request ledger.ErrIdempotencyConflict.
// Errors: ErrInvalid (*fields.Error: also volunteer_no transfer_to_self, Idempotency-Key format), ErrRecipientNotFound,
// ErrRelationshipMismatch, ErrYearlyLimit, ledger.ErrInsufficientFunds, ledger.ErrIdempotencyConflict.
func (s *Service) Transfer(ctx context.Context, fromUserID int64, key string, r TransferRequest) (Transfer, bool, error) {
	lim, err := s.VolunteerLimits(ctx, fromUserID)
	if err != nil {
		return Transfer{}, false, err
	}
	if err := r.validate(lim); err != nil {
		return Transfer{}, false, err
	}
	// The ledger's one rule for keys; transfers have always named any fault of it "format" of the
	// header, since an empty header never gets this far.
	if ledger.KeyReason(key, ledger.MaxKey) != "" {
		return Transfer{}, false, invalid("Idempotency-Key", "format")
	}
	var toUserID int64
	toAccount := s.limits.PoolAccount
	if r.To == ToFamily {
		err = s.db.QueryRowContext(ctx, `SELECT id, account_code FROM users WHERE volunteer_no = $1 AND name = $2`,
			r.VolunteerNo, r.Name).Scan(&toUserID, &toAccount)
		if errors.Is(err, sql.ErrNoRows) {
			return Transfer{}, false, ErrRecipientNotFound
		} else if err != nil {
			return Transfer{}, false, err
		}
		if toUserID == fromUserID {
			return Transfer{}, false, invalid("volunteer_no", "transfer_to_self")
		}
	}
	if err := s.ensurePool(ctx); err != nil {
		return Transfer{}, false, err
	}
	var t Transfer
	var replayed bool
	err = s.ledger.InTx(ctx, func(ltx *ledger.Tx) error {
		var err error
		t, replayed, err = s.transferTx(ctx, ltx, lim, fromUserID, toUserID, toAccount, key, r)
		return err
	})
	return t, replayed, err
}

// ledgerKey is the ledger's idempotency key of a transfer: the caller's key hashed with the sender,
// so that any key the caller chooses fits and no two senders share one.
func ledgerKey(fromUserID int64, key string) string {
	h := sha256.Sum256([]byte(key))
	return "activity:transfer:" + itoa(fromUserID) + ":" + hex.EncodeToString(h[:16])
}
