package servicedesk_test

import (
	"context"
	"errors"
	"testing"

	"timebank/pkg/servicedesk"
)

// A request for a person of the care registry is asked by someone signed in, and only for a person
// of the desk's own community; a stranger's id or one from another community writes nothing.
func TestRequestForACarePerson(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	person := func(region string) int64 {
		var id int64
		err := e.db.GetContext(ctx, &id, `
INSERT INTO care_people (region_code, categories, colour, name_masked, name_sealed, key_version,
    consent_of, consent_by, consent_at, created_by)
VALUES ($1, ARRAY['alone'], 'red', '王*', '\x0001'::bytea, 1, 'self', '王阿婆', now(), 'test') RETURNING id`, region)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	here, elsewhere := person("330481001001"), person("330481001000")
	forPerson := func(id int64) servicedesk.NewRequest {
		n := e.meal("13800138011")
		n.ForSelf, n.CarePersonID, n.SMSCode = false, &id, ""
		return n
	}
	if err := e.svc.RequestCode(ctx, "13800138011", e.send); err != nil {
		t.Fatal(err)
	}
	anonymous := forPerson(here)
	anonymous.SMSCode = e.lastCode("13800138011")
	if _, err := e.svc.Create(ctx, nil, "a", anonymous); !errors.Is(err, servicedesk.ErrInvalid) {
		t.Fatalf("a resident without an account named a registry person: %v", err)
	}
	for _, id := range []int64{elsewhere, here + elsewhere + 100} {
		if _, err := e.svc.Create(ctx, coordinator, "b", forPerson(id)); !errors.Is(err, servicedesk.ErrInvalid) {
			t.Fatalf("person %d outside the desk's community: %v", id, err)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM service_requests`); n != 0 {
		t.Fatalf("%d requests written by refused asks", n)
	}
	c, err := e.svc.Create(ctx, coordinator, "c", forPerson(here))
	if err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, `SELECT count(*) FROM service_requests WHERE id = $1 AND care_person_id = $2`, c.Request.ID, here); n != 1 {
		t.Fatalf("the request does not name the person: %d", n)
	}
}
