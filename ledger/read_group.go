package ledger

import (
	"context"
	"sync"

	"github.com/redis/go-redis/v9"
)

// Balance reads that arrive at the same moment go to Redis together: read queues the account's
// key, and up to readers goroutines each take what is queued (at most readBatch) and ask for it in
// one pipeline, so that a phone's balance, read again and again by many phones at once, costs Redis
// and this process one round trip per batch instead of one per read. A read that finds a reader
// free is taken at once: nothing waits for a timer. Each caller still waits only as long as its own
// context allows.
const (
	readers   = 2
	readBatch = 64
)

type readCall struct {
	key  string
	m    map[string]string
	err  error
	done chan struct{}
}

type readGroup struct {
	rdb     redis.UniversalClient
	mu      sync.Mutex
	queue   []*readCall
	running int
	p       *projector
}

// get returns the hash at key, read in a pipeline with the others queued beside it.
func (g *readGroup) get(ctx context.Context, key string) (map[string]string, error) {
	c := &readCall{key: key, done: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, c)
	start := g.running < readers
	if start {
		g.running++
	}
	g.mu.Unlock()
	if start {
		go g.loop()
	}
	select {
	case <-c.done:
		return c.m, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// loop reads batches until the queue is empty.
func (g *readGroup) loop() {
	for {
		g.mu.Lock()
		n := min(len(g.queue), readBatch)
		if n == 0 {
			g.running--
			g.mu.Unlock()
			return
		}
		batch := append([]*readCall(nil), g.queue[:n]...)
		g.queue = append(g.queue[:0], g.queue[n:]...)
		g.mu.Unlock()
		g.read(batch)
	}
}

// read asks Redis for the batch's hashes in one pipeline, bounded by the projector's timeout.
func (g *readGroup) read(batch []*readCall) {
	ctx, cancel := context.WithTimeout(context.Background(), g.p.timeout)
	defer cancel()
	cmds := make([]*redis.MapStringStringCmd, len(batch))
	_, err := g.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, c := range batch {
			cmds[i] = p.HGetAll(ctx, c.key)
		}
		return nil
	})
	for i, c := range batch {
		if err != nil {
			c.err = err
		} else {
			c.m, c.err = cmds[i].Result()
		}
		close(c.done)
	}
}
