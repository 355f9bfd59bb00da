package store

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// group runs calls that arrive together as batches (group commit). A call joins the queue; up to
// runners goroutines each take what is queued, at most max calls at a time, and run them as one
// batch. When the service is quiet a batch is the one call and runs at once; under load, the calls
// that arrive while every runner is busy go together into the next batch, so that PostgreSQL pays
// for a batch's statements once instead of once per call.
type group[T any] struct {
	runners, max int
	run          func(ctx context.Context, batch []T)
	stats        *batchCounters

	mu      sync.Mutex
	queue   []T
	running int
}

// batchTimeout bounds a batch's work: it runs for many requests, so no one request's context
// governs it, and a request that gives up waiting leaves its call to finish (or be replayed under
// its idempotency key).
const batchTimeout = 30 * time.Second

// add queues x and starts a runner if fewer than runners are running.
func (g *group[T]) add(x T) {
	g.mu.Lock()
	g.queue = append(g.queue, x)
	start := g.running < g.runners
	if start {
		g.running++
	}
	g.mu.Unlock()
	if start {
		go g.loop()
	}
}

// loop runs batches until the queue is empty.
func (g *group[T]) loop() {
	for {
		g.mu.Lock()
		n := min(len(g.queue), g.max)
		if n == 0 {
			g.running--
			g.mu.Unlock()
			return
		}
		batch := make([]T, n)
		copy(batch, g.queue)
		g.queue = append(g.queue[:0], g.queue[n:]...)
		g.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
		g.run(ctx, batch)
		cancel()
		g.stats.batches.Add(1)
		g.stats.calls.Add(uint64(n))
	}
}

// call is one request in a batch: what it asks and, once done is closed, what came of it.
type call[Req, Res any] struct {
	req  Req
	res  Res
	err  error
	done chan struct{}
}

// do queues req in g and waits for its result or for ctx to end.
func do[Req, Res any](ctx context.Context, g *group[*call[Req, Res]], req Req) (Res, error) {
	c := &call[Req, Res]{req: req, done: make(chan struct{})}
	g.add(c)
	select {
	case <-c.done:
		return c.res, c.err
	case <-ctx.Done():
		var zero Res
		return zero, ctx.Err()
	}
}

// finish gives a call its result.
func (c *call[Req, Res]) finish(res Res, err error) {
	c.res, c.err = res, err
	close(c.done)
}

// batchOrEach runs the calls as one batch when there are several (batch finishes every call, or
// fails and finishes none), or else, or when the batch fails, each on its own with one.
func batchOrEach[Req, Res any](ctx context.Context, log *slog.Logger, stats *batchCounters, what string, calls []*call[Req, Res],
	batch func(context.Context, []*call[Req, Res]) error, one func(context.Context, Req) (Res, error)) {
	if len(calls) > 1 {
		err := batch(ctx, calls)
		if err == nil {
			return
		}
		stats.fallbacks.Add(1)
		log.Debug("store: a batch went one by one", "what", what, "calls", len(calls), "err", err)
	}
	for _, c := range calls {
		c.finish(one(ctx, c.req))
	}
}

// batchCounters count one kind of batch since the process started.
type batchCounters struct {
	batches, calls, fallbacks atomic.Uint64
}

// BatchStats says how the orders placed and handed out by this process went to PostgreSQL: Batches
// transactions (or runs of one-by-one transactions) for Calls orders, Fallbacks of them batches
// that could not go as one and went order by order.
type BatchStats struct {
	Batches, Calls, Fallbacks uint64
}

func (c *batchCounters) load() BatchStats {
	return BatchStats{Batches: c.batches.Load(), Calls: c.calls.Load(), Fallbacks: c.fallbacks.Load()}
}

// BatchStats returns the counts of the batches of orders placed and of hand-outs.
func (s *Service) BatchStats() (placed, handedOut BatchStats) {
	return s.placeStats.load(), s.fulfilStats.load()
}
