package pgerr_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/lib/pq"

	"timebank/pgerr"
	"timebank/pkg/dbtest"
)

func TestViolations(t *testing.T) {
	unique := &pqError{"23505", "users_phone_key"}
	cases := []struct {
		name       string
		err        error
		unique     bool // Unique(err, "users_phone_key")
		foreignKey bool // ForeignKey(err, "users_phone_key")
		anyKind    bool // Violates(err, "", "users_phone_key")
	}{
		{"unique on the constraint", unique.err(), true, false, true},
		{"wrapped", fmt.Errorf("insert user: %w", unique.err()), true, false, true},
		{"unique on another constraint", (&pqError{"23505", "users_resident_id_key"}).err(), false, false, false},
		{"foreign key on the constraint", (&pqError{"23503", "users_phone_key"}).err(), false, true, true},
		{"check on the constraint", (&pqError{"23514", "users_phone_key"}).err(), false, false, true},
		{"not a PostgreSQL error", errors.New("users_phone_key"), false, false, false},
		{"nil", nil, false, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := pgerr.Unique(c.err, "users_phone_key"); got != c.unique {
				t.Errorf("Unique = %v, want %v", got, c.unique)
			}
			if got := pgerr.ForeignKey(c.err, "users_phone_key"); got != c.foreignKey {
				t.Errorf("ForeignKey = %v, want %v", got, c.foreignKey)
			}
			if got := pgerr.Violates(c.err, "", "users_phone_key"); got != c.anyKind {
				t.Errorf("Violates(any) = %v, want %v", got, c.anyKind)
			}
		})
	}
}

// The codes and constraint names are those PostgreSQL itself reports, read from a real violation.
func TestRealUniqueViolation(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	conn, err := db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{
		`CREATE TEMP TABLE pgerr_probe (k int CONSTRAINT pgerr_probe_k_key UNIQUE, p int REFERENCES pgerr_probe (k))`,
		`INSERT INTO pgerr_probe (k) VALUES (1)`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	_, err = conn.ExecContext(ctx, `INSERT INTO pgerr_probe (k) VALUES (1)`)
	if !pgerr.Unique(err, "pgerr_probe_k_key") || pgerr.Unique(err, "other") {
		t.Errorf("a duplicate key: %v", err)
	}
	_, err = conn.ExecContext(ctx, `INSERT INTO pgerr_probe (k, p) VALUES (2, 9)`)
	if !pgerr.ForeignKey(err, "pgerr_probe_p_fkey") || pgerr.Unique(err, "pgerr_probe_p_fkey") {
		t.Errorf("a missing reference: %v", err)
	}
}

// pqError builds the error the driver returns for a violation.
type pqError struct{ code, constraint string }

func (p *pqError) err() error { return &pq.Error{Code: pq.ErrorCode(p.code), Constraint: p.constraint} }
