package identity_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/ledger"
	"timebank/pkg/access"
	"timebank/pkg/dbtest"
	"timebank/pkg/identity"
	"timebank/pkg/invalidate"
	"timebank/pkg/principal"
)

// instance is one running server's view of the users: its own store and its own bus, on the same
// database and Redis as the others.
type instance struct {
	users *identity.Users
	bus   *invalidate.Bus
	stop  func() // stops its bus and waits for it
}

func newInstances(t *testing.T, n int) (*sqlx.DB, []*instance) {
	t.Helper()
	db := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	l := ledger.New(db, rdb, ledger.Options{RedisPrefix: prefix})
	var out []*instance
	for range n {
		users := identity.NewUsers(db, l, []byte("resident id key for the tests..."))
		bus := invalidate.New(rdb, prefix, nil)
		users.CachePrincipals(bus)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); bus.Run(ctx) }()
		stop := sync.OnceFunc(func() { cancel(); <-done })
		t.Cleanup(stop)
		waitUntil(t, "the subscription", bus.Live)
		out = append(out, &instance{users: users, bus: bus, stop: stop})
	}
	return db, out
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("still waiting for %s", what)
		}
	}
}

// A principal once read is served from memory (a grant written behind the service's back does not
// show), and a grant or a revocation made through any instance shows on every instance once the
// news arrives; with its bus stopped, an instance reads PostgreSQL again on every request.
func TestPrincipalsKeptUntilNews(t *testing.T) {
	db, inst := newInstances(t, 2)
	a, b := inst[0], inst[1]
	ctx := context.Background()
	orgID, _ := seedOrg(t, db)
	u, err := a.users.Register(ctx, identity.Registration{Phone: "13900139021", Password: goodPassword, Name: "陆文华"})
	if err != nil {
		t.Fatal(err)
	}
	roles := func(in *instance) (admin, coordinator bool) {
		t.Helper()
		p, err := in.users.Principal(ctx, u.ID)
		if err != nil || p.UserID != u.ID || p.Name != "陆文华" {
			t.Fatalf("principal %+v %v", p, err)
		}
		return p.CanAnywhere(access.CreateOrg), p.Can(access.VerifyHours, access.Target{RegionCode: "330481001000", OrgIDs: []int64{orgID}})
	}
	if admin, coord := roles(a); admin || coord {
		t.Fatal("a new volunteer holds roles")
	}
	// Behind the service's back: no news, so the copy in memory stands.
	db.MustExec(`INSERT INTO role_grants (user_id, role, scope_kind, org_id, granted_by) VALUES ($1, 'coordinator', 'org', $2, 'test')`, u.ID, orgID)
	if _, coord := roles(a); coord {
		t.Fatal("the principal was read from PostgreSQL again: nothing is kept in memory")
	}
	ch := identity.Change{Actor: principal.Operator(), RequestID: "cache"}
	id, err := b.users.Grant(ctx, ch, u.ID, access.Grant{Role: access.PlatformAdmin, Kind: access.Platform})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the grant to show on the other instance", func() bool { admin, coord := roles(a); return admin && coord })
	if err := b.users.Revoke(ctx, ch, id); err != nil {
		t.Fatal(err)
	}
	if admin, _ := roles(b); admin {
		t.Fatal("the revoking instance still serves the grant after its own revocation")
	}
	waitUntil(t, "the revocation to show on the other instance", func() bool { admin, _ := roles(a); return !admin })

	a.stop()
	db.MustExec(`UPDATE role_grants SET revoked_at = now(), revoked_by = 'test' WHERE user_id = $1 AND revoked_at IS NULL`, u.ID)
	if _, coord := roles(a); coord {
		t.Fatal("an instance without its subscription served a principal from memory")
	}
}

// A device revoked on one instance stops working on the other once the news arrives.
func TestDevicePrincipalKeptUntilRevoked(t *testing.T) {
	db, inst := newInstances(t, 2)
	a, b := inst[0], inst[1]
	ctx := context.Background()
	_, storeID := seedOrg(t, db)
	ch := identity.Change{Actor: principal.Operator(), RequestID: "cache"}
	d, token, err := b.users.CreateDevice(ctx, ch, access.Counter, 0, storeID, "二号收银台")
	if err != nil {
		t.Fatal(err)
	}
	if p, err := a.users.DevicePrincipal(ctx, token); err != nil || p.DeviceID != d.ID {
		t.Fatalf("device principal %+v %v", p, err)
	}
	db.MustExec(`UPDATE device_tokens SET label = 'renamed behind its back' WHERE id = $1`, d.ID)
	if p, _ := a.users.DevicePrincipal(ctx, token); p.Name != "二号收银台" {
		t.Fatalf("the device was read again: %q", p.Name)
	}
	if err := b.users.RevokeDevice(ctx, ch, d.ID); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the revoked device to be refused", func() bool {
		_, err := a.users.DevicePrincipal(ctx, token)
		return errors.Is(err, identity.ErrDeviceNotFound)
	})
}

// Many readers race grants and revocations made through another instance: once an instance has
// heard of a revocation, no read on it, however it raced the news, serves the revoked grant.
func TestPrincipalReadsRacingRevocations(t *testing.T) {
	_, inst := newInstances(t, 2)
	a, b := inst[0], inst[1]
	ctx := context.Background()
	u, err := a.users.Register(ctx, identity.Registration{Phone: "13900139022", Password: goodPassword, Name: "钱慧"})
	if err != nil {
		t.Fatal(err)
	}
	ch := identity.Change{Actor: principal.Operator(), RequestID: "race"}
	isAdmin := func() bool {
		p, err := a.users.Principal(ctx, u.ID)
		if err != nil {
			t.Error(err)
		}
		return p.CanAnywhere(access.CreateOrg)
	}
	for round := range 6 {
		id, err := b.users.Grant(ctx, ch, u.ID, access.Grant{Role: access.PlatformAdmin, Kind: access.Platform})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for range 32 { // readers that load and keep while the revocation travels
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
						isAdmin()
					}
				}
			}()
		}
		if err := b.users.Revoke(ctx, ch, id); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "the revocation", func() bool { return !isAdmin() })
		close(stop)
		wg.Wait()
		for range 200 {
			if isAdmin() {
				t.Fatalf("round %d: a revoked grant served after the instance heard of it", round)
			}
		}
	}
}
