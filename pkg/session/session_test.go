package session_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"timebank/pkg/dbtest"
	"timebank/pkg/session"
)

func TestSessionLifecycle(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	ctx := context.Background()
	s := newStore(t, rdb, prefix, []byte("a test key of thirty-two bytes!!"), time.Hour)

	tok, err := s.Create(ctx, 42, false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, tok)
	if err != nil || got.UserID != 42 || got.App {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	app, _ := s.Create(ctx, 42, true)
	if got, err := s.Get(ctx, app); err != nil || !got.App {
		t.Fatalf("app session = %+v, %v", got, err)
	}
	// Redis keeps only the token's hash.
	keys := dbtest.Keys(t, rdb, prefix+"*")
	for _, k := range keys {
		random, _, _ := strings.Cut(tok, ".")
		if strings.Contains(k, random) {
			t.Fatalf("a Redis key holds the token: %s", k)
		}
	}

	if err := s.Delete(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, tok); !errors.Is(err, session.ErrNoSession) {
		t.Fatalf("after Delete: %v", err)
	}
	if _, err := s.Get(ctx, app); err != nil {
		t.Fatalf("Delete ended another session: %v", err)
	}
	if err := s.Delete(ctx, tok); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
}

func TestForgedTokensAreRefused(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	ctx := context.Background()
	s := newStore(t, rdb, prefix, []byte("key one, thirty-two bytes long.."), time.Hour)
	other := newStore(t, rdb, prefix, []byte("key two, thirty-two bytes long.."), time.Hour)
	tok, err := s.Create(ctx, 7, false)
	if err != nil {
		t.Fatal(err)
	}
	random, mac, _ := strings.Cut(tok, ".")
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	for name, bad := range map[string]string{
		"empty":            "",
		"no mac":           random,
		"mac of another":   random + "." + flip(mac, 0),
		"random changed":   flip(random, 3) + "." + mac,
		"truncated":        tok[:len(tok)-2],
		"extra dot":        tok + ".x",
		"not base64":       "!!!!." + mac,
		"very long":        strings.Repeat("A", 5000) + "." + mac,
		"only a dot":       ".",
		"trailing newline": tok + "\n",
	} {
		if _, err := s.Get(ctx, bad); !errors.Is(err, session.ErrNoSession) {
			t.Errorf("%s: Get = %v, want ErrNoSession", name, err)
		}
	}
	if _, err := other.Get(ctx, tok); !errors.Is(err, session.ErrNoSession) {
		t.Errorf("a store with another key accepted the token: %v", err)
	}
}

func TestDeleteAllEndsEverySession(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	ctx := context.Background()
	s := newStore(t, rdb, prefix, []byte("a test key of thirty-two bytes!!"), time.Hour)
	var mine []string
	for range 5 {
		tok, err := s.Create(ctx, 1, false)
		if err != nil {
			t.Fatal(err)
		}
		mine = append(mine, tok)
	}
	theirs, _ := s.Create(ctx, 2, false)
	if err := s.DeleteAll(ctx, 1); err != nil {
		t.Fatal(err)
	}
	for _, tok := range mine {
		if _, err := s.Get(ctx, tok); !errors.Is(err, session.ErrNoSession) {
			t.Fatalf("a session survived DeleteAll: %v", err)
		}
	}
	if _, err := s.Get(ctx, theirs); err != nil {
		t.Fatalf("DeleteAll ended another person's session: %v", err)
	}
}

func TestSessionsExpire(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	ctx := context.Background()
	s, db := newStoreDB(t, rdb, prefix, []byte("a test key of thirty-two bytes!!"), time.Hour)
	tok, _ := s.Create(ctx, 3, false)
	keys := dbtest.Keys(t, rdb, prefix+"sess:*")
	if len(keys) != 1 {
		t.Fatalf("session keys: %v", keys)
	}
	if ttl := rdb.TTL(ctx, keys[0]).Val(); ttl <= 0 || ttl > time.Hour {
		t.Fatalf("session TTL %v", ttl)
	}
	// What the clock does: Redis drops the key when its TTL runs out, and PostgreSQL's last use is
	// older than the TTL.
	rdb.Del(ctx, keys[0])
	if _, err := db.Exec(`UPDATE sessions SET last_used_at = now() - interval '61 minutes'`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, tok); !errors.Is(err, session.ErrNoSession) {
		t.Fatalf("an expired session was accepted: %v", err)
	}
}

func TestCSRFTokenIsBoundToTheSession(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	s := newStore(t, rdb, prefix, []byte("a test key of thirty-two bytes!!"), time.Hour)
	a, b := s.CSRFToken("session-a"), s.CSRFToken("session-b")
	if a == "" || a == b || a != s.CSRFToken("session-a") {
		t.Fatalf("CSRF tokens: %q %q", a, b)
	}
	if x, y := session.NewAnonymousToken(), session.NewAnonymousToken(); x == y || len(x) < 20 {
		t.Fatalf("anonymous tokens: %q %q", x, y)
	}
}

// Concurrent attempts from many goroutines are counted exactly: the limit lets through exactly
// limit of them.
func TestLimiterUnderConcurrency(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	ctx := context.Background()
	l := session.NewLimiter(rdb, prefix, []byte("rate limit key for the tests"))
	var allowed atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ok, err := l.Allow(ctx, "login:13800000000", 5, time.Minute)
			if err != nil {
				t.Error(err)
			}
			if ok {
				allowed.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if allowed.Load() != 5 {
		t.Fatalf("%d of 60 allowed, want 5", allowed.Load())
	}
	if n, _ := l.Count(ctx, "login:13800000000"); n != 60 {
		t.Fatalf("count %d", n)
	}
	if err := l.Reset(ctx, "login:13800000000"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := l.Allow(ctx, "login:13800000000", 5, time.Minute); !ok {
		t.Fatal("not allowed after Reset")
	}
	if ok, _ := l.Allow(ctx, "login:13900000000", 5, time.Minute); !ok {
		t.Fatal("another key is limited too")
	}
}

// newStore returns a store over a fresh database that has people with ids 1 to 50, whose sessions
// the tests start.
func newStore(t *testing.T, rdb redis.UniversalClient, prefix string, secret []byte, ttl time.Duration) *session.Store {
	t.Helper()
	s, _ := newStoreDB(t, rdb, prefix, secret, ttl)
	return s
}

func newStoreDB(t *testing.T, rdb redis.UniversalClient, prefix string, secret []byte, ttl time.Duration) (*session.Store, *sqlx.DB) {
	t.Helper()
	db := dbtest.New(t)
	if _, err := db.Exec(`INSERT INTO users (id, phone, password_hash, name, volunteer_no, account_code)
SELECT n, '1390000' || lpad(n::text, 4, '0'), '!', '测试', 'V' || n, 'vol:' || n FROM generate_series(1, 50) n`); err != nil {
		t.Fatal(err)
	}
	return session.NewStore(db, rdb, prefix, secret, ttl), db
}

// Neither a Redis outage nor a Redis that comes back empty signs anybody out; a session ended while
// Redis was away stays ended when it is back.
func TestSessionsOutliveRedis(t *testing.T) {
	ctx := context.Background()
	srv := dbtest.NewRedisServer(t)
	rdb := srv.Client()
	defer rdb.Close()
	s := newStore(t, rdb, "tb:", []byte("a test key of thirty-two bytes!!"), time.Hour)
	mine, err := s.Create(ctx, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	theirs, _ := s.Create(ctx, 2, true)
	srv.Kill()
	if se, err := s.Get(ctx, mine); err != nil || se.UserID != 1 {
		t.Fatalf("with Redis down: %+v %v", se, err)
	}
	srv.Forget()
	srv.Start() // empty
	for _, tok := range []string{mine, theirs} {
		if _, err := s.Get(ctx, tok); err != nil {
			t.Fatalf("after Redis came back empty: %v", err)
		}
	}
	if n, _ := rdb.Exists(ctx, rdb.Keys(ctx, "tb:sess:*").Val()...).Result(); n != 2 {
		t.Fatalf("%d sessions back in Redis, want 2", n)
	}
	if err := s.Delete(ctx, mine); err != nil {
		t.Fatal(err)
	}
	srv.Save()
	srv.Kill()
	if err := s.DeleteAll(ctx, 2); err == nil {
		t.Fatal("signing out everywhere with Redis down said it was done")
	}
	srv.Start() // from the snapshot, in which the second session is still alive
	for _, tok := range []string{mine} {
		if _, err := s.Get(ctx, tok); !errors.Is(err, session.ErrNoSession) {
			t.Fatalf("a session ended before the restart: %v", err)
		}
	}
	// The snapshot still holds the second session, whose signing out failed and said so; the
	// retry ends it.
	if err := s.DeleteAll(ctx, 2); err != nil {
		t.Fatalf("signing out everywhere again: %v", err)
	}
	if _, err := s.Get(ctx, theirs); !errors.Is(err, session.ErrNoSession) {
		t.Fatalf("a session signed out everywhere: %v", err)
	}
}
