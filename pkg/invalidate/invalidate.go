// Package invalidate tells every running instance of the service that something it may keep in
// memory has changed, so that what a request reads on every call (who a session's person is, what
// roles they hold) can be answered from memory and still change at once when a grant is revoked or
// a session ends.
//
// One Redis channel carries the news: the writer publishes a topic (say "user:42") after its
// change has committed, and each instance's subscriber forgets what it kept under that topic. An
// instance keeps nothing while it is not subscribed (Redis down, the subscription lost, not yet
// started): it forgets everything when the subscription drops and again when it is made again
// (news sent in between is lost), and a cache asks Live before it serves or keeps anything. A
// value loaded from the database is kept only if no news arrived while it was loaded (Gen), so a
// load that raced a change cannot keep the old value.
package invalidate

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// All is the topic a handler receives when it must forget everything.
const All = "*"

// quiet is how long the subscriber waits for news before it checks, with a ping, that the
// subscription is still there; a ping not answered by the next wait ends it (and it is made again).
// So a subscription lost without notice is noticed within two of these.
const quiet = time.Second

// Bus is an instance's side of the channel: it publishes topics and runs the subscriber that hands
// the topics it hears to the caches registered with OnChange.
type Bus struct {
	rdb     redis.UniversalClient
	channel string
	log     *slog.Logger

	live atomic.Bool
	gen  atomic.Uint64

	mu       sync.Mutex
	handlers []func(topic string)
}

// New returns the bus on the channel named with prefix. It is not live until Run has subscribed.
func New(rdb redis.UniversalClient, prefix string, log *slog.Logger) *Bus {
	if log == nil {
		log = slog.Default()
	}
	return &Bus{rdb: rdb, channel: prefix + "invalidate", log: log}
}

// OnChange registers fn to be called, on the subscriber's goroutine, with each topic heard, and
// with All when everything must be forgotten. fn must not block.
func (b *Bus) OnChange(fn func(topic string)) {
	b.mu.Lock()
	b.handlers = append(b.handlers, fn)
	b.mu.Unlock()
}

// Live reports whether the subscription is in place, so that news will be heard: a cache serves
// and keeps values only then.
func (b *Bus) Live() bool { return b != nil && b.live.Load() }

// Gen is the number of topics heard so far (and of times everything was forgotten). A cache reads
// it before it loads a value and keeps the value only if Gen has not moved since (Keep).
func (b *Bus) Gen() uint64 { return b.gen.Load() }

// Keep reports whether a value loaded when Gen was gen may be kept: the bus is live and heard
// nothing since.
func (b *Bus) Keep(gen uint64) bool { return b.Live() && b.gen.Load() == gen }

// Publish tells every instance (this one too) that topic changed. Call it after the change has
// committed. An error means some instance may not have heard: the caller reports it, since a cache
// elsewhere could still serve the old value until its subscription drops.
func (b *Bus) Publish(ctx context.Context, topic string) error {
	if b == nil {
		return nil
	}
	b.deliver(topic) // this instance at once, whatever Redis does
	err := b.rdb.Publish(ctx, b.channel, topic).Err()
	if err != nil {
		b.log.Warn("invalidation not published; other instances keep their copy until their subscription drops",
			"topic", topic, "err", err)
	}
	return err
}

func (b *Bus) deliver(topic string) {
	b.gen.Add(1)
	b.mu.Lock()
	hs := b.handlers
	b.mu.Unlock()
	for _, h := range hs {
		h(topic)
	}
}

// down marks the bus not live and has everything forgotten.
func (b *Bus) down() {
	if b.live.Swap(false) {
		b.deliver(All)
	}
}

// Run subscribes and hands what it hears to the handlers until ctx ends, making the subscription
// again whenever it is lost.
func (b *Bus) Run(ctx context.Context) {
	defer b.down()
	for ctx.Err() == nil {
		b.listen(ctx)
		b.down()
		select {
		case <-ctx.Done():
		case <-time.After(quiet):
		}
	}
}

// listen holds one subscription until it is lost or ctx ends.
func (b *Bus) listen(ctx context.Context) {
	ps := b.rdb.Subscribe(ctx, b.channel)
	defer ps.Close()
	// A wait for news does not end with ctx; closing the subscription ends it, so that Run
	// returns as soon as it is told to rather than after the wait.
	stop := context.AfterFunc(ctx, func() { _ = ps.Close() })
	defer stop()
	pinged := false
	for {
		msg, err := ps.ReceiveTimeout(ctx, quiet)
		var nerr net.Error
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && errors.As(err, &nerr) && nerr.Timeout():
			if pinged { // the last ping went unanswered: the subscription is gone
				b.log.Warn("invalidation channel silent; subscribing again")
				return
			}
			if err := ps.Ping(ctx); err != nil {
				return
			}
			pinged = true
			continue
		case err != nil:
			if b.live.Load() {
				b.log.Warn("invalidation channel lost; caches off until it is back", "err", err)
			}
			return
		}
		pinged = false
		switch m := msg.(type) {
		case *redis.Subscription:
			// Made (again): what was sent while there was none is lost, so forget everything.
			if m.Kind == "subscribe" {
				b.deliver(All)
				b.live.Store(true)
			}
		case *redis.Message:
			b.deliver(m.Payload)
		}
	}
}
