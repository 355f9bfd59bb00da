package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/dbtest"
	"timebank/pkg/notify"
)

// users inserts n people and returns their ids.
func users(t *testing.T, db *sqlx.DB, n int) []int64 {
	t.Helper()
	var ids []int64
	for i := range n {
		var id int64
		err := db.Get(&id, `WITH n AS (SELECT nextval(pg_get_serial_sequence('users', 'id')) AS id)
INSERT INTO users (id, phone, password_hash, name, volunteer_no, account_code)
SELECT n.id, $1, 'x', '测试', $2, 'vol:' || n.id FROM n RETURNING id`, fmt.Sprintf("139%08d", i), fmt.Sprintf("V%d", i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func count(t *testing.T, db *sqlx.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Get(&n, q, args...); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWriteWithTheChangeAndDeliverOnce(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	s := notify.New(db, rdb, prefix)
	u := users(t, db, 2)
	n := notify.Notice{UserID: u[0], Kind: notify.HoursVerified, Event: "record:1:rev:1",
		Params: map[string]any{"activity": "社区助老", "minutes": 120}}

	// A change that rolls back tells nobody.
	tx := db.MustBegin()
	if err := s.Write(ctx, tx, n); err != nil {
		t.Fatal(err)
	}
	_ = tx.Rollback()
	if c := count(t, db, `SELECT count(*) FROM notification_outbox`); c != 0 {
		t.Fatalf("a rolled back change left %d notices", c)
	}
	// One that commits tells once, however often it is written.
	for range 2 {
		tx = db.MustBegin()
		if err := s.Write(ctx, tx, n, notify.Notice{UserID: u[1], Kind: notify.OrderReady, Event: "order:7"}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	sub := rdb.Subscribe(ctx, s.LiveChannel(u[0]))
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Deliver(ctx, 100); err != nil || got != 2 {
		t.Fatalf("deliver: %d %v, want 2", got, err)
	}
	if got, err := s.Deliver(ctx, 100); err != nil || got != 0 {
		t.Fatalf("deliver again: %d %v, want 0", got, err)
	}
	select {
	case m := <-sub.Channel():
		var live struct {
			ID   int64
			Kind string
		}
		if json.Unmarshal([]byte(m.Payload), &live) != nil || live.Kind != notify.HoursVerified || live.ID == 0 {
			t.Fatalf("live push: %q", m.Payload)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no live push")
	}
	list, next, err := s.List(ctx, u[0], 0, 10)
	if err != nil || len(list) != 1 || next != 0 || list[0].Kind != notify.HoursVerified || list[0].ReadAt != nil {
		t.Fatalf("inbox: %+v %d %v", list, next, err)
	}
	var params map[string]any
	if json.Unmarshal(list[0].Params, &params) != nil || params["activity"] != "社区助老" || params["minutes"] != 120.0 {
		t.Fatalf("params: %s", list[0].Params)
	}

	// Reading: one's own notices only; reading twice changes nothing.
	if n, err := s.MarkRead(ctx, u[1], []int64{list[0].ID}); err != nil || n != 0 {
		t.Fatalf("marking another's notice: %d %v", n, err)
	}
	if n, err := s.MarkRead(ctx, u[0], []int64{list[0].ID}); err != nil || n != 1 {
		t.Fatalf("mark read: %d %v", n, err)
	}
	if n, err := s.MarkRead(ctx, u[0], nil); err != nil || n != 0 {
		t.Fatalf("mark all read again: %d %v", n, err)
	}
	if n, _ := s.Unread(ctx, u[0]); n != 0 {
		t.Fatalf("unread after reading: %d", n)
	}
	if n, _ := s.Unread(ctx, u[1]); n != 1 {
		t.Fatalf("the other's unread: %d", n)
	}
	if n, err := s.MarkRead(ctx, u[1], nil); err != nil || n != 1 {
		t.Fatalf("mark all read: %d %v, want 1", n, err)
	}
	if n, _ := s.Unread(ctx, u[1]); n != 0 {
		t.Fatalf("the other's unread after marking all: %d", n)
	}

	// The inbox is history: only marking read is allowed, once.
	if _, err := db.Exec(`UPDATE notifications SET params = '{}' WHERE id = $1`, list[0].ID); err == nil {
		t.Fatal("a notice's params were changed")
	}
	if _, err := db.Exec(`DELETE FROM notifications WHERE id = $1`, list[0].ID); err == nil {
		t.Fatal("a notice was deleted")
	}
	for _, bad := range []notify.Notice{{Kind: notify.OrderReady, Event: "x"}, {UserID: u[0], Kind: "Order Ready", Event: "x"},
		{UserID: u[0], Kind: notify.OrderReady}, {UserID: u[0], Kind: notify.OrderReady, Event: "x", Params: map[string]any{"f": func() {}}}} {
		if err := s.Write(ctx, db, bad); !errors.Is(err, notify.ErrInvalid) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

// Many workers delivering at once put every notice in the inbox once.
func TestDeliverRace(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	s := notify.New(db, rdb, prefix)
	u := users(t, db, 10)
	var ns []notify.Notice
	for i := range 600 {
		ns = append(ns, notify.Notice{UserID: u[i%len(u)], Kind: notify.OrderReady, Event: fmt.Sprintf("order:%d", i)})
	}
	if err := s.Write(ctx, db, ns...); err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
	)
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n, err := s.Deliver(ctx, 25)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				total += n
				mu.Unlock()
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	if total != 600 || count(t, db, `SELECT count(*) FROM notifications`) != 600 ||
		count(t, db, `SELECT count(*) FROM notification_outbox WHERE cardinality(pending) > 0`) != 0 {
		t.Fatalf("delivered %d, inbox %d", total, count(t, db, `SELECT count(*) FROM notifications`))
	}
	// Paging the inbox of one person: 60 notices, newest first, no gap or repeat.
	seen := map[int64]bool{}
	last := int64(1 << 62)
	for before := int64(0); ; {
		page, next, err := s.List(ctx, u[3], before, 25)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range page {
			if seen[n.ID] || n.ID >= last {
				t.Fatalf("page out of order at %d", n.ID)
			}
			seen[n.ID], last = true, n.ID
		}
		if next == 0 {
			break
		}
		before = next
	}
	if len(seen) != 60 {
		t.Fatalf("paged %d notices, want 60", len(seen))
	}
}

// flaky is an external channel that sends only every other notice each round.
type flaky struct {
	mu   sync.Mutex
	got  map[int64]int
	turn int
}

func (f *flaky) Name() string { return "sms" }

func (f *flaky) Send(_ context.Context, ns []notify.Notification) ([]int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.turn++
	var sent []int64
	for i, n := range ns {
		if (i+f.turn)%2 == 0 {
			f.got[n.ID]++
			sent = append(sent, n.ID)
		}
	}
	return sent, errors.New("gateway: try the rest later")
}

// An external channel gets every notice once, after the inbox, however often it fails.
func TestExternalChannel(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	sms := &flaky{got: map[int64]int{}}
	s := notify.New(db, rdb, prefix, sms)
	u := users(t, db, 1)
	for i := range 9 {
		if err := s.Write(ctx, db, notify.Notice{UserID: u[0], Kind: notify.OrderExpiring, Event: fmt.Sprintf("order:%d:expiring", i)}); err != nil {
			t.Fatal(err)
		}
	}
	for range 20 {
		_, _ = s.Deliver(ctx, 4)
	}
	if len(sms.got) != 9 {
		t.Fatalf("sms got %d notices, want 9", len(sms.got))
	}
	for id, n := range sms.got {
		if n != 1 {
			t.Fatalf("notice %d sent %d times", id, n)
		}
	}
	if c := count(t, db, `SELECT count(*) FROM notifications`); c != 9 {
		t.Fatalf("inbox %d", c)
	}
}
