package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/dbtest"
)

// prepare asks PostgreSQL to parse and plan the statement without running it: a misspelt table,
// column, function or keyword fails here. sqlx named parameters (:name) are compiled to $n first.
func prepare(ctx context.Context, db *sqlx.DB, text string) error {
	if namedParam.MatchString(text) {
		st, err := db.PrepareNamedContext(ctx, text)
		if err != nil {
			return err
		}
		return st.Close()
	}
	st, err := db.PrepareContext(ctx, text)
	if err != nil {
		return err
	}
	return st.Close()
}

// namedParam is an sqlx named parameter; a cast (::type) is not one.
var namedParam = regexp.MustCompile(`(?:^|[^:]):[a-z_]+\b`)

// unprepared returns, for each statement PostgreSQL cannot prepare, where it is and why.
func unprepared(t *testing.T, db *sqlx.DB, stmts []statement) []string {
	t.Helper()
	var bad []string
	for _, s := range stmts {
		if err := prepare(context.Background(), db, s.text); err != nil {
			bad = append(bad, fmt.Sprintf("%s does not prepare: %v\n%s", s.where, err, s.text))
		}
	}
	return bad
}

// Every SQL statement in the source prepares against the migrated schema, so a typo fails here and
// not in production.
func TestStatementsPrepare(t *testing.T) {
	db := dbtest.New(t)
	src := sqlStatements(t, filepath.Join("..", ".."))
	if len(src.statements) < 100 {
		t.Fatalf("found only %d statements: the search missed the source", len(src.statements))
	}
	for _, msg := range unprepared(t, db, src.statements) {
		t.Error(msg)
	}
	t.Logf("%d statements prepared", len(src.statements))
	for _, s := range src.runtime {
		t.Logf("%s is completed at run time, not checked here: %.60q", s.where, s.text)
	}
}

// The check finds statements in every form the source writes them, and fails on a typo.
func TestStatementsPrepareCatchesTypos(t *testing.T) {
	db := dbtest.New(t)
	root := t.TempDir()
	dir := filepath.Join(root, "pkg", "typo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	code := "package typo\n\n" +
		"import \"fmt\"\n\n" +
		"const good = `SELECT id FROM users WHERE phone = $1`\n\n" +
		"const misspelt = `SELECT id FROM usres WHERE phone = $1`\n\n" +
		"const columns = `id, phone`\n\n" +
		"func f(db interface{ Exec(string, ...any) }, where string) {\n" +
		"\tconst local = `UPDATE users SET nmae = $2 WHERE id = $1`\n" +
		"\tdb.Exec(`SELECT ` + columns + ` FROM users`)\n" +
		"\tdb.Exec(`SELECT ` + columns + ` FROM user_s`)\n" +
		"\tdb.Exec(`UPDATE users SET name = :name WHERE id = :id`)\n" +
		"\tdb.Exec(fmt.Sprintf(`SELECT %s FROM users`, columns))\n" +
		"\tdb.Exec(`SELECT id FROM users WHERE ` + where)\n" +
		"}\n"
	if err := os.WriteFile(filepath.Join(dir, "typo.go"), []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	queries := "-- name: good\nSELECT name FROM users WHERE id = $1;\n\n-- name: misspelt\nSELECT nam FROM users WHERE id = $1;\n"
	if err := os.WriteFile(filepath.Join(dir, "queries.sql"), []byte(queries), 0o644); err != nil {
		t.Fatal(err)
	}
	src := sqlStatements(t, root)
	var where []string
	for _, s := range src.statements {
		where = append(where, s.where)
	}
	want := []string{"typo/typo.go:5", "typo/typo.go:7", "typo/typo.go:12", "typo/typo.go:13", "typo/typo.go:14", "typo/typo.go:15",
		"typo/queries.sql:good", "typo/queries.sql:misspelt"}
	if strings.Join(where, " ") != strings.Join(want, " ") {
		t.Errorf("statements found at %v, want %v", where, want)
	}
	if len(src.runtime) != 2 {
		t.Errorf("statements completed at run time: %v, want the Sprintf and the WHERE one", src.runtime)
	}
	bad := unprepared(t, db, src.statements)
	var failed []string
	for _, msg := range bad {
		failed = append(failed, strings.Fields(msg)[0])
	}
	if want := "typo/typo.go:7 typo/typo.go:12 typo/typo.go:14 typo/queries.sql:misspelt"; strings.Join(failed, " ") != want {
		t.Errorf("failed: %v, want %s:\n%s", failed, want, strings.Join(bad, "\n"))
	}
}
