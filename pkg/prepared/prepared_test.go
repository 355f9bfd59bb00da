package prepared

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"timebank/pkg/dbtest"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// A query that cannot be prepared still runs (and fails or succeeds as PostgreSQL says), and
// preparing is tried again on the next call instead of being given up for good.
func TestRetryAfterAFailedPrepare(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	s := New(db, quiet())
	const q = `SELECT tb_test_answer($1)`
	var got int
	if err := s.Get(ctx, db, &got, q, 1); err == nil {
		t.Fatal("a call of a missing function succeeded")
	}
	if s.Prepared(q) {
		t.Fatal("a statement that failed to prepare was kept")
	}
	if _, err := db.Exec(`CREATE FUNCTION tb_test_answer(int) RETURNS int LANGUAGE sql AS 'SELECT $1 + 41'`); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := s.Get(ctx, db, &got, q, 1); err != nil || got != 42 {
			t.Fatalf("call: %d %v", got, err)
		}
	}
	if !s.Prepared(q) {
		t.Fatal("the call was not prepared once the function existed")
	}
}

// Inside a transaction the pool's statement runs on the transaction's connection, prepared there
// (PostgreSQL lists it in the session's pg_prepared_statements), and sees the transaction's writes.
func TestInsideATransaction(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	s := New(db, quiet())
	if _, err := db.Exec(`CREATE TABLE tb_test_rows (n int PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	const (
		ins   = `INSERT INTO tb_test_rows (n) VALUES ($1)`
		count = `SELECT count(*) FROM tb_test_rows WHERE n >= $1`
	)
	// Prepared on the pool first (a statement first met inside a transaction is prepared on the
	// pool in the background; TestFirstMetInsideATransaction).
	if _, err := s.Exec(ctx, db, ins, -1); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.Get(ctx, db, &n, count, 0); err != nil || n != 0 {
		t.Fatalf("count on the pool: %d %v", n, err)
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	for i := range 3 {
		if _, err := s.Exec(ctx, tx, ins, i); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Get(ctx, tx, &n, count, 0); err != nil || n != 3 {
		t.Fatalf("count in the transaction: %d %v", n, err)
	}
	var onConn int
	if err := tx.GetContext(ctx, &onConn, `SELECT count(*) FROM pg_prepared_statements WHERE statement IN ($1, $2)`, ins, count); err != nil {
		t.Fatal(err)
	}
	if onConn != 2 {
		t.Fatalf("%d of the 2 statements prepared on the transaction's connection", onConn)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	var rows []int
	if err := s.Select(ctx, db, &rows, `SELECT n FROM tb_test_rows WHERE n >= $1`, 0); err != nil || len(rows) != 0 {
		t.Fatalf("after rollback: %v %v", rows, err)
	}
	if _, err := s.Exec(ctx, db, ins, 7); err != nil {
		t.Fatal(err)
	}
	if err := s.QueryRow(ctx, db, count, 7).Scan(&n); err != nil || n != 1 {
		t.Fatalf("count on the pool: %d %v", n, err)
	}
}

// A statement first met inside a transaction runs there even when the transaction holds the pool's
// only connection (preparing it on the pool would wait for that connection for ever), and is
// prepared on the pool once a connection is free.
func TestFirstMetInsideATransaction(t *testing.T) {
	db := dbtest.New(t)
	db.SetMaxOpenConns(1)
	s := New(db, quiet())
	const q = `SELECT $1::int + 1`
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got int
	for range 2 {
		if err := s.Get(ctx, tx, &got, q, 41); err != nil || got != 42 {
			t.Fatalf("in the transaction: %d %v", got, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for !s.Prepared(q) {
		if ctx.Err() != nil {
			t.Fatal("never prepared on the pool")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := s.Get(ctx, db, &got, q, 1); err != nil || got != 2 {
		t.Fatalf("on the pool: %d %v", got, err)
	}
}

// Without statements (a nil *Statements) every query runs unprepared.
func TestNilRunsUnprepared(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	var s *Statements
	var got int
	if err := s.Get(ctx, db, &got, `SELECT $1::int + 1`, 41); err != nil || got != 42 {
		t.Fatalf("get: %d %v", got, err)
	}
	rows, err := s.Query(ctx, db, `SELECT generate_series(1, $1::int)`, 3)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		n++
	}
	rows.Close()
	if n != 3 || s.Prepared(`SELECT generate_series(1, $1::int)`) {
		t.Fatalf("rows %d", n)
	}
}
