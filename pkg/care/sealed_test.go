package care_test

import (
	"context"
	"errors"
	"os/exec"
	"sync"
	"testing"

	"timebank/pkg/care"
	"timebank/pkg/sealed"
)

// A plain dump of the registry shows no name, address or phone: neither pg_dump of the table nor a
// SELECT of its rows as text.
func TestRegistryUnreadableInADump(t *testing.T) {
	e := newEnv(t)
	e.register(t, "欧阳春花", "13912348765", care.Yellow)
	e.register(t, "李建国", "13700001111", care.Green)
	var rows string
	if err := e.db.Get(&rows, `SELECT string_agg(t::text, E'\n') FROM care_people t`); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pg_dump", "--data-only", "--table=care_people", "--table=care_colour_changes", e.url).CombinedOutput()
	if err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	for what, text := range map[string]string{"SELECT": rows, "pg_dump": string(out)} {
		if !contains(text, "欧**花", "李*国") {
			t.Errorf("%s: the masked names are missing, the dump read the wrong table:\n%s", what, text)
		}
		if contains(text, "欧阳春花", "春花", "李建国", "建国", "13912348765", "13700001111", "12348765", "东山路") {
			t.Errorf("%s shows personal data in the clear:\n%s", what, text)
		}
	}
}

// A rotation (sealed.Rotate, of every sealed table) re-seals every person under the new version,
// they still open, and running it again does nothing; writers racing with it end under the new
// version too.
func TestRotationResealsEveryRow(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	coord := e.person(t, "协调员", grantCoordinator(e.inOrg))
	names := []string{"王小芳", "赵大海", "钱多多", "孙悟空", "周小舟"}
	var ids []int64
	for i, n := range names {
		ids = append(ids, e.register(t, n, "1381234567"+itoa(int64(i)), care.Red).ID)
	}
	// Writers register people while the rotation runs.
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				_, err := e.svc.Register(ctx, operator, care.NewPerson{RegionCode: dongshan, Categories: []string{"tekun"},
					Colour: care.Green, Name: "并发" + itoa(int64(w*10+i)), Phone: "1360000" + pad4(w*10+i), Consent: true})
				if err != nil {
					errs <- err
				}
			}
		}(w)
	}
	box := sealed.New(derive, 1)
	r, err := sealed.Rotate(ctx, e.db, box, operator.Label(), 0, 3)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err != nil || r.Version != 2 || !r.Started || r.Resealed < len(names) {
		t.Fatalf("rotation %+v, %v", r, err)
	}
	var old int
	if err := e.db.Get(&old, `SELECT count(*) FROM care_people WHERE key_version <> 2`); err != nil || old != 0 {
		t.Fatalf("%d rows not under version 2 (%v)", old, err)
	}
	var blobs [][]byte
	if err := e.db.Select(&blobs, `SELECT name_sealed FROM care_people`); err != nil {
		t.Fatal(err)
	}
	for _, b := range blobs {
		if sealed.Version(b) != 2 {
			t.Fatalf("a name sealed under version %d", sealed.Version(b))
		}
	}
	for i, id := range ids {
		p, err := e.svc.Unmasked(ctx, coord, id)
		if err != nil || p.Name != names[i] || p.Phone != "1381234567"+itoa(int64(i)) {
			t.Fatalf("person %d after rotation: %+v, %v", id, p, err)
		}
	}
	// Again: nothing to do. A version out of sequence is refused.
	if again, err := sealed.Rotate(ctx, e.db, box, operator.Label(), 2, 3); err != nil || again.Resealed != 0 || again.Started {
		t.Fatalf("second run %+v, %v", again, err)
	}
	if _, err := sealed.Rotate(ctx, e.db, box, operator.Label(), 5, 3); !errors.Is(err, sealed.ErrRotationTarget) {
		t.Fatal("a jump to version 5 was accepted")
	}
	// An interrupted rotation (started, never finished) is finished by the next run.
	if _, err := e.db.Exec(`INSERT INTO sealed_key_versions (version, started_by) VALUES (3, 'operator')`); err != nil {
		t.Fatal(err)
	}
	r, err = sealed.Rotate(ctx, e.db, box, operator.Label(), 0, 7)
	var total int
	_ = e.db.Get(&total, `SELECT count(*) FROM care_people`)
	if err != nil || r.Version != 3 || r.Started || r.Resealed != total {
		t.Fatalf("resumed %+v (of %d), %v", r, total, err)
	}
	p, err := e.svc.Unmasked(ctx, coord, ids[0])
	if err != nil || p.Name != names[0] {
		t.Fatalf("after the resumed rotation: %+v, %v", p, err)
	}
}

func pad4(n int) string {
	s := itoa(int64(n))
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}
