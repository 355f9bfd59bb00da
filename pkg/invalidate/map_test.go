package invalidate_test

import (
	"context"
	"testing"
	"time"

	"timebank/pkg/dbtest"
	"timebank/pkg/invalidate"
)

// A Map keeps nothing while its bus is not live, refuses a value loaded before news arrived, keeps
// at most its size, and serves a value no longer than its age.
func TestMapKeepsOnlyWhatNoNewsOvertook(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	bus := invalidate.New(rdb, prefix, nil)
	m := invalidate.NewMap[string, int](bus, 2, time.Hour)
	m.Keep(m.Gen(), "a", 1)
	if _, ok := m.Get("a"); ok {
		t.Fatal("kept and served while the bus was not live")
	}
	run(t, bus)
	gen := m.Gen()
	_ = bus.Publish(context.Background(), "anything")
	m.Keep(gen, "a", 1)
	if _, ok := m.Get("a"); ok {
		t.Fatal("kept a value loaded before news arrived")
	}
	gen = m.Gen()
	m.Keep(gen, "a", 1)
	m.Keep(gen, "b", 2)
	if v, ok := m.Get("b"); !ok || v != 2 {
		t.Fatalf("b: %d %v", v, ok)
	}
	m.Keep(gen, "c", 3) // past the size: starts again with c alone
	if _, ok := m.Get("a"); ok {
		t.Fatal("kept more than its size")
	}
	if v, ok := m.Get("c"); !ok || v != 3 {
		t.Fatalf("c: %d %v", v, ok)
	}
	m.DeleteFunc(func(k string, v int) bool { return v == 3 })
	if _, ok := m.Get("c"); ok {
		t.Fatal("DeleteFunc left c")
	}
	old := invalidate.NewMap[string, int](bus, 2, time.Nanosecond)
	old.Keep(old.Gen(), "x", 1)
	time.Sleep(time.Millisecond)
	if _, ok := old.Get("x"); ok {
		t.Fatal("served a value older than its age")
	}
	var none *invalidate.Map[string, int]
	none.Keep(none.Gen(), "x", 1)
	if _, ok := none.Get("x"); ok {
		t.Fatal("a nil map kept something")
	}
}
