package servicedesk_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"

	"timebank/pkg/care"
	"timebank/pkg/sealed"
	"timebank/pkg/servicedesk"
)

// One rotation covers every sealed column of the service, the care registry's and the service
// requests' alike, while residents go on asking: afterwards every sealed value of both tables is
// under the new version (and its row's key_version says so), every value still reads back, and a
// plain SELECT of the raw rows shows no phone, name or address.
func TestRotationCoversEverySealedTable(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	box := sealed.New(testDerive, 1)
	registry := care.New(e.db, testDerive, nil, care.Options{Now: e.clock.Now})
	names := []string{"欧阳春花", "李建国"}
	for i, n := range names {
		if _, err := registry.Register(ctx, registrar, care.NewPerson{RegionCode: "330481001001", Categories: []string{"alone"},
			Colour: care.Red, Name: n, Phone: fmt.Sprintf("1391234870%d", i), Address: "海宁市硖石街道东山路 8 号", Consent: true}); err != nil {
			t.Fatal(err)
		}
	}
	phones := []string{"13800138101", "13800138102", "13800138103"}
	for i, p := range phones {
		e.ask(t, p, fmt.Sprint("before-", i))
	}
	// Residents ask while the rotation runs: their codes are sent first, the requests race it.
	racing := []string{"13800138201", "13800138202", "13800138203", "13800138204"}
	for _, p := range racing {
		if err := e.svc.RequestCode(ctx, p, e.send); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(racing))
	for i, p := range racing {
		wg.Add(1)
		go func(key string, n servicedesk.NewRequest) {
			defer wg.Done()
			if _, err := e.svc.Create(ctx, nil, key, n); err != nil {
				errs <- err
			}
		}(fmt.Sprint("during-", i), e.meal(p))
	}
	r, err := sealed.Rotate(ctx, e.db, box, "operator", 0, 2)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err != nil || r.Version != 2 || !r.Started || r.Tables["care_people"] != len(names) || r.Tables["service_requests"] < len(phones) {
		t.Fatalf("rotation %+v, %v", r, err)
	}

	type row struct {
		ID      int64  `db:"id"`
		Version int    `db:"key_version"`
		A       []byte `db:"a"`
		B       []byte `db:"b"`
		C       []byte `db:"c"`
	}
	var people, requests []row
	if err := e.db.Select(&people, `SELECT id, key_version, name_sealed AS a, address_sealed AS b, phone_sealed AS c FROM care_people`); err != nil {
		t.Fatal(err)
	}
	if err := e.db.Select(&requests, `SELECT id, key_version, phone_sealed AS a, address_sealed AS b, NULL::bytea AS c FROM service_requests`); err != nil {
		t.Fatal(err)
	}
	if len(people) != len(names) || len(requests) != len(phones)+len(racing) {
		t.Fatalf("%d people, %d requests", len(people), len(requests))
	}
	for _, rs := range [][]row{people, requests} {
		for _, x := range rs {
			for _, v := range [][]byte{x.A, x.B, x.C} {
				if v != nil && sealed.Version(v) != 2 || x.Version != 2 {
					t.Fatalf("row %d: key_version %d, a value under version %d", x.ID, x.Version, sealed.Version(v))
				}
			}
		}
	}
	for i, p := range people {
		name, err1 := box.Open("care_people.name", p.A)
		address, err2 := box.Open("care_people.address", p.B)
		phone, err3 := box.Open("care_people.phone", p.C)
		if err1 != nil || err2 != nil || err3 != nil || name != names[i] || address != "海宁市硖石街道东山路 8 号" ||
			phone != fmt.Sprintf("1391234870%d", i) {
			t.Fatalf("person %d reads %q %q %q (%v %v %v)", p.ID, name, address, phone, err1, err2, err3)
		}
	}
	for _, q := range requests {
		got, err := e.svc.Request(ctx, q.ID, servicedesk.Viewer{Coordinator: true})
		if err != nil || len(got.Phone) != 11 || got.Address != "海宁市硖石街道东山路 18 号 3 单元 502 室" {
			t.Fatalf("request %d reads %+v, %v", q.ID, got, err)
		}
	}

	var dump []byte
	if err := e.db.Get(&dump, `SELECT convert_to(string_agg(t::text, E'\n'), 'UTF8')
FROM (SELECT p::text AS t FROM care_people p UNION ALL SELECT q::text FROM service_requests q) d`); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(dump, []byte("欧**花")) {
		t.Fatalf("the dump misses the masked name, it read the wrong rows:\n%s", dump)
	}
	for _, plain := range append(append([]string{"欧阳春花", "春花", "李建国", "东山路", "502 室", "139123487"}, phones...), racing...) {
		if bytes.Contains(dump, []byte(plain)) {
			t.Fatalf("%q readable in a plain dump", plain)
		}
	}
	// Running it again for that version does nothing.
	if again, err := sealed.Rotate(ctx, e.db, box, "operator", 2, 2); err != nil || again.Resealed != 0 || again.Started {
		t.Fatalf("again: %+v, %v", again, err)
	}
}
