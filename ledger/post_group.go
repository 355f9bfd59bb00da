package ledger

import (
	"context"
	"sync/atomic"
	"time"

	"timebank/batch"
)

// Postings that arrive at the same moment go to PostgreSQL together (group commit, package batch): Post queues its
// request, and up to postWriters goroutines each take what is queued, at most postBatch requests,
// and write them with one call of ledger_post_many (migration 00023), which decides each request
// as if it were alone. A request that finds no writer busy is taken at once and posted alone, with
// ledger_post: no request waits for a timer. Under load, the requests that arrive while the writers
// are busy go together into the next batch, so PostgreSQL pays for one statement and one commit per
// batch instead of per posting.

// Defaults for Options.PostBatch and Options.PostWriters.
const (
	DefaultPostBatch   = 32
	DefaultPostWriters = 2
)

// postTimeout bounds a batch's work: it serves many requests, so no one request's context governs
// it (a request that gives up waiting leaves its posting to finish, or to be replayed under its key).
const postTimeout = 30 * time.Second

// postCall is one request in a batch and, once finished, what came of it: the changes of its
// transaction (a replay has only the id) and the balance totals Redis reported for the batch.
type postCall = batch.Call[TransactionRequest, posted]

type posted struct {
	ch     []change
	totals map[string]Balance
}

// postGroup queues requests for the writers. A caller that has gone away before its request was
// taken is not posted.
type postGroup struct {
	l                *Ledger
	g                batch.Group[TransactionRequest, posted]
	batches, batched atomic.Uint64 // batches of two or more written, and the requests in them
	fallbacks        atomic.Uint64 // batches that failed as a whole and went one by one
}

func newPostGroup(l *Ledger, writers, max int) *postGroup {
	if writers <= 0 {
		writers = DefaultPostWriters
	}
	if max <= 0 {
		max = DefaultPostBatch
	}
	g := &postGroup{l: l}
	g.g = batch.Group[TransactionRequest, posted]{Runners: writers, Max: max, Timeout: postTimeout, SkipGone: true, Run: g.write}
	return g
}

// post queues r and waits for its outcome or for ctx to end.
func (g *postGroup) post(ctx context.Context, r TransactionRequest) ([]change, map[string]Balance, error) {
	p, err := g.g.Do(ctx, r)
	return p.ch, p.totals, err
}

// write posts the batch and finishes every call. One request goes alone through ledger_post; more
// go through ledger_post_many, and each on its own if the batch fails as a whole (a deadlock with
// another transaction, a key taken meanwhile, a failed commit), so that each gets the answer it
// would have had alone. Nothing is acknowledged before PostgreSQL has reported the commit.
func (g *postGroup) write(ctx context.Context, batch []*postCall) {
	if len(batch) > 1 {
		outs, err := postMany(ctx, g.l.calls, batch)
		if err == nil {
			g.batches.Add(1)
			g.batched.Add(uint64(len(batch)))
			// The batch is committed. Its projection to Redis goes on beside the next batch, so
			// that PostgreSQL and Redis work at once; each caller is answered once it is done.
			go g.project(batch, outs)
			return
		}
		g.fallbacks.Add(1)
		g.l.log.Debug("ledger: a batch of postings went one by one", "postings", len(batch), "err", err)
	}
	for _, c := range batch {
		ch, err := postAlone(ctx, g.l.calls, c.Req, nil)
		if err != nil {
			c.Finish(posted{}, err)
			continue
		}
		var totals map[string]Balance
		if !ch[0].replayed {
			totals = g.l.project(ctx, ch)
		}
		c.Finish(posted{ch, totals}, nil)
	}
}

// project writes a committed batch's balances to Redis in one pipeline and finishes its calls.
func (g *postGroup) project(batch []*postCall, outs []postOutcome) {
	var chs []change
	for _, o := range outs {
		if o.err == nil && !o.ch[0].replayed {
			chs = append(chs, o.ch...)
		}
	}
	totals := g.l.project(context.Background(), latest(chs))
	for i, c := range batch {
		c.Finish(posted{outs[i].ch, totals}, outs[i].err)
	}
}

// latest keeps, of the changes of one balance row, the newest: a batch may change a row many times,
// and Redis needs only where it ended.
func latest(chs []change) []change {
	type row struct {
		account int64
		slot    int
	}
	at := make(map[row]int, len(chs))
	out := chs[:0:0]
	for _, c := range chs {
		k := row{c.accountID, c.slot}
		if i, ok := at[k]; ok {
			if c.version > out[i].version {
				out[i] = c
			}
			continue
		}
		at[k] = len(out)
		out = append(out, c)
	}
	return out
}

// PostBatchStats says how postings went to PostgreSQL since the process started: Batches of two or
// more requests written together, Batched requests in them, and Fallbacks, batches that failed as a
// whole and went one by one.
type PostBatchStats struct {
	Batches, Batched, Fallbacks uint64
}

// PostBatchStats returns the counts of the batches of postings.
func (l *Ledger) PostBatchStats() PostBatchStats {
	g := l.posts
	return PostBatchStats{Batches: g.batches.Load(), Batched: g.batched.Load(), Fallbacks: g.fallbacks.Load()}
}
