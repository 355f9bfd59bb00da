package identity_test

import (
	"context"
	"testing"

	"timebank/pkg/access"
	"timebank/pkg/identity"
	"timebank/pkg/principal"
)

// The principal is read through a prepared statement (on a pool of one connection, PostgreSQL lists
// it among the session's prepared statements), and once PostgreSQL has settled on a generic plan a
// grant and its revocation still show on the very next read.
func TestPrincipalPreparedSeesGrantsAtOnce(t *testing.T) {
	users, db, _ := newUsers(t)
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	u, err := users.Register(ctx, identity.Registration{Phone: "13900139011", Password: goodPassword, Name: "沈玉梅"})
	if err != nil {
		t.Fatal(err)
	}
	admin := access.Grant{Role: access.PlatformAdmin, Kind: access.Platform}
	isAdmin := func() bool {
		t.Helper()
		p, err := users.Principal(ctx, u.ID)
		if err != nil || p.UserID != u.ID || p.Name != "沈玉梅" {
			t.Fatalf("principal %+v %v", p, err)
		}
		return p.CanAnywhere(access.CreateOrg)
	}
	for range 8 { // past the five custom plans
		if isAdmin() {
			t.Fatal("a volunteer without grants may create organizations")
		}
	}
	var prepared int
	if err := db.GetContext(ctx, &prepared, `SELECT count(*) FROM pg_prepared_statements
WHERE statement LIKE '%FROM users u%' AND statement LIKE '%role_grants%'`); err != nil {
		t.Fatal(err)
	}
	if prepared != 1 {
		t.Fatalf("%d prepared principal statements on the connection, want 1", prepared)
	}
	ch := identity.Change{Actor: principal.Operator(), RequestID: "test"}
	id, err := users.Grant(ctx, ch, u.ID, admin)
	if err != nil {
		t.Fatal(err)
	}
	if !isAdmin() {
		t.Fatal("a grant did not show on the next read")
	}
	if err := users.Revoke(ctx, ch, id); err != nil {
		t.Fatal(err)
	}
	if isAdmin() {
		t.Fatal("a revocation did not show on the next read")
	}
	if _, err := users.Principal(ctx, u.ID+1000); err == nil {
		t.Fatal("the principal of an unknown user was found")
	}
}
