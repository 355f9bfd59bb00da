package ledger

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// A Redis that restarted from an old snapshot would serve old balances until the restart is seen
// (CheckRedisRestart, every second). But every connection to the old server broke with it, so any
// read after the restart runs on a connection dialed since: the ledger counts the client's dials,
// and a read that follows a dial (or raced one: the client retried it on a new connection) first
// checks the server's run id against the one this process last saw. A new run id is a restart:
// CheckRedisRestart takes over (distrust, reconcile) and the read falls back to PostgreSQL. So no
// balance of an old snapshot is served as current, however soon after the restart it is asked for.
// The first run id a process sees is only recorded: a restart before the process started is the
// periodic check's to find, by the mark it compares with.

// watchDials installs the dial counter on the client. A cluster client dials through a client per
// node, which does not run the cluster client's own dial hooks: each node's client, those made
// later and those the cluster client already has, gets the counter.
func (l *Ledger) watchDials(rdb redis.UniversalClient) {
	l.proj.restarted = func(ctx context.Context) { _, _ = l.CheckRedisRestart(ctx, false) }
	hook := dialHook{l.proj}
	cc, ok := rdb.(*redis.ClusterClient)
	if !ok {
		rdb.AddHook(hook)
		return
	}
	var (
		mu     sync.Mutex
		hooked = map[*redis.Client]bool{}
	)
	add := func(c *redis.Client) {
		mu.Lock()
		defer mu.Unlock()
		if !hooked[c] {
			hooked[c] = true
			c.AddHook(hook)
		}
	}
	cc.OnNewNode(add)
	// And the nodes the client already has (it may have run commands before the ledger was made).
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = cc.ForEachShard(ctx, func(_ context.Context, c *redis.Client) error {
		add(c)
		return nil
	})
}

type dialHook struct{ p *projector }

func (h dialHook) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := next(ctx, network, addr)
		if err == nil {
			h.p.runs.dials.Add(1)
		}
		return c, err
	}
}

func (h dialHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

func (h dialHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// runCheck is what the projector knows of the server behind its connections.
type runCheck struct {
	dials   atomic.Uint64 // the client's dials so far
	checked atomic.Uint64 // dials up to which the run id was checked
	mu      sync.Mutex    // one check at a time
	known   string        // the run id last seen
}

// sameServer reports whether Redis may be read: no dial since the last check, or else the server's
// run id is the one seen before (or the first one seen). A new run id hands over to restarted and
// says no; so does a check that fails.
func (p *projector) sameServer(ctx context.Context) bool {
	r := &p.runs
	if r.dials.Load() == r.checked.Load() {
		return true
	}
	r.mu.Lock()
	d := r.dials.Load()
	if d == r.checked.Load() {
		r.mu.Unlock()
		return true // checked while this one waited
	}
	cur, err := redisRunID(ctx, p.rdb)
	if err != nil || cur == "" {
		r.mu.Unlock()
		return false
	}
	r.checked.Store(d) // dials during the check were to this same server
	same := r.known == "" || r.known == cur
	r.known = cur
	r.mu.Unlock()
	if same {
		return true
	}
	if p.restarted != nil {
		p.restarted(ctx) // sets distrust unless the restart was already reconciled
	}
	return !p.distrust.Load()
}

// saw records the run id a restart check read, so that the reads compare with it.
func (r *runCheck) saw(cur string) {
	r.mu.Lock()
	r.known = cur
	r.mu.Unlock()
}
