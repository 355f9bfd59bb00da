package care_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"

	"timebank/fields"
	"timebank/pkg/access"
	"timebank/pkg/care"
)

// A registration sent many times at once under one key registers one person, audited once; every
// other sender is answered with that person as a replay. The key reused for another person is
// refused and writes nothing; another principal's same key is theirs; a malformed key is refused.
func TestRegisterRacesUnderOneKey(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n := care.NewPerson{RegionCode: dongshan, Categories: []string{"alone"}, Colour: care.Red, Name: "王小芳",
		Address: "东山路1号", Phone: "13812345678", Consent: true}

	const racers = 12
	// Open a connection per racer first, so that the racers meet in the database, not in the pool.
	conns := make([]*sql.Conn, 0, racers)
	for range racers {
		c, err := e.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		_ = c.Close() // back to the pool, idle
	}
	var wg sync.WaitGroup
	got := make([]care.Person, racers)
	errs := make([]error, racers)
	gate := make(chan struct{})
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			got[i], errs[i] = e.svc.RegisterOnce(ctx, operator, "form-7f3a", n)
		}()
	}
	close(gate)
	wg.Wait()
	replays := 0
	for i := range racers {
		if errs[i] != nil || got[i].ID != got[0].ID || got[i].NameMasked != "王*芳" {
			t.Fatalf("racer %d: %+v %v (first %+v)", i, got[i], errs[i], got[0])
		}
		if got[i].Replayed {
			replays++
		}
	}
	if replays != racers-1 {
		t.Errorf("%d of %d registrations were replays, want %d", replays, racers, racers-1)
	}
	count := func() (people, audited, colours int) {
		t.Helper()
		if err := e.db.Get(&people, `SELECT count(*) FROM care_people`); err != nil {
			t.Fatal(err)
		}
		if err := e.db.Get(&audited, `SELECT count(*) FROM audit_log WHERE action = 'care.register'`); err != nil {
			t.Fatal(err)
		}
		if err := e.db.Get(&colours, `SELECT count(*) FROM care_colour_changes`); err != nil {
			t.Fatal(err)
		}
		return people, audited, colours
	}
	if p, a, c := count(); p != 1 || a != 1 || c != 1 {
		t.Fatalf("%d people, %d registrations audited, %d colour entries, want 1 each", p, a, c)
	}
	// The hash kept is keyed: it is not a plain digest of what was typed.
	var kept []byte
	if err := e.db.Get(&kept, `SELECT request_hash FROM care_people WHERE id = $1`, got[0].ID); err != nil || len(kept) != 32 {
		t.Fatalf("kept hash %x, %v", kept, err)
	}

	other := n
	other.Name = "李建国"
	if _, err := e.svc.RegisterOnce(ctx, operator, "form-7f3a", other); !errors.Is(err, care.ErrIdempotency) {
		t.Fatalf("another person under the same key: %v", err)
	}
	var ve *fields.Error
	if _, err := e.svc.RegisterOnce(ctx, operator, "a key with spaces", other); !errors.As(err, &ve) || ve.Fields()["idempotency_key"] == "" {
		t.Fatalf("a malformed key: %v", err)
	}
	if p, a, _ := count(); p != 1 || a != 1 {
		t.Fatalf("refused registrations wrote: %d people, %d audited", p, a)
	}
	coord := e.person(t, "协调员", grantCoordinator(e.inOrg))
	mine, err := e.svc.RegisterOnce(ctx, coord.Actor(), "form-7f3a", n)
	if err != nil || mine.ID == got[0].ID || mine.Replayed {
		t.Fatalf("another principal's key: %+v, %v", mine, err)
	}
}

// A pairing sent twice under one key pairs once; the key reused for another pairing is refused.
func TestPairOnceUnderOneKey(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.register(t, "王小芳", "", care.Red)
	vol := e.person(t, "结对志愿者", access.Grant{Role: access.Volunteer, Kind: access.Org, OrgID: e.inOrg})
	n := care.NewPairing{PersonID: p.ID, OrgID: e.inOrg, UserID: &vol.UserID}
	first, err := e.svc.PairOnce(ctx, operator, "pair-1", n)
	if err != nil || first.Replayed {
		t.Fatalf("first pairing %+v, %v", first, err)
	}
	again, err := e.svc.PairOnce(ctx, operator, "pair-1", n)
	if err != nil || again.ID != first.ID || !again.Replayed {
		t.Fatalf("replay %+v, %v", again, err)
	}
	team := care.NewPairing{PersonID: p.ID, OrgID: e.inOrg}
	if _, err := e.svc.PairOnce(ctx, operator, "pair-1", team); !errors.Is(err, care.ErrIdempotency) {
		t.Fatalf("another pairing under the same key: %v", err)
	}
	list, err := e.svc.Pairings(ctx, p.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("pairings %+v, %v", list, err)
	}
	var audited int
	if err := e.db.Get(&audited, `SELECT count(*) FROM audit_log WHERE action = 'care.pair'`); err != nil || audited != 1 {
		t.Fatalf("%d pairings audited, %v", audited, err)
	}
}
