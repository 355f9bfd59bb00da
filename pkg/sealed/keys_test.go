package sealed_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"

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
