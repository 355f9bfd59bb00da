package api

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/ledger"
	"timebank/pkg/identity"
	"timebank/pkg/session"
	"timebank/web/guard"
	"timebank/web/observe"
	"timebank/web/problem"
)

const (
	// sseHeartbeat is how often an idle stream sends a comment: proxies close connections that stay
	// silent for long (often after 60 s), and a write is how a stream finds that its client has gone.
	sseHeartbeat = 20 * time.Second
	// sseRetry is how long a browser waits before it reconnects a dropped stream.
	sseRetry = 5 * time.Second
	// sseSetup bounds subscribing and the first read, so a request never hangs on a slow Redis.
	sseSetup = 5 * time.Second
)

// errUnavailable is a dependency (Redis) that does not answer; the page falls back to polling.
var errUnavailable = &problem.Error{Status: fiber.StatusServiceUnavailable, Slug: "unavailable"}

// BalanceEvent is the data of one event of the balance stream, the stream's own format: the
// account's totals in minutes after a change. Version grows with every change.
type BalanceEvent struct {
	Code      string `json:"code"`
	Posted    int64  `json:"posted"`
	Pending   int64  `json:"pending"`
	Available int64  `json:"available"`
	Version   int64  `json:"version"`
}

func eventOf(b ledger.Balance) BalanceEvent {
	return BalanceEvent{Code: b.Account, Posted: b.Posted, Pending: b.Pending, Available: b.Available, Version: b.Version}
}

// myBalance returns the caller's balance: from Redis, with the session and the principal from
// memory, no PostgreSQL on the way (every phone reads it, again and again).
func (s *server) myBalance(c *fiber.Ctx) error {
	b, err := s.Ledger.Balance(c.UserContext(), identity.AccountOf(guard.Principal(c).UserID))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(b)
}

// balanceEvents streams the caller's balance as text/event-stream: first the current balance, then
// one event per change, and a comment every sseHeartbeat. The stream subscribes before it reads the
// balance, so no change between the two is lost; an event is sent only when its version is newer
// than the last one sent, so none is sent twice or out of order. It ends when the client goes away
// (the next write fails), the session ends (checked before each write) or the server shuts down.
func (s *server) balanceEvents(c *fiber.Ctx) error {
	// EventSource asks for text/event-stream. Anything else gets no never-ending body it did not
	// ask for (and a test client that reads to the end does not hang).
	if !strings.Contains(c.Get(fiber.HeaderAccept), "text/event-stream") {
		return fiber.ErrNotAcceptable
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), sseSetup)
	defer cancel()
	code := identity.AccountOf(guard.Principal(c).UserID)
	sub, err := s.Ledger.Watch(ctx, code)
	if err != nil {
		s.log.Warn("balance stream: subscribe", "err", err, "request_id", observe.RequestID(c))
		return errUnavailable
	}
	b, err := s.Ledger.Balance(ctx, code)
	if err != nil {
		sub.Close()
		return err
	}
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no") // a proxy must pass each event on at once
	// The stream outlives the handler and its fiber.Ctx: it gets only what it needs, now.
	st := &balanceStream{sub: sub, code: code, ledger: s.Ledger, sessions: s.Sessions, session: streamSession(c),
		done: c.Context().Done(), conn: c.Context().Conn()}
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer sub.Close()
		st.run(w, eventOf(b))
	})
	return nil
}

// balanceStream is one open stream.
type balanceStream struct {
	sub      *ledger.Watch
	code     string
	ledger   *ledger.Ledger
	sessions *session.Store
	session  string          // the token the stream was opened with (cookie or bearer)
	done     <-chan struct{} // closed when the server shuts down
	conn     net.Conn
	last     int64 // version of the last event sent
}

// run writes the stream until a write fails, the watch ends or the server shuts down.
func (st *balanceStream) run(w *bufio.Writer, first BalanceEvent) {
	heartbeat := time.NewTicker(sseHeartbeat)
	defer heartbeat.Stop()
	fmt.Fprintf(w, "retry: %d\n\n", sseRetry.Milliseconds())
	st.last = -1
	if st.send(w, first) != nil {
		return
	}
	for {
		select {
		case <-st.done:
			return
		case b, ok := <-st.sub.Changes():
			if !ok || !st.signedIn() || st.send(w, eventOf(b)) != nil {
				return
			}
		case <-heartbeat.C:
			if !st.signedIn() {
				return
			}
			// Redis pub/sub drops what is published while its connection is being re-made: the
			// heartbeat reads the balance again, so a lost change shows within one beat.
			ctx, cancel := context.WithTimeout(context.Background(), sseSetup)
			b, err := st.ledger.Balance(ctx, st.code)
			cancel()
			if err == nil && b.Version > st.last {
				if st.send(w, eventOf(b)) != nil {
					return
				}
				continue
			}
			if _, err := w.WriteString(": heartbeat\n\n"); err != nil || st.flush(w) != nil {
				return
			}
		}
	}
}

// signedIn reports whether the session the stream was opened with still exists (sessionAlive).
func (st *balanceStream) signedIn() bool { return sessionAlive(st.sessions, st.session) }

// send writes one event if it is newer than the last one sent.
func (st *balanceStream) send(w *bufio.Writer, b BalanceEvent) error {
	if b.Version <= st.last {
		return nil
	}
	data, err := json.Marshal(b)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "event: balance\nid: %d\ndata: %s\n\n", b.Version, data); err != nil {
		return err
	}
	st.last = b.Version
	return st.flush(w)
}

// flush sends what is buffered (flushStream).
func (st *balanceStream) flush(w *bufio.Writer) error { return flushStream(w, st.conn) }
