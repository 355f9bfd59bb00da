package invariant

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// Options say how Verify runs.
type Options struct {
	Jobs     int           // queries at once; at least 1
	Ranges   int           // ranges a check with keys is cut into; 0 for four a job
	Full     bool          // check everything, whatever the checkpoints say
	Settle   time.Duration // how old the newest key a checkpoint may reach must be (writes still in flight)
	Progress io.Writer     // where each range's progress is written (stderr); nil for nowhere
}

// Result is what one check found.
type Result struct {
	Name     string
	Problems []string
	Scope    string // what was checked: "all", or the keys after a checkpoint
}

// plan is how one check runs this time.
type plan struct {
	c       Check
	query   string
	ranges  [][2]int64 // nil: the query takes no arguments
	scope   string
	target  int64 // the checkpoint to set once clean; -1 for none
	pending int
	found   []string
	failed  bool
}

type task struct {
	p     *plan
	i     int
	start time.Time
}

// Verify runs the checks, opt.Jobs queries at a time, the checks with keys in ranges, and hands
// each check's result to done as it finishes (done is called from one goroutine at a time). An
// incremental check checks only what came after its checkpoint, unless opt.Full or its checkpoint no
// longer matches its digest; a clean check moves its checkpoint, a check that found anything leaves
// it where it was. It stops at the first query that fails to run.
func Verify(ctx context.Context, db *sqlx.DB, checks []Check, opt Options, done func(Result)) error {
	opt.Jobs = max(opt.Jobs, 1)
	if opt.Ranges <= 0 {
		opt.Ranges = 4 * opt.Jobs
	}
	if opt.Progress == nil {
		opt.Progress = io.Discard
	}
	began := time.Now()
	var tasks []task
	for _, c := range checks {
		p, err := planCheck(ctx, db, c, opt)
		if err != nil {
			return fmt.Errorf("verify %q: %w", c.Name, err)
		}
		if p.query == "" {
			done(Result{Name: c.Name, Scope: p.scope})
			continue
		}
		p.pending = max(len(p.ranges), 1)
		for i := range p.pending {
			tasks = append(tasks, task{p: p, i: i})
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	queue := make(chan task)
	for range opt.Jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range queue {
				t.start = time.Now()
				found, err := t.run(ctx, db)
				mu.Lock()
				if err == nil {
					err = t.finish(ctx, db, found, opt, began, done)
				}
				if err != nil && first == nil {
					first = fmt.Errorf("verify %q: %w", t.p.c.Name, err)
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	for _, t := range tasks {
		select {
		case queue <- t:
		case <-ctx.Done():
		}
	}
	close(queue)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

func (t task) run(ctx context.Context, db *sqlx.DB) ([]string, error) {
	var found []string
	if t.p.ranges == nil {
		return found, db.SelectContext(ctx, &found, t.p.query)
	}
	r := t.p.ranges[t.i]
	args, err := arguments(ctx, db, t.p.c, r[0], r[1])
	if err != nil {
		return nil, err
	}
	return found, db.SelectContext(ctx, &found, t.p.query, args...)
}

// finish records a task's findings (under the lock), says how far the check is, and, when it was
// the check's last range, moves its checkpoint if it is clean and hands its result to done.
func (t task) finish(ctx context.Context, db *sqlx.DB, found []string, opt Options, began time.Time,
	done func(Result)) error {
	p := t.p
	p.found = append(p.found, found...)
	p.pending--
	now := time.Now()
	if p.ranges != nil {
		r := p.ranges[t.i]
		fmt.Fprintf(opt.Progress, "verify: %s: range %d of %d (keys %d–%d, %d keys) done in %s, %d problems; elapsed %s\n",
			p.c.Name, t.i+1, len(p.ranges), r[0]+1, r[1], r[1]-r[0], now.Sub(t.start).Round(time.Millisecond),
			len(found), now.Sub(began).Round(time.Millisecond))
	} else {
		fmt.Fprintf(opt.Progress, "verify: %s: done in %s, %d problems; elapsed %s\n", p.c.Name,
			now.Sub(t.start).Round(time.Millisecond), len(found), now.Sub(began).Round(time.Millisecond))
	}
	if p.pending > 0 {
		return nil
	}
	if len(p.found) == 0 && p.target >= 0 {
		if err := save(ctx, db, p.c, p.target); err != nil {
			return err
		}
	}
	if len(p.found) > 20 {
		p.found = append(p.found[:20:20], fmt.Sprintf("… and %d more for %q", len(p.found)-20, p.c.Name))
	}
	done(Result{Name: p.c.Name, Problems: p.found, Scope: p.scope})
	return nil
}

// planCheck decides what a check reads this time: everything, or what came after its checkpoint.
func planCheck(ctx context.Context, db *sqlx.DB, c Check, opt Options) (*plan, error) {
	p := &plan{c: c, query: c.Query, scope: "all", target: -1}
	var lo, hi int64
	if c.Keys != "" {
		if err := db.QueryRowxContext(ctx, c.Keys).Scan(&lo, &hi); err != nil {
			return nil, err
		}
		lo--
	}
	if c.Since != "" {
		if err := db.GetContext(ctx, &p.target, c.Last, opt.Settle.Seconds()); err != nil {
			return nil, err
		}
		if !opt.Full {
			from, ok, err := checkpoint(ctx, db, c)
			if err != nil {
				return nil, err
			}
			// The run reads up to the newest key, settled or not; the checkpoint goes only as far as
			// the settled ones.
			end, err := newest(ctx, db, c)
			if err != nil {
				return nil, err
			}
			switch {
			case !ok:
				fmt.Fprintf(opt.Progress, "verify: %s: no checkpoint that matches, checking all\n", c.Name)
			case from >= end:
				p.scope = fmt.Sprintf("nothing after checkpoint %d", from)
				p.query, p.target = "", -1
				return p, nil
			default:
				p.query, p.scope = c.After, fmt.Sprintf("after checkpoint %d up to %d", from, end)
				p.target = max(p.target, from)
				if c.Keys == "" {
					p.ranges = [][2]int64{{from, end}}
					return p, nil
				}
				lo, hi = from, end
			}
		}
	}
	if c.Keys != "" {
		p.ranges = cut(lo, hi, opt.Ranges)
	}
	return p, nil
}

// cut cuts the keys lo < key <= hi into n ranges of about the same span (fewer when there are fewer
// keys); the last range ends at hi.
func cut(lo, hi int64, n int) [][2]int64 {
	span := hi - lo
	if span <= 0 {
		return [][2]int64{{lo, hi}}
	}
	n = int(min(int64(n), span))
	out := make([][2]int64, 0, n)
	from := lo
	for i := range n {
		to := lo + span*int64(i+1)/int64(n)
		out = append(out, [2]int64{from, to})
		from = to
	}
	return out
}

// newest is the newest key of a check that can be incremental: what a run reads up to.
func newest(ctx context.Context, db *sqlx.DB, c Check) (int64, error) {
	var lo, end int64
	if c.Newest != "" {
		return end, db.QueryRowxContext(ctx, c.Newest).Scan(&lo, &end)
	}
	return end, db.GetContext(ctx, &end, c.Last, 0)
}
