package sealed

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"timebank/pkg/txn"
)

// sealedTable is a table whose rows carry a key_version referencing sealed_key_versions, with its
// sealed columns, as the catalog tells.
type sealedTable struct {
	name    string   // the table, e.g. care_people
	version string   // its key version column
	columns []string // its sealed columns, e.g. name_sealed
}

// ErrNoSealedColumns means a table references the key table but has no <field>_sealed column: it
// breaks the convention, and a rotation would mark a version finished without knowing its rows.
var ErrNoSealedColumns = errors.New("sealed: a table references sealed_key_versions without sealed columns")

// sealedTables reads from the catalog every table referencing sealed_key_versions, and its sealed
// columns: a table added later is rotated without anyone remembering to list it.
func sealedTables(ctx context.Context, db *sqlx.DB) ([]sealedTable, error) {
	var refs []struct {
		Table   string `db:"table_name"`
		Version string `db:"version_column"`
	}
	err := db.SelectContext(ctx, &refs, `
SELECT cl.relname AS table_name, a.attname AS version_column
FROM pg_constraint c
JOIN pg_class cl ON cl.oid = c.conrelid
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
WHERE c.contype = 'f' AND c.confrelid = 'sealed_key_versions'::regclass
ORDER BY cl.relname`)
	if err != nil {
		return nil, err
	}
	var out []sealedTable
	for _, r := range refs {
		t := sealedTable{name: r.Table, version: r.Version}
		err := db.SelectContext(ctx, &t.columns, `
SELECT attname FROM pg_attribute
WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND atttypid = 'bytea'::regtype
  AND attname LIKE '%\_sealed'
ORDER BY attnum`, pq.QuoteIdentifier(r.Table))
		if err != nil {
			return nil, err
		}
		if len(t.columns) == 0 {
			return nil, fmt.Errorf("%w: %s", ErrNoSealedColumns, r.Table)
		}
		out = append(out, t)
	}
	return out, nil
}

func quote(name string) string { return pq.QuoteIdentifier(name) }

func (t sealedTable) quoted() string { return quote(t.name) }

// sealName is the column name a value of column col is sealed for: care_people.name for name_sealed.
func (t sealedTable) sealName(col string) string {
	return t.name + "." + strings.TrimSuffix(col, "_sealed")
}

// resealBatch re-seals up to batch rows under an older version than b's, in one transaction,
// skipping the rows a writer holds; the rows are written back by one UPDATE from arrays.
func (t sealedTable) resealBatch(ctx context.Context, db *sqlx.DB, b *Box, batch int) (int, error) {
	cols := make([]string, len(t.columns))
	sets := make([]string, len(t.columns))
	arrays := make([]string, len(t.columns))
	names := make([]string, len(t.columns))
	for i, c := range t.columns {
		cols[i] = quote(c)
		names[i] = fmt.Sprintf("s%d", i)
		arrays[i] = fmt.Sprintf("$%d::bytea[]", i+3)
		// An array of bytea has no NULL from pq: an absent value travels as empty bytes, and a
		// sealed value is never empty.
		sets[i] = fmt.Sprintf("%s = NULLIF(v.s%d, ''::bytea)", quote(c), i)
	}
	sel := `SELECT id, ` + strings.Join(cols, ", ") + ` FROM ` + t.quoted() + ` WHERE ` + quote(t.version) +
		` < $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`
	upd := `UPDATE ` + t.quoted() + ` AS t SET ` + strings.Join(sets, ", ") + `, ` + quote(t.version) + ` = $1
FROM unnest($2::bigint[], ` + strings.Join(arrays, ", ") + `) AS v(id, ` + strings.Join(names, ", ") + `) WHERE t.id = v.id`
	n := 0
	err := txn.Run(ctx, db, func(tx *sqlx.Tx) error {
		rows, err := tx.QueryContext(ctx, sel, b.Current(), batch)
		if err != nil {
			return err
		}
		var ids pq.Int64Array
		vals := make([]pq.ByteaArray, len(cols))
		for rows.Next() {
			var id int64
			row := make([][]byte, len(cols))
			dest := []any{&id}
			for i := range row {
				dest = append(dest, &row[i])
			}
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return err
			}
			for i, c := range t.columns {
				v, _, err := b.Reseal(t.sealName(c), row[i])
				if err != nil {
					rows.Close()
					return fmt.Errorf("sealed: %s %d %s: %w", t.name, id, c, err)
				}
				vals[i] = append(vals[i], v)
			}
			ids = append(ids, id)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if n = len(ids); n == 0 {
			return nil
		}
		args := []any{b.Current(), ids}
		for _, v := range vals {
			args = append(args, v)
		}
		_, err = tx.ExecContext(ctx, upd, args...)
		return err
	})
	return n, err
}
