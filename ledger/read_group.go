package ledger

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"

	"timebank/batch"
)

// Balance reads that arrive at the same moment go to Redis together (package batch): read queues the account's
// code, and up to readers goroutines each take what is queued (at most readBatch) and ask for it in
// one pipeline, so that a phone's balance, read again and again by many phones at once, costs Redis
// and this process one round trip per batch instead of one per read. A read that finds a reader
// free is taken at once: nothing waits for a timer. Each caller still waits only as long as its own
// context allows.
const (
	readers   = 2
	readBatch = 64
)

type readGroup struct {
	rdb redis.UniversalClient
	p   *projector
	g   batch.Group[string, readResult]
}

// readResult is an account's balance totals as Redis holds them; ok is false when Redis misses the
// account or holds only part of its rows.
type readResult struct {
	sum [3]int64
	ok  bool
}

func newReadGroup(rdb redis.UniversalClient, p *projector) *readGroup {
	r := &readGroup{rdb: rdb, p: p}
	r.g = batch.Group[string, readResult]{Runners: readers, Max: readBatch, Timeout: p.timeout, Run: r.read}
	return r
}

// get returns the account's totals, read in a pipeline with the others queued beside it.
func (g *readGroup) get(ctx context.Context, code string) (readResult, error) {
	return g.g.Do(ctx, code)
}

// read asks Redis for the batch's accounts in one pipeline, bounded by the projector's timeout: a
// bucket field for each account not known to be split, the hash for each known split one. The
// accounts whose field is missing are asked for their hash in a second pipeline (a split account
// not yet known, or an account Redis does not hold).
func (g *readGroup) read(ctx context.Context, calls []*batch.Call[string, readResult]) {
	out := make([]readResult, len(calls))
	fields := make([]*redis.StringCmd, len(calls))
	hashes := make([]*redis.MapStringStringCmd, len(calls))
	_, err := g.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for i, c := range calls {
			if g.p.splits.has(c.Req) {
				hashes[i] = pipe.HGetAll(ctx, g.p.key(c.Req))
			} else {
				key, field := g.p.bucket(c.Req)
				fields[i] = pipe.HGet(ctx, key, field)
			}
		}
		return nil
	})
	if errors.Is(err, redis.Nil) {
		err = nil // a missing field, answered below
	}
	var again []int
	if err == nil {
		for i, f := range fields {
			if f == nil {
				continue
			}
			if s, ferr := f.Result(); ferr == nil {
				out[i].sum, out[i].ok = parseBucket(s)
			} else if errors.Is(ferr, redis.Nil) {
				again = append(again, i)
			} else {
				err = ferr
			}
		}
	}
	if err == nil && len(again) > 0 {
		_, err = g.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
			for _, i := range again {
				hashes[i] = pipe.HGetAll(ctx, g.p.key(calls[i].Req))
			}
			return nil
		})
	}
	for i, c := range calls {
		if err != nil {
			c.Finish(readResult{}, err)
			continue
		}
		if h := hashes[i]; h != nil {
			if herr := h.Err(); herr != nil {
				c.Finish(readResult{}, herr)
				continue
			}
			if rows, ok := parseRows(h.Val()); ok {
				g.p.splits.add(c.Req)
				for _, r := range rows {
					out[i].sum[0], out[i].sum[1], out[i].sum[2] = out[i].sum[0]+r[0], out[i].sum[1]+r[1], out[i].sum[2]+r[2]
				}
				out[i].ok = true
			}
		}
		c.Finish(out[i], nil)
	}
}
