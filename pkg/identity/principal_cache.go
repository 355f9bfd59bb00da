package identity

import (
	"context"
	"crypto/sha256"
	"strconv"
	"strings"
	"sync"
	"time"

	"timebank/pkg/access"
	"timebank/pkg/invalidate"
)

// The principal of every signed-in request (the person's name and active grants, a device's one
// grant) is kept in memory once loaded, so that a request is not a PostgreSQL query before it does
// anything. A grant given or revoked, a name set, a device revoked publishes the person's (or the
// device's) topic on the invalidation bus after it commits, and every instance forgets the copy at
// once; while the bus is not live nothing is kept (see package invalidate).
const (
	// principalMaxAge bounds how long a copy is served even when no news arrives: a backstop, not
	// the way changes travel.
	principalMaxAge = 5 * time.Minute
	// principalCacheSize bounds the copies kept: past it the cache starts again empty.
	principalCacheSize = 100_000
)

// Topics of the invalidation bus for the principals.
func userTopic(id int64) string   { return "user:" + strconv.FormatInt(id, 10) }
func deviceTopic(id int64) string { return "device:" + strconv.FormatInt(id, 10) }

type cachedPrincipal struct {
	p  access.Principal
	at time.Time
}

type principalCache struct {
	bus     *invalidate.Bus
	mu      sync.RWMutex
	users   map[int64]cachedPrincipal
	devices map[[sha256.Size]byte]cachedPrincipal
}

// CachePrincipals has Principal and DevicePrincipal answer from memory while bus is live, and has
// every change of a grant, a name or a device published on it. Call it once, before serving.
func (u *Users) CachePrincipals(bus *invalidate.Bus) {
	c := &principalCache{bus: bus}
	c.clear()
	bus.OnChange(c.forget)
	u.cache = c
}

func (c *principalCache) clear() {
	c.users = map[int64]cachedPrincipal{}
	c.devices = map[[sha256.Size]byte]cachedPrincipal{}
}

// forget drops what a topic names.
func (c *principalCache) forget(topic string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case topic == invalidate.All:
		c.clear()
	case strings.HasPrefix(topic, "user:"):
		id, _ := strconv.ParseInt(topic[len("user:"):], 10, 64)
		delete(c.users, id)
	case strings.HasPrefix(topic, "device:"):
		id, _ := strconv.ParseInt(topic[len("device:"):], 10, 64)
		for k, v := range c.devices {
			if v.p.DeviceID == id {
				delete(c.devices, k)
			}
		}
	}
}

func (c *principalCache) user(id int64) (access.Principal, bool) {
	if c == nil || !c.bus.Live() {
		return access.Principal{}, false
	}
	c.mu.RLock()
	e, ok := c.users[id]
	c.mu.RUnlock()
	return e.p, ok && time.Since(e.at) < principalMaxAge
}

func (c *principalCache) device(hash [sha256.Size]byte) (access.Principal, bool) {
	if c == nil || !c.bus.Live() {
		return access.Principal{}, false
	}
	c.mu.RLock()
	e, ok := c.devices[hash]
	c.mu.RUnlock()
	return e.p, ok && time.Since(e.at) < principalMaxAge
}

// gen is the bus's count of news before a load; keep* keep the loaded value only if none arrived.
func (c *principalCache) gen() uint64 {
	if c == nil {
		return 0
	}
	return c.bus.Gen()
}

func (c *principalCache) keepUser(gen uint64, id int64, p access.Principal) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.bus.Keep(gen) { // checked under the lock: forget cannot run in between
		return
	}
	if len(c.users) >= principalCacheSize {
		c.users = map[int64]cachedPrincipal{}
	}
	c.users[id] = cachedPrincipal{p: p, at: time.Now()}
}

func (c *principalCache) keepDevice(gen uint64, hash [sha256.Size]byte, p access.Principal) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.bus.Keep(gen) {
		return
	}
	if len(c.devices) >= principalCacheSize {
		c.devices = map[[sha256.Size]byte]cachedPrincipal{}
	}
	c.devices[hash] = cachedPrincipal{p: p, at: time.Now()}
}

// changed publishes that what the topic names changed, after the change committed. A bus that
// cannot publish logs it; the change stands.
func (u *Users) changed(ctx context.Context, topics ...string) {
	if u.cache == nil {
		return
	}
	for _, t := range topics {
		_ = u.cache.bus.Publish(ctx, t)
	}
}

// PrincipalsChanged tells every instance that the users' grants or names changed inside a
// transaction of the caller's (GrantTx, GrantManyTx, ImportTx) that has now committed.
func (u *Users) PrincipalsChanged(ctx context.Context, ids ...int64) {
	for _, id := range ids {
		u.changed(ctx, userTopic(id))
	}
}
