package ledger

import (
	"context"
	"sync"
)

// pageWorkers is how many ranges of account ids Verify and Reconcile walk at once: each page is a
// round trip to PostgreSQL and one to Redis, so a province's fifteen million accounts are walked by
// several at a time rather than one page after another.
const pageWorkers = 4

// eachPage hands every account's balance rows to fn, 500 accounts at a time, the ids cut into
// pageWorkers ranges walked at once; fn is called from several goroutines. It stops at the first
// error.
func (l *Ledger) eachPage(ctx context.Context, fn func(context.Context, []accountRows) error) error {
	return l.eachPageOf(ctx, pageWorkers, fn)
}

// eachPageOf is eachPage with the ids cut into workers ranges.
func (l *Ledger) eachPageOf(ctx context.Context, workers int, fn func(context.Context, []accountRows) error) error {
	workers = max(workers, 1)
	var lo, hi int64
	if err := l.db.QueryRowContext(ctx, `SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM ledger_accounts`).
		Scan(&lo, &hi); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	step := (hi-lo)/int64(workers) + 1
	for from := lo - 1; from < hi; from += step {
		to := min(from+step, hi)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for after := from; after < to; {
				accs, err := l.pgAccounts(ctx, after, to)
				if err == nil && len(accs) > 0 {
					after = accs[len(accs)-1].id
					err = fn(ctx, accs)
				}
				if err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
				if len(accs) == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}
