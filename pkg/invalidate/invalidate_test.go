package invalidate_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"timebank/pkg/dbtest"
	"timebank/pkg/invalidate"
)

// heard collects the topics a bus hands its handlers.
type heard struct {
	mu     sync.Mutex
	topics []string
}

func (h *heard) add(topic string) { h.mu.Lock(); h.topics = append(h.topics, topic); h.mu.Unlock() }

func (h *heard) count(topic string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, t := range h.topics {
		if t == topic {
			n++
		}
	}
	return n
}

// waitFor polls cond until it holds, failing the test after a generous bound: news travels through
// Redis, on another goroutine.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("still waiting for %s", what)
		}
	}
}

func run(t *testing.T, b *invalidate.Bus) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); b.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, "the subscription", b.Live)
}

// What one instance publishes, every instance hears, itself at once; a value loaded before the news
// may not be kept after it.
func TestNewsReachesEveryInstance(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	a, b := invalidate.New(rdb, prefix, nil), invalidate.New(rdb, prefix, nil)
	var ha, hb heard
	a.OnChange(ha.add)
	b.OnChange(hb.add)
	if a.Live() || a.Keep(a.Gen()) {
		t.Fatal("a bus that never subscribed says it is live")
	}
	run(t, a)
	run(t, b)
	genB := b.Gen()
	if !b.Keep(genB) {
		t.Fatal("a live bus that heard nothing refuses to keep a value")
	}
	if err := a.Publish(context.Background(), "user:7"); err != nil {
		t.Fatal(err)
	}
	if ha.count("user:7") == 0 {
		t.Fatal("the publishing instance did not hear its own news at once")
	}
	waitFor(t, "the other instance to hear", func() bool { return hb.count("user:7") == 1 })
	if b.Keep(genB) {
		t.Fatal("a value loaded before the news may still be kept")
	}
	// Another prefix is another service: it hears nothing of this one.
	other := invalidate.New(rdb, prefix+"other:", nil)
	var ho heard
	other.OnChange(ho.add)
	run(t, other)
	_ = a.Publish(context.Background(), "user:8")
	waitFor(t, "the news of user:8", func() bool { return hb.count("user:8") == 1 })
	if ho.count("user:8") != 0 {
		t.Fatal("a service on another prefix heard this one's news")
	}
}

// While Redis is down the bus is not live and everything kept is forgotten; when it is back the
// subscription is made again and everything is forgotten once more (news sent meanwhile is lost).
func TestNothingKeptWhileRedisIsDown(t *testing.T) {
	srv := dbtest.NewRedisServer(t)
	rdb := srv.Client()
	defer rdb.Close()
	bus := invalidate.New(rdb, "tb:", nil)
	var h heard
	bus.OnChange(h.add)
	run(t, bus)
	before := h.count(invalidate.All)
	gen := bus.Gen()
	srv.Kill()
	waitFor(t, "the bus to notice Redis is gone", func() bool { return !bus.Live() })
	if h.count(invalidate.All) <= before {
		t.Fatal("Redis went away and nothing was forgotten")
	}
	if bus.Keep(gen) || bus.Keep(bus.Gen()) {
		t.Fatal("a bus without a subscription keeps values")
	}
	down := h.count(invalidate.All)
	srv.Start()
	waitFor(t, "the subscription to be made again", bus.Live)
	if h.count(invalidate.All) <= down {
		t.Fatal("subscribed again without forgetting what was kept while news could not arrive")
	}
	if err := bus.Publish(context.Background(), "session:x"); err != nil {
		t.Fatalf("publishing after Redis came back: %v", err)
	}
}
