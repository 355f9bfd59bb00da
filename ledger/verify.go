package ledger

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"timebank/pkg/invariant"
)

// VerifyReport lists every broken invariant found; an empty list means the books are sound.
type VerifyReport struct {
	Checks   []string `json:"checks"`   // what was checked
	Problems []string `json:"problems"` // what is wrong, at most 20 per check
}

// OK says whether no problem was found.
func (r VerifyReport) OK() bool { return len(r.Problems) == 0 }

// Verify checks every invariant of the books in PostgreSQL (Checks, each over all its keys, one
// after the other) and that Redis holds PostgreSQL's balances. It changes nothing; see Reconcile to
// repair Redis. `timebank verify` runs the same checks in ranges, at once and from checkpoints.
func (l *Ledger) Verify(ctx context.Context) (VerifyReport, error) {
	var rep VerifyReport
	err := invariant.Run(ctx, l.db, Checks, func(name string, found []string) {
		rep.Checks = append(rep.Checks, name)
		rep.Problems = append(rep.Problems, found...)
	})
	if err != nil {
		return rep, err
	}
	problems, err := l.VerifyRedis(ctx, pageWorkers, nil)
	if err != nil {
		return rep, err
	}
	rep.Checks = append(rep.Checks, RedisCheck)
	rep.Problems = append(rep.Problems, problems...)
	return rep, nil
}

// RedisCheck is the name of the comparison of Redis with PostgreSQL.
const RedisCheck = "redis holds postgres's balances"

// VerifyRedis compares every account's balances in Redis with PostgreSQL's, walking the accounts in
// workers ranges at once, and returns what differs (at most 20 accounts, then how many more). An
// unreachable Redis is a problem found, not a failure. progress, if not nil, is told every 100,000
// accounts or so how many were compared.
func (l *Ledger) VerifyRedis(ctx context.Context, workers int, progress func(accounts int)) ([]string, error) {
	var (
		mu       sync.Mutex
		bad      int
		seen     int
		problems []string
	)
	err := l.eachPageOf(ctx, workers, func(ctx context.Context, accs []accountRows) error {
		have, _, err := l.proj.redisRows(ctx, accs, false)
		if err != nil {
			return &redisUnreachable{err}
		}
		mu.Lock()
		defer mu.Unlock()
		if seen += len(accs); progress != nil && seen/100_000 != (seen-len(accs))/100_000 {
			progress(seen)
		}
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
				problems = append(problems, fmt.Sprintf("%s: redis %s, postgres %s", a.code, was, a))
			}
		}
		return nil
	})
	var down *redisUnreachable
	if errors.As(err, &down) {
		problems = append(problems, fmt.Sprintf("redis unreachable: %v", down.err))
	} else if err != nil {
		return problems, err
	}
	if bad > 20 {
		problems = append(problems, fmt.Sprintf("… and %d more accounts differ in redis", bad-20))
	}
	return problems, nil
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
