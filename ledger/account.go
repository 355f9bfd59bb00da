package ledger

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"time"
)

// Kind of an account: who owns it, which decides how it behaves.
const (
	KindVolunteer = "volunteer" // a person's spendable credits; never negative
	KindIssuer    = "issuer"    // an organization's issuing account; goes negative by what it vouched for
	KindStore     = "store"     // a charity supermarket's account; receives redeemed credits
	KindPool      = "pool"      // a community pool that collects donated credits
	KindSystem    = "system"    // expiry, adjustments and other bookkeeping
)

// MaxSlots is the most balance rows one account may be split into.
const MaxSlots = 64

// DefaultHotSlots is how many balance rows an account that may go negative gets unless told otherwise:
// enough that 16–32 concurrent writers rarely meet on one row.
const DefaultHotSlots = 16

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_-]*(:[a-z0-9_-]+)*$`)

// ValidCode says whether code has the form of an account code (lower-case words separated by colons,
// at most 100 bytes), so callers can refuse anything else before it reaches the database.
func ValidCode(code string) bool { return len(code) <= 100 && codePattern.MatchString(code) }

// Account is a ledger account.
type Account struct {
	ID            int64     `db:"id" json:"-"`
	Code          string    `db:"code" json:"code"`
	Kind          string    `db:"kind" json:"kind"`
	AllowNegative bool      `db:"allow_negative" json:"allow_negative"`
	Slots         int       `db:"slots" json:"slots"`
	CreatedAt     time.Time `db:"created_at" json:"created_at"`
}

// NewAccount is a request to open an account. Slots is optional: guarded accounts always have one,
// accounts that may go negative get DefaultHotSlots.
type NewAccount struct {
	Code          string `json:"code"`
	Kind          string `json:"kind"`
	AllowNegative bool   `json:"allow_negative"`
	Slots         int    `json:"slots,omitempty"`
}

// Validate checks the request and fills in the default slot count.
func (n *NewAccount) Validate() error {
	switch {
	case n.Code == "":
		return invalid("code", "required")
	case len(n.Code) > 100:
		return invalid("code", "too_long")
	case !codePattern.MatchString(n.Code):
		return invalid("code", "format")
	}
	switch n.Kind {
	case KindVolunteer, KindIssuer, KindStore, KindPool, KindSystem:
	case "":
		return invalid("kind", "required")
	default:
		return invalid("kind", "unknown")
	}
	if n.Slots == 0 {
		n.Slots = 1
		if n.AllowNegative {
			n.Slots = DefaultHotSlots
		}
	}
	if n.Slots < 1 || n.Slots > MaxSlots {
		return invalid("slots", "range")
	}
	if !n.AllowNegative && n.Slots != 1 {
		return invalid("slots", "guarded_single")
	}
	return nil
}

// CreateAccount opens an account with a zero balance.
// Errors: ErrInvalid, ErrAccountExists.
func (l *Ledger) CreateAccount(ctx context.Context, n NewAccount) (Account, error) {
	a, err := createAccount(ctx, l.db, n)
	if err == nil && !l.proj.down() {
		// Project the zero rows now, so that Redis holds the account complete from the start.
		if err := l.repair(ctx, []int64{a.ID}); err != nil {
			l.log.Warn("ledger: projection of new account", "account", a.Code, "err", err)
		}
	}
	return a, err
}

// EnsureAccount opens the account unless one with the code exists, and returns it either way.
// Errors: ErrInvalid, and ErrAccountExists when the existing account differs in kind or sign.
func (l *Ledger) EnsureAccount(ctx context.Context, n NewAccount) (Account, error) {
	a, err := createAccount(ctx, l.db, n)
	if !errors.Is(err, ErrAccountExists) {
		return a, err
	}
	a, err = l.Account(ctx, n.Code)
	if err == nil && (a.Kind != n.Kind || a.AllowNegative != n.AllowNegative) {
		return a, ErrAccountExists
	}
	return a, err
}

func createAccount(ctx context.Context, q queryer, n NewAccount) (Account, error) {
	if err := n.Validate(); err != nil {
		return Account{}, err
	}
	const stmt = `
WITH a AS (
    INSERT INTO ledger_accounts (code, kind, allow_negative, slots) VALUES ($1, $2, $3, $4)
    RETURNING id, code, kind, allow_negative, slots, created_at
), b AS (
    INSERT INTO ledger_balances (account_id, slot, allow_negative)
    SELECT a.id, s, a.allow_negative FROM a, generate_series(0, a.slots - 1) AS s
)
SELECT * FROM a`
	var a Account
	err := q.QueryRowxContext(ctx, stmt, n.Code, n.Kind, n.AllowNegative, n.Slots).StructScan(&a)
	return a, dbError(err)
}

// Account returns the account with the code.
// Errors: ErrAccountNotFound.
func (l *Ledger) Account(ctx context.Context, code string) (Account, error) {
	var a Account
	err := l.db.GetContext(ctx, &a,
		`SELECT id, code, kind, allow_negative, slots, created_at FROM ledger_accounts WHERE code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return a, &AccountError{Err: ErrAccountNotFound, Account: code}
	}
	return a, err
}
