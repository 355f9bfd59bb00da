package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/ledger"
	"timebank/web/api"
	"timebank/web/guard"
)

// serve runs the app on a real listener: the event stream cannot be read through app.Test, which
// waits for the whole body.
func serve(t *testing.T, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String()
}

// stream is an open balance event stream, read by its own goroutine.
type stream struct {
	events chan api.BalanceEvent // closed when the stream ends
	close  func()
}

// openStream opens the event stream with the session of a signed-in browser.
func openStream(t *testing.T, base, session string) *stream {
	t.Helper()
	st, err := dialStream(base, session)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// dialStream is openStream for goroutines other than the test's.
func dialStream(base, session string) (*stream, error) {
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/me/balance/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	req.AddCookie(&http.Cookie{Name: guard.CookieSession, Value: session})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		cancel()
		resp.Body.Close()
		return nil, fmt.Errorf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	st := &stream{events: make(chan api.BalanceEvent, 64), close: func() { cancel(); resp.Body.Close() }}
	go func() {
		defer close(st.events)
		sc := bufio.NewScanner(resp.Body)
		var name, data string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if name == "balance" {
					var b api.BalanceEvent
					if json.Unmarshal([]byte(data), &b) != nil {
						b.Code = "malformed: " + data
					}
					st.events <- b
				}
				name, data = "", ""
			case strings.HasPrefix(line, "event: "):
				name = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				data = line[len("data: "):]
			}
		}
	}()
	return st, nil
}

// next waits for the stream's next event.
func (st *stream) next(t *testing.T) api.BalanceEvent {
	t.Helper()
	select {
	case b, ok := <-st.events:
		if !ok {
			t.Fatal("the stream ended")
		}
		return b
	case <-time.After(20 * time.Second):
		t.Fatal("no event within 20 s")
	}
	return api.BalanceEvent{}
}

// The stream sends the current balance, then each change posted through the ledger; when the client
// goes away the stream ends and nothing is left subscribed.
func TestBalanceEventsStream(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	b, u := personIn(t, app, d, testPhone)
	earn(t, d, u.AccountCode, 30, "before")
	base := serve(t, app)
	st := openStream(t, base, b.jar[guard.CookieSession])
	first := st.next(t)
	if first.Code != u.AccountCode || first.Available != 30 || first.Posted != 30 {
		t.Fatalf("first event: %+v", first)
	}
	earn(t, d, u.AccountCode, 90, "after")
	second := st.next(t)
	if second.Available != 120 || second.Version <= first.Version {
		t.Fatalf("after a posting of 90: %+v (first %+v)", second, first)
	}

	// The page's fallback reads the same balance.
	req := httptest.NewRequest("GET", "/api/v1/me/balance", nil)
	req.AddCookie(&http.Cookie{Name: guard.CookieSession, Value: b.jar[guard.CookieSession]})
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	var polled ledger.Balance
	if err := json.NewDecoder(resp.Body).Decode(&polled); err != nil || polled.Available != 120 {
		t.Errorf("GET /api/v1/me/balance: %+v %v", polled, err)
	}
	resp.Body.Close()

	st.close()
	channel := d.Ledger.BalanceChannel(u.AccountCode)
	deadline := time.Now().Add(30 * time.Second)
	for {
		// The server finds a client gone when a write fails: each posting makes one.
		earn(t, d, u.AccountCode, 1, "poke")
		n, err := d.Redis.PubSubNumSub(context.Background(), channel).Result()
		if err != nil {
			t.Fatal(err)
		}
		if n[channel] == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stream of a client that went away is still subscribed")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Many streams of several people at once, over one shared subscription, while postings race: each
// stream sees only its own account, versions only grow, and each ends at its final balance.
func TestBalanceEventsManyStreams(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	base := serve(t, app)
	const people, streamsEach, postings = 3, 4, 12
	type person struct {
		code    string
		session string
		streams []*stream
	}
	var ps []*person
	for i := 0; i < people; i++ {
		b, u := personIn(t, app, d, fmt.Sprintf("1391234560%d", i))
		ps = append(ps, &person{code: u.AccountCode, session: b.jar[guard.CookieSession]})
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, p := range ps {
		for j := 0; j < streamsEach; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, err := dialStream(base, p.session)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				p.streams = append(p.streams, st)
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	for _, p := range ps {
		for _, st := range p.streams {
			if first := st.next(t); first.Code != p.code || first.Available != 0 {
				t.Fatalf("first event of %s: %+v", p.code, first)
			}
		}
	}
	for _, p := range ps {
		for k := 1; k <= postings; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := postEarning(d, p.code, int64(k), "race"); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	const total = postings * (postings + 1) / 2
	for _, p := range ps {
		for _, st := range p.streams {
			last := int64(0)
			for b := st.next(t); ; b = st.next(t) {
				if b.Code != p.code {
					t.Fatalf("a stream of %s got %+v", p.code, b)
				}
				if b.Version <= last {
					t.Fatalf("versions went %d then %d", last, b.Version)
				}
				last = b.Version
				if b.Available == total {
					break
				}
			}
			st.close()
		}
	}
}

// Shutting the server down ends open streams, so that shutdown does not wait for them forever.
func TestBalanceEventsEndOnShutdown(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	b, _ := personIn(t, app, d, testPhone)
	st := openStream(t, serve(t, app), b.jar[guard.CookieSession])
	defer st.close()
	st.next(t)
	if err := app.ShutdownWithTimeout(20 * time.Second); err != nil {
		t.Fatalf("shutdown with an open stream: %v", err)
	}
	select {
	case _, ok := <-st.events:
		if ok {
			t.Fatal("an event after shutdown")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the stream stayed open after shutdown")
	}
}

// Signing out (everywhere, after a phone was lost) ends an open stream before it sends anything more.
func TestBalanceEventsEndWithSession(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	b, u := personIn(t, app, d, testPhone)
	st := openStream(t, serve(t, app), b.jar[guard.CookieSession])
	defer st.close()
	st.next(t)
	if err := d.Sessions.DeleteAll(context.Background(), u.ID); err != nil {
		t.Fatal(err)
	}
	earn(t, d, u.AccountCode, 45, "after sign-out")
	select {
	case ev, ok := <-st.events:
		if ok {
			t.Fatalf("an event after signing out: %+v", ev)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the stream stayed open after signing out")
	}
}

// Only a signed-in person gets a stream, and only when asking for one.
func TestBalanceEventsRefused(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	b, _ := personIn(t, app, d, testPhone)
	for _, c := range []struct {
		session, accept string
		want            int
	}{
		{"", "text/event-stream", 401},
		{"forged", "text/event-stream", 401},
		{b.jar[guard.CookieSession], "application/json", 406},
	} {
		req := httptest.NewRequest("GET", "/api/v1/me/balance/events", nil)
		req.Header.Set("Accept", c.accept)
		if c.session != "" {
			req.AddCookie(&http.Cookie{Name: guard.CookieSession, Value: c.session})
		}
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%+v: %d %s", c, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}
