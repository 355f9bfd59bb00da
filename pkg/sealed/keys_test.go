package sealed_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"timebank/pkg/dbtest"
	"timebank/pkg/sealed"
)

func derive(label string) []byte {
	s := sha256.Sum256([]byte("key table tests: " + label))
	return s[:]
}

// A table added later is rotated without being listed, by the convention alone (<field>_sealed,
// id, key_version referencing the key table); one that references the key table without sealed
// columns stops the rotation, which then leaves the version unfinished.
func TestRotationFindsTablesByConvention(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	box := sealed.New(derive, 1)
	if _, err := db.Exec(`CREATE TABLE letters (id bigint PRIMARY KEY, body_sealed bytea, plain text,
    key_version integer NOT NULL REFERENCES sealed_key_versions (version))`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO letters VALUES (1, $1, 'a', 1), (2, NULL, 'b', 1)`, box.Seal("letters.body", "亲爱的王阿姨")); err != nil {
		t.Fatal(err)
	}
	r, err := sealed.Rotate(ctx, db, box, "operator", 0, 1)
	if err != nil || r.Version != 2 || r.Tables["letters"] != 2 {
		t.Fatalf("rotation %+v, %v", r, err)
	}
	var body []byte
	if err := db.Get(&body, `SELECT body_sealed FROM letters WHERE id = 1 AND key_version = 2`); err != nil || sealed.Version(body) != 2 {
		t.Fatalf("the letter: version %d (%v)", sealed.Version(body), err)
	}
	if plain, err := box.Open("letters.body", body); err != nil || plain != "亲爱的王阿姨" {
		t.Fatalf("the letter reads %q, %v", plain, err)
	}
	var absent int
	if err := db.Get(&absent, `SELECT count(*) FROM letters WHERE id = 2 AND body_sealed IS NULL AND key_version = 2`); err != nil || absent != 1 {
		t.Fatalf("an absent value did not stay NULL (%v)", err)
	}

	if _, err := db.Exec(`CREATE TABLE stray (id bigint PRIMARY KEY, note text,
    key_version integer NOT NULL REFERENCES sealed_key_versions (version))`); err != nil {
		t.Fatal(err)
	}
	if _, err := sealed.Rotate(ctx, db, box, "operator", 0, 10); !errors.Is(err, sealed.ErrNoSealedColumns) {
		t.Fatalf("a table without sealed columns: %v", err)
	}
	var unfinished int
	if err := db.Get(&unfinished, `SELECT count(*) FROM sealed_key_versions WHERE version = 3 AND finished_at IS NULL`); err != nil || unfinished != 1 {
		t.Fatalf("version 3 unfinished: %d (%v)", unfinished, err)
	}
}

// A writer whose read of the newest version waited for a lock that a rotation held while it
// started the next version seals under the next one: the rotation, having waited for the writers
// of the older versions, will not wait for this one. (The writer's read saw only version 1, then
// waited; by the time it had its lock, version 2 was committed and the rotation's wait was over.)
func TestCurrentAfterARotationStartedWhileWaiting(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	rotation, err := db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer rotation.Rollback() //nolint:errcheck
	rotation.MustExec(`SELECT version FROM sealed_key_versions WHERE version = 1 FOR UPDATE`)
	writer, err := db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Rollback() //nolint:errcheck
	got := make(chan int, 1)
	go func() {
		v, err := sealed.Current(ctx, writer)
		if err != nil {
			t.Error(err)
		}
		got <- v
	}()
	// The writer's read is waiting for version 1's row.
	for waiting, deadline := false, time.Now().Add(time.Minute); !waiting; {
		if time.Now().After(deadline) {
			t.Fatal("the writer's read of the newest version never waited for the rotation's lock")
		}
		if err := db.Get(&waiting, `SELECT EXISTS (SELECT FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%sealed_key_versions%')`); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := db.Exec(`INSERT INTO sealed_key_versions (version, started_by) VALUES (2, 'operator')`); err != nil {
		t.Fatal(err)
	}
	if err := rotation.Commit(); err != nil {
		t.Fatal(err)
	}
	if v := <-got; v != 2 {
		t.Fatalf("the writer seals under version %d after version 2 was started, want 2", v)
	}
}
