package activity

import (
	"context"
	"fmt"
	"sync"

	"timebank/ledger"
)

// CreditLimits are limits on credits in minutes: the built-in ones of the service (its options),
// and those in force at an organization once the credit policies of the platform, its regions and
// itself are applied (see CreditPolicy). No national rule fixes them; the defaults follow the
// programmes DOMAIN.md names (Nanjing's 1,500-hour account cap).
type CreditLimits struct {
	// MaxTransferMinutes is the most one transfer or donation may move.
	MaxTransferMinutes int64
	// MaxYearMinutes is the most one volunteer may transfer and donate in a calendar year (China
	// Standard Time).
	MaxYearMinutes int64
	// AccountCapMinutes is the most a volunteer's account holds: credits earned or received above
	// it go to the community pool instead. Negative means no cap.
	AccountCapMinutes int64
	// MinRedeemMinutes is the verified service a volunteer must have before their first redemption.
	MinRedeemMinutes int64
	// ExpiryMonths is how many months after they were earned credits expire; 0 means never.
	ExpiryMonths int64
	// PoolAccount is the community pool's ledger account (kind pool), opened on first use.
	PoolAccount string
}

// DefaultCreditLimits are 10 hours per transfer, 100 hours a year, a cap of 1,500 hours, no
// minimum before a first redemption, and the pool "pool:community".
func DefaultCreditLimits() CreditLimits {
	return CreditLimits{MaxTransferMinutes: 10 * 60, MaxYearMinutes: 100 * 60, AccountCapMinutes: 1500 * 60,
		PoolAccount: "pool:community"}
}

// withDefaults fills the zero fields with the defaults.
func (l CreditLimits) withDefaults() CreditLimits {
	d := DefaultCreditLimits()
	if l.MaxTransferMinutes == 0 {
		l.MaxTransferMinutes = d.MaxTransferMinutes
	}
	if l.MaxYearMinutes == 0 {
		l.MaxYearMinutes = d.MaxYearMinutes
	}
	if l.AccountCapMinutes == 0 {
		l.AccountCapMinutes = d.AccountCapMinutes
	}
	if l.PoolAccount == "" {
		l.PoolAccount = d.PoolAccount
	}
	return l
}

// Limits returns the service's built-in limits, under every credit policy.
func (s *Service) Limits() CreditLimits { return s.limits }

// split divides credits arriving in an account that holds available between the account and the
// pool, so that the account never goes above the cap.
func (l CreditLimits) split(available, credits int64) (toAccount, toPool int64) {
	if l.AccountCapMinutes < 0 || credits <= 0 {
		return max(credits, 0), 0
	}
	room := max(l.AccountCapMinutes-available, 0)
	toAccount = min(credits, room)
	return toAccount, credits - toAccount
}

// poolOnce opens the pool account the first time it is needed (a second service or server opening
// it at the same moment is fine: EnsureAccount returns the existing one).
type poolOnce struct {
	mu   sync.Mutex
	done bool
}

func (s *Service) ensurePool(ctx context.Context) error {
	s.pool.mu.Lock()
	defer s.pool.mu.Unlock()
	if s.pool.done {
		return nil
	}
	_, err := s.ledger.EnsureAccount(ctx, ledger.NewAccount{Code: s.limits.PoolAccount, Kind: ledger.KindPool})
	if err != nil {
		return fmt.Errorf("activity: pool account %s: %w", s.limits.PoolAccount, err)
	}
	s.pool.done = true
	return nil
}

// earning is the one ledger transaction that a revision of a service record causes: the
// organization's issuing account vouches for the credits, which go to the volunteer and, above
// the account cap, to the pool.
type earning struct {
	recordID int64
	revision int
	issuer   string // org:<id>:issued
	account  string // vol:<id>
	pool     string
	credits  int64 // to the volunteer
	overflow int64 // to the pool
	by       string
}

// key is the idempotency key of the earning: one per record revision, so that approving twice,
// or a retried amendment, can never credit twice.
func (e earning) key() string {
	return fmt.Sprintf("activity:record:%d:rev:%d", e.recordID, e.revision)
}

// post records the earning in the caller's transaction and returns its id (0 when nothing is
// credited: no transaction is made for nothing).
func (e earning) post(ctx context.Context, tx *ledger.Tx) (int64, error) {
	total := e.credits + e.overflow
	if total <= 0 {
		return 0, nil
	}
	r := ledger.TransactionRequest{
		Kind:           ledger.TxEarn,
		Memo:           fmt.Sprintf("service record %d, revision %d", e.recordID, e.revision),
		Reference:      fmt.Sprintf("activity:record:%d", e.recordID),
		Postings:       []ledger.PostingRequest{{Account: e.issuer, Amount: -total}},
		IdempotencyKey: e.key(),
		CreatedBy:      e.by,
	}
	if e.credits > 0 {
		r.Postings = append(r.Postings, ledger.PostingRequest{Account: e.account, Amount: e.credits})
	}
	if e.overflow > 0 {
		r.Postings = append(r.Postings, ledger.PostingRequest{Account: e.pool, Amount: e.overflow})
	}
	id, _, err := tx.Post(ctx, r)
	return id, err
}
