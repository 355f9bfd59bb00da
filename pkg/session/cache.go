package session

import (
	"context"
	"strconv"
	"strings"
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

// CacheIn has Get answer from memory while bus is live, and signing out published on it. Call it
// once, before serving.
func (s *Store) CacheIn(bus *invalidate.Bus) {
	kept := invalidate.NewMap[string, Session](bus, sessionCacheSize, sessionFresh)
	bus.OnChange(func(topic string) {
		if topic == invalidate.All {
			kept.Clear()
		} else if key, ok := strings.CutPrefix(topic, "session:"); ok {
			kept.Delete(key)
		} else if v, ok := strings.CutPrefix(topic, "sessions-of:"); ok {
			uid, _ := strconv.ParseInt(v, 10, 64)
			kept.DeleteFunc(func(_ string, se Session) bool { return se.UserID == uid })
		}
	})
	s.mem, s.bus = kept, bus
}

// ended publishes that sessions ended, after both stores ended them.
func (s *Store) ended(ctx context.Context, topic string) {
	if s.bus != nil {
		_ = s.bus.Publish(ctx, topic)
	}
}
