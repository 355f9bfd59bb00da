package servicedesk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"timebank/pkg/care"
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

// A service done for a person of the registry and confirmed is a visit on the care board: the card
// that was overdue shows it as the last visit and is no longer overdue.
func TestConfirmedServiceIsAVisitOnTheBoard(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	boards := care.New(e.db, func(label string) []byte { k := make([]byte, 32); copy(k, "board "+label); return k },
		nil, care.Options{Now: e.clock.Now})
	var id int64
	err := e.db.GetContext(ctx, &id, `
INSERT INTO care_people (region_code, categories, colour, name_masked, name_sealed, key_version,
    consent_of, consent_by, consent_at, created_by, created_at)
VALUES ('330481001001', ARRAY['alone'], 'red', '王*', '\x0001'::bytea, 1, 'self', '王阿婆', now(), 'test', $1) RETURNING id`,
		start.AddDate(0, 0, -30))
	if err != nil {
		t.Fatal(err)
	}
	card := func() care.Card {
		b, err := boards.Board(ctx, "330481001001")
		if err != nil || len(b.Cards) != 1 {
			t.Fatalf("board = %+v %v", b, err)
		}
		return b.Cards[0]
	}
	if c := card(); !c.Overdue || c.LastVisitAt != nil {
		t.Fatalf("before any service: %+v", c)
	}
	n := e.meal("13800138012")
	n.ForSelf, n.CarePersonID, n.SMSCode = false, &id, ""
	created, err := e.svc.Create(ctx, coordinator, "for-wang", n)
	if err != nil {
		t.Fatal(err)
	}
	vol := e.volunteer(t, "陈小燕")
	if _, err := e.svc.Take(ctx, vol, created.Request.ID); err != nil {
		t.Fatal(err)
	}
	visit, err := e.svc.VisitCode(ctx, created.Request.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(4 * time.Hour)
	if _, err := e.svc.Start(ctx, vol, created.Request.ID, visit.URL); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(40 * time.Minute)
	if _, err := e.svc.Finish(ctx, vol, created.Request.ID, "已送餐"); err != nil {
		t.Fatal(err)
	}
	if c := card(); !c.Overdue {
		t.Fatalf("a service not yet confirmed counted as a visit: %+v", c)
	}
	if _, err := e.svc.Confirm(ctx, created.Request.ID, servicedesk.Confirmation{Access: created.Access}); err != nil {
		t.Fatal(err)
	}
	if c := card(); c.Overdue || c.LastVisitAt == nil || !c.LastVisitAt.Equal(start.Add(4*time.Hour)) {
		t.Fatalf("after the confirmed service: %+v", c)
	}
}
