package ledger

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// A Redis that restarts comes back empty or from an old snapshot, and an old snapshot holds
// balances that PostgreSQL has long moved past. Redis gives every start of its server a new run
// id; the ledger keeps, in Redis itself, the run id as of which the projection was last made whole.
// When the two differ, reads stop trusting Redis and the ledger reconciles every account in the
// background, then records the run id. Several servers may do this at once: reconciling is safe to
// repeat. A process that starts after such a restart notices it the same way.

// restartWatch is the state of the check: one reconcile at a time.
type restartWatch struct {
	mu      sync.Mutex
	running bool
}

func (p *projector) runKey() string { return p.prefix + "ledger:run" }

// redisRunID returns the run id of the Redis server, or of every master of a cluster in a stable
// order.
func redisRunID(ctx context.Context, rdb redis.UniversalClient) (string, error) {
	cc, ok := rdb.(*redis.ClusterClient)
	if !ok {
		info, err := rdb.Info(ctx, "server").Result()
		return runIDOf(info), err
	}
	var (
		mu  sync.Mutex
		ids []string
	)
	err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
		info, err := c.Info(ctx, "server").Result()
		mu.Lock()
		ids = append(ids, runIDOf(info))
		mu.Unlock()
		return err
	})
	slices.Sort(ids)
	return strings.Join(ids, ","), err
}

func runIDOf(info string) string {
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(line, "run_id:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// CheckRedisRestart compares Redis's run id with the one the projection was last made whole for.
// If they differ, reads fall back to PostgreSQL at once, and every account is reconciled (in the
// background unless wait) before Redis is trusted again. It returns whether a restart was seen.
// A Redis that does not answer is left to the projector's own fallback.
func (l *Ledger) CheckRedisRestart(ctx context.Context, wait bool) (bool, error) {
	p := l.proj
	cur, err := redisRunID(ctx, p.rdb)
	if err != nil || cur == "" {
		return false, err
	}
	p.runs.saw(cur)
	mark, err := p.rdb.Get(ctx, p.runKey()).Result()
	if err != nil && err != redis.Nil {
		return false, err
	}
	if mark == cur {
		return false, nil
	}
	p.distrust.Store(true)
	l.restarts.mu.Lock()
	if l.restarts.running {
		l.restarts.mu.Unlock()
		return true, nil
	}
	l.restarts.running = true
	l.restarts.mu.Unlock()
	heal := func(ctx context.Context) error {
		defer func() {
			l.restarts.mu.Lock()
			l.restarts.running = false
			l.restarts.mu.Unlock()
		}()
		l.log.Warn("ledger: Redis restarted since the projection was last whole; reconciling", "run_id", cur)
		rep, err := l.Reconcile(ctx)
		if err == nil {
			err = p.rdb.Set(ctx, p.runKey(), cur, 0).Err()
		}
		if err != nil {
			l.log.Warn("ledger: reconcile after a Redis restart", "err", err)
			return err
		}
		p.distrust.Store(false)
		l.log.Info("ledger: projection whole again after a Redis restart", "accounts", rep.Accounts,
			"repaired", len(rep.Repairs))
		return nil
	}
	if wait {
		return true, heal(ctx)
	}
	go heal(context.WithoutCancel(ctx)) //nolint:errcheck // logged
	return true, nil
}
