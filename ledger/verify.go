package ledger

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// VerifyReport lists every broken invariant found; an empty list means the books are sound.
type VerifyReport struct {
	Checks   []string `json:"checks"`   // what was checked
	Problems []string `json:"problems"` // what is wrong, at most 20 per check
}

// OK says whether no problem was found.
func (r VerifyReport) OK() bool { return len(r.Problems) == 0 }

// invariants are SQL queries that return one text row per violation.
var invariants = []struct{ name, query string }{
	{"every transaction has two or more postings summing to zero", `
SELECT format('transaction %s: %s postings summing to %s', t.id, count(p.id), coalesce(sum(p.amount), 0))
FROM ledger_transactions t LEFT JOIN ledger_postings p ON p.tx_id = t.id
GROUP BY t.id HAVING coalesce(sum(p.amount), 0) <> 0 OR count(p.id) < 2 LIMIT 20`},
	{"every balance equals the sum of its postings", `
SELECT format('%s slot %s: balance %s, postings sum to %s', a.code, b.slot, b.posted, coalesce(s.total, 0))
FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id
LEFT JOIN (SELECT account_id, slot, sum(amount) AS total FROM ledger_postings GROUP BY 1, 2) s
       ON s.account_id = b.account_id AND s.slot = b.slot
WHERE b.posted <> coalesce(s.total, 0) LIMIT 20`},
	{"running balances follow each other and end at the balance", `
SELECT format('%s slot %s posting %s: balance_after %s, previous %s, amount %s, version %s after %s',
              a.code, x.slot, x.id, x.balance_after, coalesce(x.prev_balance, 0), x.amount, x.version_after, x.prev_version)
FROM (SELECT p.*, lag(p.balance_after) OVER w AS prev_balance, lag(p.version_after) OVER w AS prev_version
      FROM ledger_postings p WINDOW w AS (PARTITION BY p.account_id, p.slot ORDER BY p.version_after, p.id)) x
JOIN ledger_accounts a ON a.id = x.account_id
WHERE x.balance_after <> coalesce(x.prev_balance, 0) + x.amount OR x.version_after <= coalesce(x.prev_version, 0)
UNION ALL
SELECT format('%s slot %s: last running balance %s/version %s, balance row %s/version %s',
              a.code, b.slot, l.balance_after, l.version_after, b.posted, b.version)
FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id
JOIN LATERAL (SELECT balance_after, version_after FROM ledger_postings p
              WHERE p.account_id = b.account_id AND p.slot = b.slot ORDER BY version_after DESC LIMIT 1) l ON true
WHERE l.balance_after <> b.posted OR l.version_after > b.version
LIMIT 20`},
	{"pending equals the sum of pending holds", `
SELECT format('%s slot %s: pending %s, pending holds sum to %s', a.code, b.slot, b.pending, coalesce(h.total, 0))
FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id
LEFT JOIN (SELECT from_account, from_slot, sum(amount) AS total FROM ledger_holds WHERE status = 'pending' GROUP BY 1, 2) h
       ON h.from_account = b.account_id AND h.from_slot = b.slot
WHERE b.pending <> coalesce(h.total, 0) LIMIT 20`},
	{"no guarded account is below zero", `
SELECT format('%s: posted %s, pending %s', a.code, b.posted, b.pending)
FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id
WHERE NOT a.allow_negative AND (b.posted - b.pending < 0 OR b.posted < 0) LIMIT 20`},
	{"balance rows match their accounts", `
SELECT format('%s: %s balance rows for %s slots, allow_negative %s', a.code, count(b.slot), a.slots, a.allow_negative)
FROM ledger_accounts a LEFT JOIN ledger_balances b ON b.account_id = a.id
GROUP BY a.id HAVING count(b.slot) <> a.slots OR bool_or(b.allow_negative <> a.allow_negative)
    OR min(b.slot) <> 0 OR max(b.slot) <> a.slots - 1 LIMIT 20`},
	{"every posting belongs to a transaction and an account", `
SELECT format('posting %s: transaction %s, account %s', p.id, p.tx_id, p.account_id)
FROM ledger_postings p
LEFT JOIN ledger_transactions t ON t.id = p.tx_id
LEFT JOIN ledger_accounts a ON a.id = p.account_id
WHERE t.id IS NULL OR a.id IS NULL LIMIT 20`},
	{"all balances sum to zero", `
SELECT format('balances sum to %s', sum(posted)) FROM ledger_balances HAVING sum(posted) <> 0`},
}

// Verify checks every invariant of the books in PostgreSQL and that Redis holds PostgreSQL's
// balances. It changes nothing; see Reconcile to repair Redis.
func (l *Ledger) Verify(ctx context.Context) (VerifyReport, error) {
	var rep VerifyReport
	for _, inv := range invariants {
		var found []string
		if err := l.db.SelectContext(ctx, &found, inv.query); err != nil {
			return rep, fmt.Errorf("verify %q: %w", inv.name, err)
		}
		rep.Checks = append(rep.Checks, inv.name)
		rep.Problems = append(rep.Problems, found...)
	}
	rep.Checks = append(rep.Checks, "redis holds postgres's balances")
	var (
		mu  sync.Mutex
		bad int
	)
	err := l.eachPage(ctx, func(ctx context.Context, accs []accountRows) error {
		have, _, err := l.proj.redisRows(ctx, accs, false)
		if err != nil {
			return &redisUnreachable{err}
		}
		mu.Lock()
		defer mu.Unlock()
		for i, a := range accs {
			// An account that never changed and was never read has no hash yet: the first read
			// projects it, and there is nothing a missing hash could have lost.
			if sameRows(have[i], a.rows) || have[i] == nil && untouched(a.rows) {
				continue
			}
			if bad++; bad <= 20 {
				was := "missing"
				if have[i] != nil {
					was = accountRows{rows: have[i]}.String()
				}
				rep.Problems = append(rep.Problems, fmt.Sprintf("%s: redis %s, postgres %s", a.code, was, a))
			}
		}
		return nil
	})
	var down *redisUnreachable
	if errors.As(err, &down) {
		rep.Problems = append(rep.Problems, fmt.Sprintf("redis unreachable: %v", down.err))
	} else if err != nil {
		return rep, err
	}
	if bad > 20 {
		rep.Problems = append(rep.Problems, fmt.Sprintf("… and %d more accounts differ in redis", bad-20))
	}
	return rep, nil
}

// redisUnreachable stops the comparison with Redis: a problem to report, not a failure to verify.
type redisUnreachable struct{ err error }

func (e *redisUnreachable) Error() string { return e.err.Error() }

// untouched reports whether every balance row of an account is still at version 0.
func untouched(rows [][3]int64) bool {
	for _, r := range rows {
		if r[2] != 0 {
			return false
		}
	}
	return true
}
