package ledger

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/lib/pq"

	"timebank/pkg/invariant"
)

// RedisCheck is the name of the comparison of Redis with PostgreSQL.
const RedisCheck = "redis holds postgres's balances"

// RedisSample is how many accounts, picked at random, the comparison from a checkpoint reads besides
// those the new transactions touched: a Redis that lost its data (flushed, restored from an old
// snapshot) shows in them, as a wrong balance of an account no transaction touched would only by
// chance.
const RedisSample = 1000

// redisCheckpoint is the checkpoint of the comparison with Redis: transaction ids, as the ledger's.
var redisCheckpoint = invariant.Check{Name: RedisCheck, Since: "ledger: redis", Last: txLast, Digest: txDigest}

// VerifyRedis compares every account's balances in Redis with PostgreSQL's, walking the accounts in
// workers ranges at once, and returns what differs (at most 20 accounts, then how many more). An
// unreachable Redis is a problem found, not a failure. progress, if not nil, is told every 100,000
// accounts or so how many were compared.
func (l *Ledger) VerifyRedis(ctx context.Context, workers int, progress func(accounts int)) ([]string, error) {
	var diff redisDiff
	err := l.eachPageOf(ctx, workers, func(ctx context.Context, accs []accountRows) error {
		return diff.compare(ctx, l, accs, progress)
	})
	return diff.result(err)
}

// VerifyRedisSince compares Redis with PostgreSQL as `timebank verify` does: by default only the
// accounts the transactions after its checkpoint touched, the accounts with a pending hold or one
// released since, and
// sample accounts at random (RedisSample); with opt.Full, or when the checkpoint no longer matches, every
// account (VerifyRedis). A clean comparison moves the checkpoint to the settled transactions. It
// returns what differs and what was compared.
func (l *Ledger) VerifyRedisSince(ctx context.Context, opt invariant.Options, sample int,
	progress func(accounts int)) ([]string, string, error) {
	from, end, target, ok, err := invariant.Window(ctx, l.db, redisCheckpoint, opt)
	if err != nil {
		return nil, "", err
	}
	var problems []string
	scope := "all"
	if !ok {
		if problems, err = l.VerifyRedis(ctx, opt.Jobs, progress); err != nil {
			return problems, scope, err
		}
	} else {
		var ids []int64
		var touched int
		if err := l.db.SelectContext(ctx, &ids, redisAccounts, from, end, sample); err != nil {
			return nil, scope, err
		}
		if err := l.db.GetContext(ctx, &touched, `SELECT count(DISTINCT account_id) FROM ledger_postings
WHERE tx_id > $1 AND tx_id <= $2`, from, end); err != nil {
			return nil, scope, err
		}
		scope = fmt.Sprintf("after checkpoint %d up to %d: %d accounts touched, with those of holds pending or released since and %d at random: %d",
			from, end, touched, sample, len(ids))
		if problems, err = l.verifyRedisOf(ctx, ids, opt.Jobs, progress); err != nil {
			return problems, scope, err
		}
	}
	if len(problems) == 0 {
		err = invariant.Save(ctx, l.db, redisCheckpoint, target)
	}
	return problems, scope, err
}

// redisAccounts are the accounts compared from a checkpoint: those that changed after it (changed:
// touched by the transactions $1 < id <= $2, with a hold pending or released since), and $3 picked at
// random among all.
const redisAccounts = `WITH ` + changed + `
SELECT account_id FROM changed
UNION SELECT a.id FROM ledger_accounts a
       JOIN (SELECT DISTINCT r.lo + floor(random() * (r.hi - r.lo + 1))::bigint AS id
               FROM (SELECT min(id) AS lo, max(id) AS hi FROM ledger_accounts) r, generate_series(1, $3)) x
         ON x.id = a.id`

// verifyRedisOf compares the accounts ids (in pages of 500, workers at once) with Redis.
func (l *Ledger) verifyRedisOf(ctx context.Context, ids []int64, workers int, progress func(int)) ([]string, error) {
	var diff redisDiff
	pages := make(chan []int64)
	errs := make(chan error, max(workers, 1))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for page := range pages {
				rows, err := l.db.QueryContext(ctx, `
SELECT a.id, a.code, a.slots, b.slot, b.posted, b.pending, b.version
FROM ledger_accounts a JOIN ledger_balances b ON b.account_id = a.id
WHERE a.id = ANY($1) ORDER BY a.id, b.slot`, pq.Array(page))
				var accs []accountRows
				if err == nil {
					accs, err = scanAccountRows(rows)
				}
				if err == nil {
					err = diff.compare(ctx, l, accs, progress)
				}
				if err != nil {
					errs <- err
					cancel()
					return
				}
			}
		}()
	}
send:
	for i := 0; i < len(ids); i += 500 {
		select {
		case pages <- ids[i:min(i+500, len(ids))]:
		case <-ctx.Done():
			break send
		}
	}
	close(pages)
	wg.Wait()
	close(errs)
	return diff.result(<-errs)
}

// redisDiff gathers what a comparison with Redis found, from several workers.
type redisDiff struct {
	mu       sync.Mutex
	bad      int
	seen     int
	problems []string
}

// compare compares a page of accounts with their projection in Redis.
func (d *redisDiff) compare(ctx context.Context, l *Ledger, accs []accountRows, progress func(int)) error {
	have, _, err := l.proj.redisRows(ctx, accs, false)
	if err != nil {
		return &redisUnreachable{err}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seen += len(accs); progress != nil && d.seen/100_000 != (d.seen-len(accs))/100_000 {
		progress(d.seen)
	}
	for i, a := range accs {
		// An account that never changed and was never read has no hash yet: the first read
		// projects it, and there is nothing a missing hash could have lost.
		if sameRows(have[i], a.rows) || have[i] == nil && untouched(a.rows) {
			continue
		}
		if d.bad++; d.bad <= 20 {
			was := "missing"
			if have[i] != nil {
				was = accountRows{rows: have[i]}.String()
			}
			d.problems = append(d.problems, fmt.Sprintf("%s: redis %s, postgres %s", a.code, was, a))
		}
	}
	return nil
}

// result is what was found, given how the walk ended: an unreachable Redis is a problem found.
func (d *redisDiff) result(err error) ([]string, error) {
	var down *redisUnreachable
	if errors.As(err, &down) {
		d.problems = append(d.problems, fmt.Sprintf("redis unreachable: %v", down.err))
	} else if err != nil {
		return d.problems, err
	}
	if d.bad > 20 {
		d.problems = append(d.problems, fmt.Sprintf("… and %d more accounts differ in redis", d.bad-20))
	}
	return d.problems, nil
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
