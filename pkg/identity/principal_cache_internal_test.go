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
	for end := time.Now().Add(10 * time.Second); !bus.Live(); time.Sleep(time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("no subscription")
		}
	}
	u := &Users{}
	u.CachePrincipals(bus)
	old := access.Principal{Principal: principal.Principal{UserID: 5, Name: "旧"},
		Grants: []access.Grant{{Role: access.PlatformAdmin, Kind: access.Platform}}}

	gen := u.cache.users.Gen()                    // a load starts
	u.changed(context.Background(), userTopic(5)) // the revocation's news arrives meanwhile
	u.cache.users.Keep(gen, 5, old)               // the load ends with what it read before
	if _, ok := u.cache.users.Get(5); ok {
		t.Fatal("a principal loaded before the news was kept")
	}
	gen = u.cache.users.Gen() // a load after the news is kept, until the next news
	u.cache.users.Keep(gen, 5, old)
	if p, ok := u.cache.users.Get(5); !ok || p.Name != "旧" {
		t.Fatalf("a load after the news was not kept: %+v %v", p, ok)
	}
	u.changed(context.Background(), userTopic(6))
	if _, ok := u.cache.users.Get(5); !ok {
		t.Fatal("news of another person dropped this one")
	}
	u.changed(context.Background(), userTopic(5))
	if _, ok := u.cache.users.Get(5); ok {
		t.Fatal("news of the person did not drop their principal")
	}
}
