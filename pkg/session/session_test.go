package session_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"timebank/pkg/dbtest"
	"timebank/pkg/session"
)

func TestSessionLifecycle(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	ctx := context.Background()
	s := session.NewStore(rdb, prefix, []byte("a test key of thirty-two bytes!!"), time.Hour)

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
	keys, _ := rdb.Keys(ctx, prefix+"*").Result()
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
	s := session.NewStore(rdb, prefix, []byte("key one, thirty-two bytes long.."), time.Hour)
	other := session.NewStore(rdb, prefix, []byte("key two, thirty-two bytes long.."), time.Hour)
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
	s := session.NewStore(rdb, prefix, []byte("a test key of thirty-two bytes!!"), time.Hour)
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
	s := session.NewStore(rdb, prefix, []byte("a test key of thirty-two bytes!!"), time.Hour)
	tok, _ := s.Create(ctx, 3, false)
	keys, _ := rdb.Keys(ctx, prefix+"sess:*").Result()
	if len(keys) != 1 {
		t.Fatalf("session keys: %v", keys)
	}
	if ttl := rdb.TTL(ctx, keys[0]).Val(); ttl <= 0 || ttl > time.Hour {
		t.Fatalf("session TTL %v", ttl)
	}
	rdb.Del(ctx, keys[0]) // what Redis does when the TTL runs out
	if _, err := s.Get(ctx, tok); !errors.Is(err, session.ErrNoSession) {
		t.Fatalf("an expired session was accepted: %v", err)
	}
}

func TestCSRFTokenIsBoundToTheSession(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	s := session.NewStore(rdb, prefix, []byte("a test key of thirty-two bytes!!"), time.Hour)
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
