package notify

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// Live is a new notice as it reaches a person's inbox: what publish sends on LiveChannel.
type Live struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind"`
}

// Watch follows one person's new notices. News holds the newest notice not yet taken: a slow reader
// skips to the latest rather than holding the others up (it recounts the inbox anyway). It is closed
// when the subscription is lost; the reader then watches again. Notices published while Redis
// reconnects are not seen: a reader recounts the inbox now and then.
type Watch struct {
	hub    *liveHub
	conn   *liveConn // the connection it was made on
	userID int64
	c      chan Live
}

// News returns the channel of the person's new notices.
func (w *Watch) News() <-chan Live { return w.c }

// Close ends the watch; the last one of the process closes the Redis connection. Closing twice does
// nothing.
func (w *Watch) Close() { w.hub.remove(w) }

// errNoRedis is a watch asked of a service built without Redis.
var errNoRedis = errors.New("notify: no Redis for live notices")

// Watch starts following the person's new notices and returns once Redis has confirmed the
// subscription: an inbox read after it returns is never older than the notices it then delivers.
// Every watch of the service shares one Redis connection, subscribed to the pattern of every
// person's live channel, so that a page open in each of a province's phones does not take a Redis
// connection each; notices are few beside balance changes, and each server drops the ones for
// people it does not serve. Close ends the watch.
// Errors: those of Redis, or ctx's.
func (s *Service) Watch(ctx context.Context, userID int64) (*Watch, error) {
	if s.rdb == nil {
		return nil, errNoRedis
	}
	return s.live.add(ctx, userID)
}

// liveHub shares one pattern subscription among the watches of one service.
type liveHub struct {
	rdb     redis.UniversalClient
	pattern string // every live channel: the prefix (its glob characters escaped) and notify:*
	prefix  string // what a live channel's name starts with, before the person's id
	mu      sync.Mutex
	conn    *liveConn // nil while no watch is open
	subs    map[int64]map[*Watch]struct{}
}

// liveConn is the hub's subscription on one Redis connection.
type liveConn struct {
	ps    *redis.PubSub
	ready chan struct{} // closed once Redis has answered the subscription
	err   error         // why it failed, set before ready is closed
}

func newLiveHub(rdb redis.UniversalClient, prefix string) *liveHub {
	glob := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`)
	return &liveHub{rdb: rdb, pattern: glob.Replace(prefix) + "notify:*", prefix: prefix + "notify:",
		subs: map[int64]map[*Watch]struct{}{}}
}

// add opens a watch, subscribing a connection first if the hub has none.
func (h *liveHub) add(ctx context.Context, userID int64) (*Watch, error) {
	h.mu.Lock()
	if h.conn == nil {
		h.conn = &liveConn{ps: h.rdb.PSubscribe(context.Background()), ready: make(chan struct{})}
		go h.run(h.conn)
	}
	w := &Watch{hub: h, conn: h.conn, userID: userID, c: make(chan Live, 1)}
	if h.subs[userID] == nil {
		h.subs[userID] = map[*Watch]struct{}{}
	}
	h.subs[userID][w] = struct{}{}
	h.mu.Unlock()
	select {
	case <-w.conn.ready:
		if w.conn.err != nil {
			return nil, w.conn.err // the failed connection was dropped with its watches
		}
		return w, nil
	case <-ctx.Done():
		w.Close()
		return nil, ctx.Err()
	}
}

// run subscribes the connection to the pattern, says so through ready, and then hands each message
// to the watches of its person, until the connection is closed.
func (h *liveHub) run(c *liveConn) {
	err := c.ps.PSubscribe(context.Background(), h.pattern)
	if err == nil {
		_, err = c.ps.Receive(context.Background()) // the confirmation
	}
	c.err = err
	close(c.ready)
	if err != nil {
		h.mu.Lock()
		if h.conn == c {
			h.dropLocked()
		}
		h.mu.Unlock()
		return
	}
	for m := range c.ps.Channel() {
		h.dispatch(c, m)
	}
}

func (h *liveHub) dispatch(c *liveConn, m *redis.Message) {
	id, err := strconv.ParseInt(strings.TrimPrefix(m.Channel, h.prefix), 10, 64)
	if err != nil || !strings.HasPrefix(m.Channel, h.prefix) {
		return
	}
	var n Live
	if json.Unmarshal([]byte(m.Payload), &n) != nil || n.ID <= 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conn != c {
		return
	}
	for w := range h.subs[id] {
		select { // keep only the newest
		case <-w.c:
		default:
		}
		w.c <- n
	}
}

// remove ends a watch; with the last one the connection is closed.
func (h *liveHub) remove(w *Watch) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conn != w.conn {
		return // its connection is gone, and the watch with it
	}
	if _, ok := h.subs[w.userID][w]; !ok {
		return
	}
	delete(h.subs[w.userID], w)
	if len(h.subs[w.userID]) == 0 {
		delete(h.subs, w.userID)
	}
	if len(h.subs) == 0 {
		h.dropLocked()
	}
}

// dropLocked closes the connection and every watch on it; their readers watch again.
func (h *liveHub) dropLocked() {
	for _, ws := range h.subs {
		for w := range ws {
			close(w.c)
		}
	}
	h.subs = map[int64]map[*Watch]struct{}{}
	if h.conn != nil {
		_ = h.conn.ps.Close()
		h.conn = nil
	}
}
