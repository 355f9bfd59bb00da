package dbtest

import (
	"context"
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"
)

// CommitRefusedCode is the SQLSTATE of a refused commit: connection_failure, as a client sees a
// commit whose backend died under it.
const CommitRefusedCode = "08006"

// RefuseCommits makes every commit in db that changed a row fail while the returned switch is on,
// after the statement itself has run and sent its result rows: the case of a backend killed (or a
// disk that refuses the WAL flush) between a statement and its commit. A write is acknowledged
// only once its commit is known to have succeeded, so with the switch on no write may be
// acknowledged. Every table of the schema gets a deferred constraint trigger, which PostgreSQL
// runs at commit; it fails with CommitRefusedCode. The switch starts off.
func RefuseCommits(t testing.TB, db *sqlx.DB) (refuse func(on bool)) {
	t.Helper()
	ctx := context.Background()
	setup := []string{
		`CREATE TABLE dbtest_refuse_commits (refuse boolean NOT NULL)`,
		`INSERT INTO dbtest_refuse_commits VALUES (false)`,
		`CREATE FUNCTION dbtest_refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT refuse FROM dbtest_refuse_commits) THEN
        RAISE EXCEPTION 'commit refused by the test' USING ERRCODE = '` + CommitRefusedCode + `';
    END IF;
    RETURN NULL;
END $$`,
	}
	for _, q := range setup {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("dbtest: refuse commits: %v", err)
		}
	}
	var tables []string
	err := db.SelectContext(ctx, &tables, `
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind = 'r'
  AND c.relname NOT IN ('dbtest_refuse_commits', 'goose_db_version')`)
	if err != nil || len(tables) == 0 {
		t.Fatalf("dbtest: refuse commits: tables %v: %v", tables, err)
	}
	for _, tab := range tables {
		q := fmt.Sprintf(`CREATE CONSTRAINT TRIGGER dbtest_refuse_commit AFTER INSERT OR UPDATE OR DELETE ON %q
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION dbtest_refuse_commit()`, tab)
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("dbtest: refuse commits on %s: %v", tab, err)
		}
	}
	return func(on bool) {
		t.Helper()
		if _, err := db.ExecContext(ctx, `UPDATE dbtest_refuse_commits SET refuse = $1`, on); err != nil {
			t.Fatalf("dbtest: refuse commits %v: %v", on, err)
		}
	}
}
