package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// copyBatch is how many rows a loader hands to a table's COPY at a time.
const copyBatch = 2000

// copyStream feeds one table by COPY. Streamed (a superuser's load), it runs in a transaction of
// its own on a connection of its own, from batches of rows sent to it, several at once, one per
// table, with triggers off (session_replication_role = replica: foreign keys, the ledger's zero-sum
// and append-only checks) so that the tables can be filled together in one pass; CHECK constraints
// and unique indexes still hold, and the caller checks every foreign key and runs verify
// afterwards. Buffered, it keeps its rows until copies.closeAll writes every table in turn, parents
// first, in one transaction with every trigger on.
type copyStream struct {
	table   string
	columns []string
	rows    chan [][]any
	batch   [][]any
	done    chan error
	n       int64
}

// stream starts a streamed COPY of the stream's columns.
func (s *copyStream) stream(ctx context.Context, db *sqlx.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for _, set := range []string{`SET LOCAL session_replication_role = replica`, `SET LOCAL synchronous_commit = off`} {
		if _, err := tx.ExecContext(ctx, set); err != nil {
			tx.Rollback()
			return fmt.Errorf("%s: %w", s.table, err)
		}
	}
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn(s.table, s.columns...))
	if err != nil {
		tx.Rollback()
		return fmt.Errorf("copy %s: %w", s.table, err)
	}
	s.rows, s.done = make(chan [][]any, 4), make(chan error, 1)
	go func() {
		var failed error
		for b := range s.rows {
			if failed == nil { // after a failure, drain, so that the loader never blocks
				failed = copyRows(ctx, stmt, s.table, b)
			}
		}
		if failed == nil {
			failed = endCopy(ctx, stmt, s.table)
		}
		if failed == nil {
			failed = tx.Commit()
		} else {
			tx.Rollback()
		}
		s.done <- failed
	}()
	return nil
}

func copyRows(ctx context.Context, stmt *sql.Stmt, table string, rows [][]any) error {
	for _, r := range rows {
		if _, err := stmt.ExecContext(ctx, r...); err != nil {
			return fmt.Errorf("copy %s: %w", table, err)
		}
	}
	return nil
}

func endCopy(ctx context.Context, stmt *sql.Stmt, table string) error {
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	return stmt.Close()
}

// add queues one row.
func (s *copyStream) add(row ...any) {
	s.batch = append(s.batch, row)
	s.n++
	if s.rows != nil && len(s.batch) == copyBatch {
		s.rows <- s.batch
		s.batch = make([][]any, 0, copyBatch)
	}
}

// copies are the streams of one load, by table, in the order their tables are written when
// buffered (parents before children).
type copies struct {
	db       *sqlx.DB
	streamed bool
	order    []string
	by       map[string]*copyStream
}

func (c *copies) get(table string) *copyStream { return c.by[table] }

// open adds a stream for table ("name(col, col …)").
func (c *copies) open(ctx context.Context, spec string) error {
	name, cols, _ := strings.Cut(strings.TrimSuffix(spec, ")"), "(")
	s := &copyStream{table: name}
	for _, col := range strings.Split(cols, ",") {
		s.columns = append(s.columns, strings.TrimSpace(col))
	}
	if c.by == nil {
		c.by = map[string]*copyStream{}
	}
	if c.streamed {
		if err := s.stream(ctx, c.db); err != nil {
			return err
		}
	}
	c.by[name], c.order = s, append(c.order, name)
	return nil
}

// closeAll ends every stream and returns the first error; buffered, it writes every table now.
func (c *copies) closeAll(ctx context.Context) error {
	if !c.streamed {
		return c.writeBuffered(ctx)
	}
	var first error
	for _, name := range c.order {
		s := c.by[name]
		if len(s.batch) > 0 {
			s.rows <- s.batch
			s.batch = nil
		}
		close(s.rows)
		if err := <-s.done; err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (c *copies) writeBuffered(ctx context.Context) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, name := range c.order {
		s := c.by[name]
		stmt, err := tx.PrepareContext(ctx, pq.CopyIn(s.table, s.columns...))
		if err != nil {
			return fmt.Errorf("copy %s: %w", s.table, err)
		}
		if err := copyRows(ctx, stmt, s.table, s.batch); err != nil {
			return err
		}
		if err := endCopy(ctx, stmt, s.table); err != nil {
			return err
		}
		s.batch = nil
	}
	return tx.Commit()
}
