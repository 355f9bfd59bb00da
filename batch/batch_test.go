package batch_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"timebank/batch"
)

// Many callers at once: each gets its own answer exactly once, no batch is larger than Max, and no
// more than Runners batches run at the same moment.
func TestGroupAnswersEachCallOnce(t *testing.T) {
	const callers, runners, most = 400, 3, 16
	var (
		running, peak, batches atomic.Int64
		seen                   sync.Map
	)
	g := &batch.Group[int, int]{Runners: runners, Max: most, Run: func(ctx context.Context, calls []*batch.Call[int, int]) {
		if n := running.Add(1); n > peak.Load() {
			peak.Store(n) // only ever raised by a runner; a lost race reads low, never high
		}
		defer running.Add(-1)
		if len(calls) > most {
			t.Errorf("a batch of %d calls, more than %d", len(calls), most)
		}
		batches.Add(1)
		for _, c := range calls {
			if _, dup := seen.LoadOrStore(c.Req, true); dup {
				t.Errorf("call %d ran twice", c.Req)
			}
			c.Finish(c.Req*2, nil)
		}
	}}
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := g.Do(context.Background(), i)
			if err != nil || got != i*2 {
				t.Errorf("call %d: got %d, %v", i, got, err)
			}
		}()
	}
	wg.Wait()
	if p := peak.Load(); p > runners {
		t.Errorf("%d batches ran at once, more than %d", p, runners)
	}
	if g.Queued() != 0 {
		t.Errorf("%d calls left queued", g.Queued())
	}
	t.Logf("%d calls in %d batches", callers, batches.Load())
}

// A caller that gave up before its call was taken is answered with its context's error and its
// call does not run when the group skips gone callers; the caller after it still runs.
func TestGroupSkipsGoneCallers(t *testing.T) {
	taken, release := make(chan struct{}), make(chan struct{})
	var ran sync.Map
	g := &batch.Group[string, string]{Runners: 1, Max: 8, SkipGone: true,
		Run: func(ctx context.Context, calls []*batch.Call[string, string]) {
			for _, c := range calls {
				if c.Req == "first" {
					close(taken)
					<-release // holds the only runner while the others queue
				}
				ran.Store(c.Req, true)
				c.Finish(c.Req, nil)
			}
		}}
	first := make(chan error, 1)
	go func() { _, err := g.Do(context.Background(), "first"); first <- err }()
	<-taken
	ctx, cancel := context.WithCancel(context.Background())
	gone := make(chan error, 1)
	go func() { _, err := g.Do(ctx, "gone"); gone <- err }()
	for g.Queued() != 1 {
		runtime.Gosched()
	}
	cancel()
	if err := <-gone; !errors.Is(err, context.Canceled) {
		t.Fatalf("the caller who gave up got %v", err)
	}
	later := make(chan string, 1)
	go func() { got, _ := g.Do(context.Background(), "later"); later <- got }()
	for g.Queued() != 2 {
		runtime.Gosched()
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if got := <-later; got != "later" {
		t.Fatalf("the caller after got %q", got)
	}
	if _, ok := ran.Load("gone"); ok {
		t.Error("the call of a caller who gave up ran")
	}
}
