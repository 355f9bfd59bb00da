package migrations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// ErrPending means the database schema is older than this binary.
var ErrPending = errors.New("database schema is out of date: run `timebank migrate up` or start with --migrate")

// Provider returns a goose provider for the embedded migrations. A PostgreSQL advisory lock keeps two
// processes from migrating at once.
func Provider(db *sql.DB) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db, FS, goose.WithSessionLocker(locker))
}

// Up applies every pending migration, each in its own transaction, and reports them to w.
func Up(ctx context.Context, db *sql.DB, w io.Writer) error {
	p, err := Provider(db)
	if err != nil {
		return err
	}
	res, err := p.Up(ctx)
	for _, r := range res {
		fmt.Fprintf(w, "migrated up %s (%s)\n", r.Source.Path, r.Duration.Round(1e6))
	}
	return err
}

// Down rolls back the newest migration.
func Down(ctx context.Context, db *sql.DB, w io.Writer) error {
	p, err := Provider(db)
	if err != nil {
		return err
	}
	r, err := p.Down(ctx)
	if r != nil {
		fmt.Fprintf(w, "migrated down %s\n", r.Source.Path)
	}
	return err
}

// Status writes each migration and whether it is applied.
func Status(ctx context.Context, db *sql.DB, w io.Writer) error {
	p, err := Provider(db)
	if err != nil {
		return err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return err
	}
	for _, s := range st {
		at := "pending"
		if s.State == goose.StateApplied {
			at = "applied " + s.AppliedAt.Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(w, "%-40s %s\n", s.Source.Path, at)
	}
	return nil
}

// Check returns ErrPending when a migration has not been applied.
func Check(ctx context.Context, db *sql.DB) error {
	p, err := Provider(db)
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return err
	}
	if pending {
		return ErrPending
	}
	return nil
}
