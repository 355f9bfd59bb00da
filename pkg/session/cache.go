package session

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"timebank/pkg/invalidate"
)

// Sessions in use are also kept in memory, so that checking a session is no round trip at all:
// signing out (one session or all of a person's) publishes on the invalidation bus after both
// stores have ended it, and every instance forgets its copy at once; while the bus is not live
// nothing is kept (see package invalidate).
const (
	// sessionFresh is how long a copy is served before Redis is read again, which also extends
	// the session's life there: a session in use is extended at least this often.
	sessionFresh = 30 * time.Second
	// sessionCacheSize bounds the copies kept: past it the cache starts again empty.
	sessionCacheSize = 200_000
)

func sessionTopic(key string) string { return "session:" + key }
func personTopic(uid int64) string   { return "sessions-of:" + strconv.FormatInt(uid, 10) }
func personOf(topic string) (int64, bool) {
	v, ok := strings.CutPrefix(topic, "sessions-of:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(v, 10, 64)
	return id, err == nil
}

type cachedSession struct {
	s  Session
	at time.Time
}

type sessionCache struct {
	bus   *invalidate.Bus
	mu    sync.RWMutex
	byKey map[string]cachedSession
}

// CacheIn has Get answer from memory while bus is live, and signing out published on it. Call it
// once, before serving.
func (s *Store) CacheIn(bus *invalidate.Bus) {
	c := &sessionCache{bus: bus, byKey: map[string]cachedSession{}}
	bus.OnChange(c.forget)
	s.mem = c
}

func (c *sessionCache) forget(topic string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if topic == invalidate.All {
		c.byKey = map[string]cachedSession{}
		return
	}
	if key, ok := strings.CutPrefix(topic, "session:"); ok {
		delete(c.byKey, key)
		return
	}
	if uid, ok := personOf(topic); ok {
		for k, v := range c.byKey {
			if v.s.UserID == uid {
				delete(c.byKey, k)
			}
		}
	}
}

func (c *sessionCache) get(key string) (Session, bool) {
	if c == nil || !c.bus.Live() {
		return Session{}, false
	}
	c.mu.RLock()
	e, ok := c.byKey[key]
	c.mu.RUnlock()
	return e.s, ok && time.Since(e.at) < sessionFresh
}

func (c *sessionCache) gen() uint64 {
	if c == nil {
		return 0
	}
	return c.bus.Gen()
}

func (c *sessionCache) keep(gen uint64, key string, se Session) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.bus.Keep(gen) {
		return
	}
	if len(c.byKey) >= sessionCacheSize {
		c.byKey = map[string]cachedSession{}
	}
	c.byKey[key] = cachedSession{s: se, at: time.Now()}
}

// ended publishes that sessions ended, after both stores ended them.
func (s *Store) ended(ctx context.Context, topic string) {
	if s.mem != nil {
		_ = s.mem.bus.Publish(ctx, topic)
	}
}
