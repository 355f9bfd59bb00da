package export

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"
)

// Planner is a database that plans queries: *sql.DB, *sqlx.DB, a transaction.
type Planner interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Progress hears how an export goes while it is written: the rows written so far, and about how many
// there will be (total, -1 while unknown). An Excel workbook is sent only when it is complete, so
// this is the only news of it a page can show before then.
type Progress func(rows, total int)

type progressKey struct{}

// WithProgress returns ctx carrying p: the writer of an export started on it (New) tells p of its
// rows, and Estimate of its total.
func WithProgress(ctx context.Context, p Progress) context.Context {
	return context.WithValue(ctx, progressKey{}, p)
}

func progressOf(ctx context.Context) Progress {
	p, _ := ctx.Value(progressKey{}).(Progress)
	return p
}

// Estimate tells the progress of ctx, if any, about how many rows query will return, from
// PostgreSQL's plan (EXPLAIN, which runs nothing): an estimate, not a count, so that a million rows
// are not counted twice. Without a progress it does nothing; a failure only leaves the total unknown.
func Estimate(ctx context.Context, db Planner, query string, args ...any) {
	p := progressOf(ctx)
	if p == nil {
		return
	}
	var plan []byte
	if err := db.QueryRowContext(ctx, "EXPLAIN (FORMAT JSON) "+query, args...).Scan(&plan); err != nil {
		return
	}
	var doc []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if json.Unmarshal(plan, &doc) != nil || len(doc) != 1 {
		return
	}
	p(0, int(doc[0].Plan.Rows))
}

// Expect tells the progress of ctx, if any, how many rows an export will have when that is known
// beforehand (a row per day of a period).
func Expect(ctx context.Context, total int) {
	if p := progressOf(ctx); p != nil {
		p(0, total)
	}
}

// progressWriter passes rows on to a Writer and tells the progress how many were written, at most
// every progressEvery.
type progressWriter struct {
	Writer
	p    Progress
	told time.Time
}

// progressEvery is how often a running export tells its progress.
const progressEvery = 200 * time.Millisecond

func (w *progressWriter) Row(cells ...any) error {
	if err := w.Writer.Row(cells...); err != nil {
		return err
	}
	if n := w.Writer.Rows(); n%64 == 1 {
		if now := time.Now(); now.Sub(w.told) >= progressEvery {
			w.told = now
			w.p(n, -1)
		}
	}
	return nil
}
