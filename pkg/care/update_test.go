package care_test

import (
	"context"
	"errors"
	"testing"

	"timebank/pkg/care"
	"timebank/pkg/sealed"
)

// A change re-seals a new phone under the current key, keeps what it does not name, and refuses a
// bad field without changing anything.
func TestUpdatePerson(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.register(t, "王小芳", "13812345678", care.Yellow)
	coord := e.person(t, "协调员", grantCoordinator(e.inOrg))
	if _, err := sealed.Rotate(ctx, e.db, sealed.New(derive, 1), operator.Label(), 0, 10); err != nil {
		t.Fatal(err)
	}
	phone, note := "13987654321", "独居，行动不便"
	got, err := e.svc.UpdatePerson(ctx, coord.Actor(), p.ID, care.PersonChange{Phone: &phone, Note: &note,
		Categories: []string{"disabled", "alone"}})
	if err != nil || got.PhoneMasked != "139****4321" || got.Note != note || len(got.Categories) != 2 || got.NameMasked != "王*芳" {
		t.Fatalf("updated %+v, %v", got, err)
	}
	full, err := e.svc.Unmasked(ctx, coord, p.ID)
	if err != nil || full.Phone != phone || full.Name != "王小芳" {
		t.Fatalf("unmasked after the change %+v, %v", full, err)
	}
	var blob []byte
	if err := e.db.Get(&blob, `SELECT phone_sealed FROM care_people WHERE id = $1`, p.ID); err != nil || sealed.Version(blob) != 2 {
		t.Fatalf("the new phone is sealed under version %d (%v)", sealed.Version(blob), err)
	}
	bad := "1234"
	if _, err := e.svc.UpdatePerson(ctx, coord.Actor(), p.ID, care.PersonChange{Phone: &bad, Note: &phone}); !errors.Is(err, care.ErrInvalid) {
		t.Fatalf("a bad phone: %v", err)
	}
	if again, _ := e.svc.Person(ctx, p.ID); again.Note != note {
		t.Fatalf("a refused change changed the note to %q", again.Note)
	}
	var h int64 = 999999
	if _, err := e.svc.UpdatePerson(ctx, coord.Actor(), p.ID, care.PersonChange{HouseholdID: &h}); !errors.Is(err, care.ErrInvalid) {
		t.Fatalf("an unknown household: %v", err)
	}
}
