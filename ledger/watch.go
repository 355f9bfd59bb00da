package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// publishLua is the one place the balance change a watcher reads is written: the projection's
// scripts start with it, and decodeChange below reads what it publishes. p, h and v are the
// account's posted, pending and version totals; ARGV[2] is the channel and ARGV[3] the code.
const publishLua = `
local function publish(p, h, v)
  redis.call('PUBLISH', ARGV[2], string.format('{"code":"%s","posted":%d,"pending":%d,"available":%d,"version":%d}',
    ARGV[3], p, h, p - h, v))
end
`

// publishedChange is a balance change, as publishLua writes it.
type publishedChange struct {
	Code      string `json:"code"`
	Posted    int64  `json:"posted"`
	Pending   int64  `json:"pending"`
	Available int64  `json:"available"`
	Version   int64  `json:"version"`
}

// decodeChange reads a payload publishLua wrote into the balance it announces.
func decodeChange(payload string) (Balance, error) {
	var c publishedChange
	if err := json.Unmarshal([]byte(payload), &c); err != nil {
		return Balance{}, fmt.Errorf("ledger: balance change: %w", err)
	}
	if c.Code == "" || c.Available != c.Posted-c.Pending {
		return Balance{}, fmt.Errorf("ledger: balance change: malformed %q", payload)
	}
	return newBalance(c.Code, c.Posted, c.Pending, c.Version, SourceRedis), nil
}

// watchSetup bounds unsubscribing, which runs outside any caller's request.
const watchSetup = 5 * time.Second

// Watch follows one account's balance changes. Changes holds the newest change not yet taken: a
// slow reader skips to the latest balance instead of holding the others up. It is closed when the
// subscription is lost (Redis dropped the connection in a way the hub cannot repair); the reader
// then watches again. Changes published while Redis reconnects are lost: a reader that must not
// miss one reads the balance now and then and keeps the newer version.
type Watch struct {
	hub  *watchHub
	ps   *redis.PubSub // the connection it was made on
	name string
	c    chan Balance
}

// Changes returns the channel of the account's balance changes.
func (w *Watch) Changes() <-chan Balance { return w.c }

// Watch starts following the account's balance and returns once Redis has confirmed the
// subscription: a balance read after it returns is never older than the changes it then delivers.
// On a Redis Cluster the subscription may sit on another master than the account's, and a change
// published there just before the confirmation can still arrive after it: a reader keeps only
// versions newer than the one it has (as the balance stream does).
// Every watch of the ledger shares one Redis connection, opened with the first and closed with the
// last, instead of one connection per open page: a province's volunteers could otherwise exhaust
// Redis's connections. Close ends the watch.
// Errors: those of Redis, or ctx's.
func (l *Ledger) Watch(ctx context.Context, code string) (*Watch, error) {
	return l.hub.subscribe(ctx, l.proj.channel(code))
}

// watchHub shares one Redis subscription connection among all the watches of one ledger.
type watchHub struct {
	rdb   redis.UniversalClient
	mu    sync.Mutex
	ps    *redis.PubSub // nil while no watch is open
	chans map[string]*hubChannel
}

// hubChannel is one account's channel and the watches that follow it.
type hubChannel struct {
	subs map[*Watch]struct{}
	// pending counts SUBSCRIBE commands Redis has not confirmed; ready is closed when it drops to
	// zero. A watch returns only once ready, so no change can fall between it and a balance read.
	pending int
	ready   chan struct{}
}

func newWatchHub(rdb redis.UniversalClient) *watchHub {
	return &watchHub{rdb: rdb, chans: map[string]*hubChannel{}}
}

// subscribe follows a channel, and returns once Redis has confirmed the subscription.
func (h *watchHub) subscribe(ctx context.Context, name string) (*Watch, error) {
	h.mu.Lock()
	if h.ps == nil {
		h.ps = h.rdb.Subscribe(context.Background())
		go h.run(h.ps, h.ps.ChannelWithSubscriptions())
	}
	sub := &Watch{hub: h, ps: h.ps, name: name, c: make(chan Balance, 1)}
	hc := h.chans[name]
	if hc == nil {
		hc = &hubChannel{subs: map[*Watch]struct{}{}}
		h.chans[name] = hc
	}
	hc.subs[sub] = struct{}{}
	var err error
	if len(hc.subs) == 1 {
		if hc.pending == 0 {
			hc.ready = make(chan struct{})
		}
		hc.pending++
		err = h.ps.Subscribe(ctx, name)
	}
	ready := hc.ready
	h.mu.Unlock()
	if err != nil {
		h.reset(sub.ps)
		return nil, err
	}
	select {
	case <-ready:
		return sub, nil
	case <-ctx.Done():
		sub.Close()
		return nil, ctx.Err()
	}
}

// Close ends the watch; the last one of a channel unsubscribes, the last one of all closes the
// connection. Closing twice does nothing.
func (w *Watch) Close() {
	h := w.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	hc := h.chans[w.name]
	if h.ps != w.ps || hc == nil {
		return // the connection it was on is gone, and its state with it
	}
	if _, ok := hc.subs[w]; !ok {
		return
	}
	delete(hc.subs, w)
	if len(hc.subs) > 0 {
		return
	}
	if hc.pending == 0 {
		delete(h.chans, w.name)
	}
	for _, other := range h.chans {
		if len(other.subs) > 0 {
			ctx, cancel := context.WithTimeout(context.Background(), watchSetup)
			defer cancel()
			if err := h.ps.Unsubscribe(ctx, w.name); err != nil {
				h.resetLocked()
			}
			return
		}
	}
	h.resetLocked()
}

// reset drops the connection ps and every watch on it, if it is still the hub's: their channels
// close, and their readers watch again on a fresh connection. It is how the hub recovers from a
// command that failed half-way, leaving Redis's idea of the subscriptions unknown.
func (h *watchHub) reset(ps *redis.PubSub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ps == ps {
		h.resetLocked()
	}
}

func (h *watchHub) resetLocked() {
	for _, hc := range h.chans {
		for sub := range hc.subs {
			close(sub.c)
		}
	}
	h.chans = map[string]*hubChannel{}
	if h.ps != nil {
		_ = h.ps.Close()
		h.ps = nil
	}
}

// run hands each message of the connection ps to the watches that follow its channel, until ps is
// closed.
func (h *watchHub) run(ps *redis.PubSub, msgs <-chan any) {
	for m := range msgs {
		h.mu.Lock()
		if h.ps == ps {
			h.dispatch(m)
		}
		h.mu.Unlock()
	}
}

func (h *watchHub) dispatch(m any) {
	switch m := m.(type) {
	case *redis.Subscription:
		hc := h.chans[m.Channel]
		// A reconnect re-subscribes without being asked: nothing is pending then.
		if m.Kind != "subscribe" || hc == nil || hc.pending == 0 {
			return
		}
		if hc.pending--; hc.pending == 0 {
			close(hc.ready)
			if len(hc.subs) == 0 {
				delete(h.chans, m.Channel)
			}
		}
	case *redis.Message:
		hc := h.chans[m.Channel]
		if hc == nil {
			return
		}
		b, err := decodeChange(m.Payload)
		if err != nil {
			return
		}
		for sub := range hc.subs {
			select { // keep only the newest change
			case <-sub.c:
			default:
			}
			sub.c <- b
		}
	}
}
