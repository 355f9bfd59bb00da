package notify_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"timebank/pkg/dbtest"
	"timebank/pkg/notify"
)

// The unread count is answered from Redis once taken (a notice marked read behind the service's
// back does not show), and every delivery or marking read makes it current again.
func TestUnreadCountKeptUntilTheInboxChanges(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	s := notify.New(db, rdb, prefix)
	u := users(t, db, 1)[0]
	write := func(event string) {
		t.Helper()
		tx := db.MustBegin()
		if err := s.Write(ctx, tx, notify.Notice{UserID: u, Kind: notify.OrderReady, Event: event}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	unread := func() int {
		t.Helper()
		n, err := s.Unread(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := unread(); n != 0 {
		t.Fatalf("unread %d before any notice", n)
	}
	write("order:1")
	write("order:2")
	if _, err := s.Deliver(ctx, 100); err != nil {
		t.Fatal(err)
	}
	if n := unread(); n != 2 {
		t.Fatalf("unread %d after two deliveries, want 2", n)
	}
	db.MustExec(`UPDATE notifications SET read_at = now() WHERE id = (SELECT min(id) FROM notifications WHERE user_id = $1)`, u)
	if n := unread(); n != 2 {
		t.Fatalf("unread %d: the count was taken from PostgreSQL again, not kept", n)
	}
	if _, err := s.MarkRead(ctx, u, nil); err != nil {
		t.Fatal(err)
	}
	if n := unread(); n != 0 {
		t.Fatalf("unread %d after marking all read", n)
	}
	write("order:3")
	if _, err := s.Deliver(ctx, 100); err != nil {
		t.Fatal(err)
	}
	if n := unread(); n != 1 {
		t.Fatalf("unread %d after a new delivery, want 1", n)
	}
}

// Readers race deliveries and markings on many connections: once they are done, the count served
// is PostgreSQL's.
func TestUnreadCountRacingChanges(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	s := notify.New(db, rdb, prefix)
	u := users(t, db, 1)[0]
	for round := range 5 {
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
						if _, err := s.Unread(ctx, u); err != nil {
							t.Error(err)
							return
						}
					}
				}
			}()
		}
		var writers sync.WaitGroup
		for w := range 8 {
			writers.Add(1)
			go func() {
				defer writers.Done()
				for i := range 5 {
					tx := db.MustBegin()
					if err := s.Write(ctx, tx, notify.Notice{UserID: u, Kind: notify.OrderReady,
						Event: fmt.Sprintf("r%d:w%d:%d", round, w, i)}); err != nil {
						t.Error(err)
					}
					_ = tx.Commit()
					if _, err := s.Deliver(ctx, 3); err != nil {
						t.Error(err)
					}
					if i%2 == 1 {
						if _, err := s.MarkRead(ctx, u, nil); err != nil {
							t.Error(err)
						}
					}
				}
			}()
		}
		writers.Wait()
		close(stop)
		wg.Wait()
		for {
			n, err := s.Deliver(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		want := count(t, db, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, u)
		if got, err := s.Unread(ctx, u); err != nil || got != want {
			t.Fatalf("round %d: unread %d %v, PostgreSQL counts %d", round, got, err, want)
		}
	}
}
