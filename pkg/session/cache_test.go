package session_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"timebank/pkg/dbtest"
	"timebank/pkg/invalidate"
	"timebank/pkg/session"
)

// listening has the store keep sessions in memory under a bus of its own, subscribed until the
// returned stop (or the test's end).
func listening(t *testing.T, s *session.Store, bus *invalidate.Bus) (stop func()) {
	t.Helper()
	s.CacheIn(bus)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); bus.Run(ctx) }()
	stop = sync.OnceFunc(func() { cancel(); <-done })
	t.Cleanup(stop)
	for end := time.Now().Add(10 * time.Second); !bus.Live(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("no subscription")
		}
	}
	return stop
}

// A session in use is checked from memory (ended behind the service's back, it still lets its
// person in), and signing out on any instance, one session or all of a person's, ends it on every
// instance once the news arrives.
func TestSessionsKeptUntilSignedOut(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	ctx := context.Background()
	key := []byte("a test key of thirty-two bytes!!")
	a, db := newStoreDB(t, rdb, prefix, key, time.Hour)
	b := session.NewStore(db, rdb, prefix, key, time.Hour)
	stopA := listening(t, a, invalidate.New(rdb, prefix, nil))
	listening(t, b, invalidate.New(rdb, prefix, nil))

	one, _ := b.Create(ctx, 7, false)
	two, _ := b.Create(ctx, 7, true)
	other, _ := b.Create(ctx, 8, true)
	for _, tok := range []string{one, two, other} {
		if _, err := a.Get(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	// Behind the service's back: the copy in memory stands.
	db.MustExec(`UPDATE sessions SET ended_at = now() WHERE user_id = 8`)
	dbtest.Del(t, rdb, dbtest.Keys(t, rdb, prefix+"sess:*")...)
	if se, err := a.Get(ctx, other); err != nil || se.UserID != 8 {
		t.Fatalf("a session in use was read from the stores again: %+v %v", se, err)
	}
	ended := func(tok string) func() bool {
		return func() bool { _, err := a.Get(ctx, tok); return errors.Is(err, session.ErrNoSession) }
	}
	if err := b.Delete(ctx, other); err != nil {
		t.Fatal(err)
	}
	waitSession(t, "the signed-out session to end on the other instance", ended(other))
	if se, err := a.Get(ctx, one); err != nil || se.UserID != 7 {
		t.Fatalf("signing one person out ended another's session: %+v %v", se, err)
	}
	if err := b.DeleteAll(ctx, 7); err != nil {
		t.Fatal(err)
	}
	waitSession(t, "signing out everywhere to end the first session", ended(one))
	waitSession(t, "signing out everywhere to end the second session", ended(two))

	// Without its subscription, an instance reads the stores on every check.
	fresh, _ := b.Create(ctx, 9, false)
	if _, err := a.Get(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	stopA()
	db.MustExec(`UPDATE sessions SET ended_at = now() WHERE user_id = 9`)
	dbtest.Del(t, rdb, dbtest.Keys(t, rdb, prefix+"sess:*")...)
	if _, err := a.Get(ctx, fresh); !errors.Is(err, session.ErrNoSession) {
		t.Fatalf("an instance without its subscription let an ended session in: %v", err)
	}
}

func waitSession(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("still waiting for %s", what)
		}
	}
}
