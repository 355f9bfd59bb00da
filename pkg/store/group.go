package store

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"timebank/batch"
)

// Orders placed (per store) and handed out at the same moment go to PostgreSQL in batches (group
// commit, package batch): a batch's statements and commit are paid once for all its orders.

// call is one order placed or handed out in a batch.
type call[Req, Res any] = batch.Call[Req, Res]

// batchTimeout bounds a batch's work: it runs for many requests, so no one request's context
// governs it, and a request that gives up waiting leaves its call to finish (or be replayed under
// its idempotency key).
const batchTimeout = 30 * time.Second

// batchOrEach runs the calls as one batch when there are several (batch finishes every call, or
// fails and finishes none), or else, or when the batch fails, each on its own with one.
func batchOrEach[Req, Res any](ctx context.Context, log *slog.Logger, stats *batchCounters, what string, calls []*call[Req, Res],
	batch func(context.Context, []*call[Req, Res]) error, one func(context.Context, Req) (Res, error)) {
	stats.batches.Add(1)
	stats.calls.Add(uint64(len(calls)))
	if len(calls) > 1 {
		err := batch(ctx, calls)
		if err == nil {
			return
		}
		stats.fallbacks.Add(1)
		log.Debug("store: a batch went one by one", "what", what, "calls", len(calls), "err", err)
	}
	for _, c := range calls {
		c.Finish(one(ctx, c.Req))
	}
}

// afterCommit answers a committed batch beside the next one: it writes the batch's balances to
// Redis (project, from ledger.InTxProjectLater) and then runs answer, which finishes the calls, in
// a goroutine of its own, so that the runner goes on to its next batch while Redis is written and
// the answers are made. No call is answered before its batch has committed and been projected.
func afterCommit(ctx context.Context, project func(context.Context), answer func(context.Context)) {
	ctx = context.WithoutCancel(ctx) // the batch's context ends when the runner moves on
	go func() {
		ctx, cancel := context.WithTimeout(ctx, batchTimeout)
		defer cancel()
		project(ctx)
		answer(ctx)
	}()
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
