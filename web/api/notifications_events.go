package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/notify"
	"timebank/pkg/session"
	"timebank/web/guard"
	"timebank/web/observe"
)

// NoticeEvent is the data of one event of the notices stream: the caller's unread count, and the
// new notice that changed it (no id for a count read without one: the first event, a recount).
type NoticeEvent struct {
	Unread int    `json:"unread"`
	ID     int64  `json:"id,omitempty"`
	Kind   string `json:"kind,omitempty"`
}

// noticeEvents streams the caller's unread count as text/event-stream, for the badge every page
// shows: first the count, then the count again with each new notice as it reaches the inbox, and a
// recount or a comment every sseHeartbeat (notices read on another page, or published while Redis
// reconnected, show within one beat). The stream watches before it counts, so no notice between the
// two is lost. It ends as the balance stream does: client gone, session ended or server shutting down.
func (s *server) noticeEvents(c *fiber.Ctx) error {
	if !strings.Contains(c.Get(fiber.HeaderAccept), "text/event-stream") {
		return fiber.ErrNotAcceptable
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), sseSetup)
	defer cancel()
	me := guard.Principal(c).UserID
	w, err := s.Notify.Watch(ctx, me)
	if err != nil {
		s.log.Warn("notices stream: subscribe", "err", err, "request_id", observe.RequestID(c))
		return errUnavailable
	}
	unread, err := s.Notify.Unread(ctx, me)
	if err != nil {
		w.Close()
		return err
	}
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no")
	st := &noticeStream{watch: w, notify: s.Notify, userID: me, sessions: s.Sessions, session: streamSession(c),
		done: c.Context().Done(), conn: c.Context().Conn()}
	c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
		defer w.Close()
		st.run(bw, unread)
	})
	return nil
}

// noticeStream is one open stream of the unread count.
type noticeStream struct {
	watch    *notify.Watch
	notify   *notify.Service
	userID   int64
	sessions *session.Store
	session  string
	done     <-chan struct{}
	conn     net.Conn
	last     int // the unread count last sent
}

// run writes the stream until a write fails, the watch ends or the server shuts down.
func (st *noticeStream) run(w *bufio.Writer, unread int) {
	heartbeat := time.NewTicker(sseHeartbeat)
	defer heartbeat.Stop()
	fmt.Fprintf(w, "retry: %d\n\n", sseRetry.Milliseconds())
	if st.send(w, NoticeEvent{Unread: unread}) != nil {
		return
	}
	for {
		select {
		case <-st.done:
			return
		case n, ok := <-st.watch.News():
			if !ok || !sessionAlive(st.sessions, st.session) {
				return
			}
			unread, err := st.count()
			if err != nil {
				continue // the next beat counts again
			}
			if st.send(w, NoticeEvent{Unread: unread, ID: n.ID, Kind: n.Kind}) != nil {
				return
			}
		case <-heartbeat.C:
			if !sessionAlive(st.sessions, st.session) {
				return
			}
			if unread, err := st.count(); err == nil && unread != st.last {
				if st.send(w, NoticeEvent{Unread: unread}) != nil {
					return
				}
				continue
			}
			if _, err := w.WriteString(": heartbeat\n\n"); err != nil || flushStream(w, st.conn) != nil {
				return
			}
		}
	}
}

func (st *noticeStream) count() (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), sseSetup)
	defer cancel()
	return st.notify.Unread(ctx, st.userID)
}

// send writes one event.
func (st *noticeStream) send(w *bufio.Writer, e NoticeEvent) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "event: notices\ndata: %s\n\n", data); err != nil {
		return err
	}
	st.last = e.Unread
	return flushStream(w, st.conn)
}

// streamSession is the token a stream was opened with (a bearer token, else the session cookie),
// kept to check before each write that the session still exists.
func streamSession(c *fiber.Ctx) string {
	if bearer, ok := guard.BearerToken(c); ok {
		return bearer
	}
	return guard.SessionCookie(c)
}

// sessionAlive reports whether the session still exists: a stream must not outlive signing out
// (everywhere, say, after a phone was lost). A Redis error keeps the stream.
func sessionAlive(sessions *session.Store, token string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), sseSetup)
	defer cancel()
	_, err := sessions.Get(ctx, token)
	return !errors.Is(err, session.ErrNoSession)
}

// flushStream sends what is buffered. The server's write timeout is set once per response, which
// would cut a stream after it; each flush moves the deadline past the next heartbeat instead.
func flushStream(w *bufio.Writer, conn net.Conn) error {
	if conn != nil {
		_ = conn.SetWriteDeadline(time.Now().Add(2 * sseHeartbeat))
	}
	return w.Flush()
}
