package identity

import (
	"context"
	"crypto/sha256"
	"strconv"
	"strings"
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

type principalCache struct {
	bus     *invalidate.Bus
	users   *invalidate.Map[int64, access.Principal]
	devices *invalidate.Map[[sha256.Size]byte, access.Principal] // by the token's hash
}

// CachePrincipals has Principal and DevicePrincipal answer from memory while bus is live, and has
// every change of a grant, a name or a device published on it. Call it once, before serving.
func (u *Users) CachePrincipals(bus *invalidate.Bus) {
	c := &principalCache{bus: bus,
		users:   invalidate.NewMap[int64, access.Principal](bus, principalCacheSize, principalMaxAge),
		devices: invalidate.NewMap[[sha256.Size]byte, access.Principal](bus, principalCacheSize, principalMaxAge)}
	bus.OnChange(c.forget)
	u.cache = c
}

// forget drops what a topic names.
func (c *principalCache) forget(topic string) {
	switch {
	case topic == invalidate.All:
		c.users.Clear()
		c.devices.Clear()
	case strings.HasPrefix(topic, "user:"):
		id, _ := strconv.ParseInt(topic[len("user:"):], 10, 64)
		c.users.Delete(id)
	case strings.HasPrefix(topic, "device:"):
		id, _ := strconv.ParseInt(topic[len("device:"):], 10, 64)
		c.devices.DeleteFunc(func(_ [sha256.Size]byte, p access.Principal) bool { return p.DeviceID == id })
	}
}

// The maps of a Users without a cache are nil, and keep nothing.
func (c *principalCache) userMap() *invalidate.Map[int64, access.Principal] {
	if c == nil {
		return nil
	}
	return c.users
}

func (c *principalCache) deviceMap() *invalidate.Map[[sha256.Size]byte, access.Principal] {
	if c == nil {
		return nil
	}
	return c.devices
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
