package session

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Limiter counts events per key in fixed windows in Redis, so every server process shares the count.
// Keys are kept as keyed hashes: a phone number or an address never appears in Redis. When Redis
// cannot be asked, the limiter counts in this process instead (fails closed): a Redis outage must
// not open the door to guessing passwords, and with several processes the limit is at most that many
// times looser until Redis is back.
type Limiter struct {
	rdb    redis.UniversalClient
	prefix string
	key    []byte
	local  *localCounts
}

// NewLimiter returns a limiter whose keys start with prefix and are hashed with key (derive it
// from the service secret).
func NewLimiter(rdb redis.UniversalClient, prefix string, key []byte) *Limiter {
	return &Limiter{rdb: rdb, prefix: prefix + "rl:", key: key, local: newLocalCounts(100_000)}
}

// redisKey is the Redis key of a limiter key: its keyed hash, so that the key's words (a phone
// number) stay out of Redis.
func (l *Limiter) redisKey(key string) string {
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(key))
	return l.prefix + hex.EncodeToString(m.Sum(nil)[:16])
}

// incr counts one event under KEYS[1] in the current window and returns the count so far.
var incr = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`)

// Allow counts one event for key and reports whether it is within limit events per window. The
// count and the decision are one step, so that of many requests at once exactly limit pass. The
// error, when Redis could not be asked, is for the log: the decision was then made in this process.
func (l *Limiter) Allow(ctx context.Context, key string, limit int64, window time.Duration) (bool, error) {
	n, err := incr.Run(ctx, l.rdb, []string{l.redisKey(key)}, window.Milliseconds()).Int64()
	if err != nil {
		return l.local.add(key, window) <= limit, err
	}
	return n <= limit, nil
}

// Count returns how many events are counted under key in the current window.
func (l *Limiter) Count(ctx context.Context, key string) (int64, error) {
	n, err := l.rdb.Get(ctx, l.redisKey(key)).Int64()
	if err == redis.Nil {
		return 0, nil
	}
	if err != nil {
		return l.local.count(key), err
	}
	return n, nil
}

// Reset forgets the events counted under key (after a successful log-in, say).
func (l *Limiter) Reset(ctx context.Context, key string) error {
	l.local.reset(key)
	return l.rdb.Del(ctx, l.redisKey(key)).Err()
}

// localCounts are fixed-window counts kept in this process while Redis is down. At most max keys
// are kept; when full, windows that have ended are dropped, and if none have, the new key counts as
// over every limit (fails closed).
type localCounts struct {
	mu  sync.Mutex
	max int
	m   map[string]*localWindow
}

type localWindow struct {
	n    int64
	ends time.Time
}

func newLocalCounts(max int) *localCounts {
	return &localCounts{max: max, m: map[string]*localWindow{}}
}

func (c *localCounts) add(key string, window time.Duration) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	w, ok := c.m[key]
	if !ok || now.After(w.ends) {
		if !ok && len(c.m) >= c.max {
			for k, v := range c.m {
				if now.After(v.ends) {
					delete(c.m, k)
				}
			}
			if len(c.m) >= c.max {
				return 1 << 62
			}
		}
		w = &localWindow{ends: now.Add(window)}
		c.m[key] = w
	}
	w.n++
	return w.n
}

func (c *localCounts) count(key string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if w, ok := c.m[key]; ok && time.Now().Before(w.ends) {
		return w.n
	}
	return 0
}

func (c *localCounts) reset(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
}
