package ledger

import (
	"context"

	"github.com/redis/go-redis/v9"

	"timebank/batch"
)

// Balance reads that arrive at the same moment go to Redis together (package batch): read queues the account's
// key, and up to readers goroutines each take what is queued (at most readBatch) and ask for it in
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
	g   batch.Group[string, map[string]string]
}

func newReadGroup(rdb redis.UniversalClient, p *projector) *readGroup {
	r := &readGroup{rdb: rdb, p: p}
	r.g = batch.Group[string, map[string]string]{Runners: readers, Max: readBatch, Timeout: p.timeout, Run: r.read}
	return r
}

// get returns the hash at key, read in a pipeline with the others queued beside it.
func (g *readGroup) get(ctx context.Context, key string) (map[string]string, error) {
	return g.g.Do(ctx, key)
}

// read asks Redis for the batch's hashes in one pipeline, bounded by the projector's timeout.
func (g *readGroup) read(ctx context.Context, calls []*batch.Call[string, map[string]string]) {
	cmds := make([]*redis.MapStringStringCmd, len(calls))
	_, err := g.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, c := range calls {
			cmds[i] = p.HGetAll(ctx, c.Req)
		}
		return nil
	})
	for i, c := range calls {
		if err != nil {
			c.Finish(nil, err)
		} else {
			c.Finish(cmds[i].Result())
		}
	}
}
