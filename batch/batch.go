// Package batch runs requests that arrive at the same moment as one batch (group commit): a call
// joins a queue, and up to Runners goroutines each take what is queued, at most Max calls at a
// time, and run them together. When the service is quiet a batch is the one call and runs at once,
// so nothing waits for a timer; under load, the calls that arrive while every runner is busy go
// together into the next batch, so that PostgreSQL or Redis pays for a batch's round trips and
// commit once instead of once per call.
//
// The ledger's postings and balance reads, check-in scans and the charity supermarket's orders all
// queue this way; what a batch does, and how each call learns its outcome, is theirs.
package batch

import (
	"context"
	"sync"
	"time"
)

// Group queues calls with requests of type Req and answers of type Res. Set its fields before the
// first call; it is safe for concurrent use afterwards. The zero Runners or Max is one.
type Group[Req, Res any] struct {
	// Runners is how many batches may run at once, and Max how many calls a batch takes at most.
	Runners, Max int
	// Timeout bounds each batch's context: a batch serves many callers, so no one caller's context
	// governs it. Zero leaves the batch's context without a deadline.
	Timeout time.Duration
	// SkipGone leaves out of a batch the calls whose callers gave up waiting before their batch was
	// taken; they are finished with their context's error and never run.
	SkipGone bool
	// Run runs a batch and finishes every call in it, now or later (after a commit, or once a
	// projection is written beside the next batch).
	Run func(ctx context.Context, calls []*Call[Req, Res])

	mu      sync.Mutex
	queue   []*Call[Req, Res]
	running int
}

// Call is one request in a batch and, once it is finished, what came of it.
type Call[Req, Res any] struct {
	Req  Req
	ctx  context.Context
	res  Res
	err  error
	done chan struct{}
}

// NewCall returns a call of req made under ctx, for a batch run by hand (Run called directly):
// run it, then Wait for its answer.
func NewCall[Req, Res any](ctx context.Context, req Req) *Call[Req, Res] {
	return &Call[Req, Res]{Req: req, ctx: ctx, done: make(chan struct{})}
}

// Wait waits until the call is finished and returns its answer.
func (c *Call[Req, Res]) Wait() (Res, error) {
	<-c.done
	return c.res, c.err
}

// Finish gives the call its answer and wakes its caller. A call is finished exactly once.
func (c *Call[Req, Res]) Finish(res Res, err error) {
	c.res, c.err = res, err
	close(c.done)
}

// Do queues req and waits for its answer or for ctx to end. A caller that gives up leaves its call
// to run (and to be replayed under its idempotency key) unless the group skips gone callers and the
// call was not yet taken.
func (g *Group[Req, Res]) Do(ctx context.Context, req Req) (Res, error) {
	c := NewCall[Req, Res](ctx, req)
	g.mu.Lock()
	g.queue = append(g.queue, c)
	start := g.running < max(g.Runners, 1)
	if start {
		g.running++
	}
	g.mu.Unlock()
	if start {
		go g.loop()
	}
	select {
	case <-c.done:
		return c.res, c.err
	case <-ctx.Done():
		var zero Res
		return zero, ctx.Err()
	}
}

// Queued returns how many calls wait for a runner.
func (g *Group[Req, Res]) Queued() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue)
}

// loop runs batches until the queue is empty.
func (g *Group[Req, Res]) loop() {
	for {
		g.mu.Lock()
		n := min(len(g.queue), max(g.Max, 1))
		if n == 0 {
			g.running--
			g.mu.Unlock()
			return
		}
		calls := make([]*Call[Req, Res], 0, n)
		for _, c := range g.queue[:n] {
			if g.SkipGone && c.ctx.Err() != nil {
				var zero Res
				c.Finish(zero, c.ctx.Err())
				continue
			}
			calls = append(calls, c)
		}
		g.queue = append(g.queue[:0], g.queue[n:]...)
		g.mu.Unlock()
		if len(calls) > 0 {
			g.run(calls)
		}
	}
}

func (g *Group[Req, Res]) run(calls []*Call[Req, Res]) {
	ctx, cancel := context.Background(), context.CancelFunc(func() {})
	if g.Timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, g.Timeout)
	}
	defer cancel()
	g.Run(ctx, calls)
}
