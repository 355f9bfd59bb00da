package identity

import (
	"context"
	"testing"
	"time"

	"timebank/pkg/access"
	"timebank/pkg/dbtest"
	"timebank/pkg/invalidate"
	"timebank/pkg/principal"
)

// A principal loaded before news of its person arrived is not kept, however the two interleave:
// the load's count of news no longer matches.
func TestLoadThatRacedTheNewsIsNotKept(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	bus := invalidate.New(rdb, prefix, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); bus.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitLive(t, bus)
	u := &Users{}
	u.CachePrincipals(bus)
	old := access.Principal{Principal: principal.Principal{UserID: 5, Name: "旧"},
		Grants: []access.Grant{{Role: access.PlatformAdmin, Kind: access.Platform}}}

	// A subscription the loaded machine let drop (its ping unanswered for a second) forgets
	// everything and moves Gen: the steps are then taken again, at most a few times, and they must
	// hold on a round where only the test's own news moved Gen.
	for round := 1; ; round++ {
		gen := u.cache.users.Gen()                    // a load starts
		u.changed(context.Background(), userTopic(5)) // the revocation's news arrives meanwhile
		u.cache.users.Keep(gen, 5, old)               // the load ends with what it read before
		// The news is heard twice: at once from this instance, then back through Redis. Wait for
		// the second, which would otherwise drop the principal kept below at a random moment.
		waitGen(t, u.cache.users, gen+2)
		if _, ok := u.cache.users.Get(5); ok {
			t.Fatal("a principal loaded before the news was kept")
		}
		gen = u.cache.users.Gen() // a load after the news is kept, until the next news
		u.cache.users.Keep(gen, 5, old)
		p, ok := u.cache.users.Get(5)
		if ok && p.Name == "旧" {
			break
		}
		if u.cache.users.Gen() == gen && bus.Live() || round == 5 {
			t.Fatalf("a load after the news was not kept: %+v %v (round %d)", p, ok, round)
		}
		waitLive(t, bus)
	}
	g := u.cache.users.Gen()
	u.changed(context.Background(), userTopic(6))
	waitGen(t, u.cache.users, g+2)
	if _, ok := u.cache.users.Get(5); !ok {
		t.Fatal("news of another person dropped this one")
	}
	u.changed(context.Background(), userTopic(5))
	if _, ok := u.cache.users.Get(5); ok {
		t.Fatal("news of the person did not drop their principal")
	}
}

// waitLive waits (at most 10 s) for the bus's subscription.
func waitLive(t *testing.T, bus *invalidate.Bus) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); !bus.Live(); time.Sleep(time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("no subscription")
		}
	}
}

// waitGen waits (at most 10 s) until the bus has heard news up to gen.
func waitGen(t *testing.T, m *invalidate.Map[int64, access.Principal], gen uint64) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); m.Gen() < gen; time.Sleep(time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("the news did not come back through Redis")
		}
	}
}
