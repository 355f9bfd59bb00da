package notify_test

import (
	"context"
	"testing"
	"time"

	"timebank/pkg/dbtest"
	"timebank/pkg/notify"
)

// next waits for the watch's next notice.
func next(t *testing.T, w *notify.Watch) notify.Live {
	t.Helper()
	select {
	case n, ok := <-w.News():
		if !ok {
			t.Fatal("the watch ended")
		}
		return n
	case <-time.After(10 * time.Second):
		t.Fatal("no live notice within 10 s")
	}
	return notify.Live{}
}

// newest returns the id of the person's newest notice in the inbox.
func newest(t *testing.T, s *notify.Service, userID int64) int64 {
	t.Helper()
	list, _, err := s.List(context.Background(), userID, 0, 1)
	if err != nil || len(list) != 1 {
		t.Fatalf("inbox: %v %v", list, err)
	}
	return list[0].ID
}

// A watch hears of its person's notices as they reach the inbox, and of no one else's; watches
// share one connection, which a prefix with glob characters does not confuse; a closed watch
// hears nothing more, and watching again after the last one closed works.
func TestWatchLive(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	s := notify.New(db, rdb, prefix+"a*[b]?:")
	u := users(t, db, 2)
	deliver := func(user int64, event string) int64 {
		t.Helper()
		if err := s.Write(ctx, db, notify.Notice{UserID: user, Kind: notify.OrderReady, Event: event}); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Deliver(ctx, 10); err != nil || n != 1 {
			t.Fatalf("deliver: %d %v", n, err)
		}
		return newest(t, s, user)
	}
	w0, err := s.Watch(ctx, u[0])
	if err != nil {
		t.Fatal(err)
	}
	w0b, err := s.Watch(ctx, u[0]) // a second page of the same person
	if err != nil {
		t.Fatal(err)
	}
	w1, err := s.Watch(ctx, u[1])
	if err != nil {
		t.Fatal(err)
	}
	id := deliver(u[0], "order:1")
	if got := next(t, w0); got.ID != id || got.Kind != notify.OrderReady {
		t.Fatalf("first page: %+v, want notice %d", got, id)
	}
	if got := next(t, w0b); got.ID != id {
		t.Fatalf("second page: %+v, want notice %d", got, id)
	}
	select { // the message was dispatched whole before the first page got it
	case n := <-w1.News():
		t.Fatalf("the other person heard of notice %+v", n)
	default:
	}
	id = deliver(u[1], "order:2")
	if got := next(t, w1); got.ID != id {
		t.Fatalf("the other person: %+v, want notice %d", got, id)
	}

	w0.Close()
	w0.Close() // twice does nothing
	id = deliver(u[0], "order:3")
	if got := next(t, w0b); got.ID != id {
		t.Fatalf("the page left open: %+v, want notice %d", got, id)
	}
	select {
	case n, ok := <-w0.News():
		if ok {
			t.Fatalf("a closed watch heard of %+v", n)
		}
	default:
	}
	w0b.Close()
	w1.Close()
	again, err := s.Watch(ctx, u[0])
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	id = deliver(u[0], "order:4")
	if got := next(t, again); got.ID != id {
		t.Fatalf("watching again: %+v, want notice %d", got, id)
	}
}
