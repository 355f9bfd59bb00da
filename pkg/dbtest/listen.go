package dbtest

import (
	"context"
	"testing"
	"time"

	"timebank/pkg/invalidate"
)

// Listen runs the bus's subscriber until the test ends, as a served instance does, and returns
// once it is subscribed: the services built over it then keep principals and sessions in memory.
func Listen(t testing.TB, bus *invalidate.Bus) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); bus.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	for end := time.Now().Add(10 * time.Second); !bus.Live(); time.Sleep(time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("dbtest: the invalidation bus did not subscribe within 10 s")
		}
	}
}
