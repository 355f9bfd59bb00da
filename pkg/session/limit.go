package session

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// Limiter counts events per key in fixed windows in Redis, so every server process shares the count.
type Limiter struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewLimiter returns a limiter whose keys start with prefix.
func NewLimiter(rdb redis.UniversalClient, prefix string) *Limiter {
	return &Limiter{rdb: rdb, prefix: prefix + "rl:"}
}

// incr counts one event under key in the current window and returns the count so far.
var incr = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`)

// Allow counts one event for key and reports whether it is within limit events per window. When
// Redis cannot be asked it allows the event: a Redis outage must not lock everyone out, and the
// password check behind it stays slow by design.
func (l *Limiter) Allow(ctx context.Context, key string, limit int64, window time.Duration) (bool, error) {
	n, err := incr.Run(ctx, l.rdb, []string{l.prefix + key}, window.Milliseconds()).Int64()
	if err != nil {
		return true, err
	}
	return n <= limit, nil
}

// Count returns how many events are counted under key in the current window.
func (l *Limiter) Count(ctx context.Context, key string) (int64, error) {
	n, err := l.rdb.Get(ctx, l.prefix+key).Int64()
	if err == redis.Nil {
		return 0, nil
	}
	return n, err
}

// Reset forgets the events counted under key (after a successful log-in, say).
func (l *Limiter) Reset(ctx context.Context, key string) error {
	return l.rdb.Del(ctx, l.prefix+key).Err()
}
