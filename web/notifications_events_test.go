package web

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"timebank/pkg/notify"
	"timebank/web/api"
)

// noticeStream is an open stream of the unread count, read by its own goroutine.
type noticeStream struct {
	events chan api.NoticeEvent // closed when the stream ends
	close  func()
}

// openNoticeStream opens /api/v1/me/notifications/events with the bearer token.
func openNoticeStream(t *testing.T, base, token string) *noticeStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/me/notifications/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		cancel()
		resp.Body.Close()
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	st := &noticeStream{events: make(chan api.NoticeEvent, 64), close: func() { cancel(); resp.Body.Close() }}
	t.Cleanup(st.close)
	go func() {
		defer close(st.events)
		sc := bufio.NewScanner(resp.Body)
		var name, data string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if name == "notices" {
					var e api.NoticeEvent
					if json.Unmarshal([]byte(data), &e) != nil {
						e.Kind = "malformed: " + data
					}
					st.events <- e
				}
				name, data = "", ""
			case strings.HasPrefix(line, "event: "):
				name = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				data = line[len("data: "):]
			}
		}
	}()
	return st
}

func (st *noticeStream) next(t *testing.T) api.NoticeEvent {
	t.Helper()
	select {
	case e, ok := <-st.events:
		if !ok {
			t.Fatal("the stream ended")
		}
		return e
	case <-time.After(20 * time.Second):
		t.Fatal("no event within 20 s")
	}
	return api.NoticeEvent{}
}

// The stream sends the unread count, then, as each of the person's notices reaches the inbox (the
// worker's delivery publishing on Redis), the new count with that notice; another person's notices
// do not show on it. It is for signed-in people who ask for an event stream.
func TestNotificationEventsStream(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	a, tokA := signedIn(t, d, "13900000011")
	b, tokB := signedIn(t, d, "13900000012")
	tell(t, d, noticeOf(a.ID, notify.HoursVerified, "record:1:rev:1"))
	base := serve(t, app)

	stA := openNoticeStream(t, base, tokA)
	if first := stA.next(t); first.Unread != 1 || first.ID != 0 {
		t.Fatalf("first event: %+v, want the count 1 alone", first)
	}
	stB := openNoticeStream(t, base, tokB)
	if first := stB.next(t); first.Unread != 0 {
		t.Fatalf("B's first event: %+v", first)
	}

	tell(t, d, noticeOf(b.ID, notify.OrderReady, "order:2:ready"))
	gotB := stB.next(t)
	tell(t, d, noticeOf(a.ID, notify.OrderReady, "order:1:ready"))
	gotA := stA.next(t)
	pageA := inboxOf(t, app, tokA, "")
	pageB := inboxOf(t, app, tokB, "")
	if gotA.Unread != 2 || gotA.Kind != notify.OrderReady || gotA.ID != pageA.Notices[0].ID {
		t.Fatalf("A's live event: %+v, want 2 unread with notice %d", gotA, pageA.Notices[0].ID)
	}
	if gotB.Unread != 1 || gotB.ID != pageB.Notices[0].ID {
		t.Fatalf("B's live event: %+v, want 1 unread with notice %d", gotB, pageB.Notices[0].ID)
	}
	// A's stream carried B's notice to no one: A's next events are A's own.
	tell(t, d, noticeOf(a.ID, notify.ActivityCancelled, "activity:1:cancelled"))
	if got := stA.next(t); got.Unread != 3 || got.ID == pageB.Notices[0].ID || got.Kind != notify.ActivityCancelled {
		t.Fatalf("A's next event: %+v", got)
	}

	// Asked without an event stream in mind, or by no one, it refuses.
	for _, c := range []struct {
		accept, token string
		status        int
	}{
		{"application/json", tokA, 406},
		{"text/event-stream", "", 401},
		{"text/event-stream", "forged", 401},
	} {
		req, _ := http.NewRequest("GET", base+"/api/v1/me/notifications/events", nil)
		req.Header.Set("Accept", c.accept)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("Accept %s, token %q: %d %s, want %d problem", c.accept, c.token, resp.StatusCode, resp.Header.Get("Content-Type"), c.status)
		}
	}

	// Signing out ends the stream at its next event.
	if err := d.Sessions.Delete(context.Background(), tokA); err != nil {
		t.Fatal(err)
	}
	tell(t, d, noticeOf(a.ID, notify.OrderReady, "order:3:ready"))
	select {
	case e, ok := <-stA.events:
		if ok {
			t.Fatalf("a signed-out stream sent %+v", e)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the signed-out stream did not end")
	}
}
