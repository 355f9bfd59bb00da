package report

import (
	"context"
	_ "embed"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/chinatime"
	"timebank/pkg/replica"
	"timebank/pkg/txn"
)

// Service keeps the daily figures and answers summaries from them.
type Service struct {
	db *sqlx.DB
	// reads is where the figures of summaries and rankings are read: the replica when there is one
	// (ReadFrom). Names and existence are read from db, so that a place created a moment ago is found.
	reads replica.Reader
	now   func() time.Time
}

// New returns the report service over db. A nil now is time.Now.
func New(db *sqlx.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, reads: db, now: now}
}

// ReadFrom sends the reads of summaries and rankings to r (a replica.Pool); the daily figures are
// still written on the primary.
func (s *Service) ReadFrom(r replica.Reader) { s.reads = r }

// today is the current day in China, at its midnight.
func (s *Service) today() time.Time { return chinatime.Midnight(s.now()) }

// dayText is a day as PostgreSQL reads a date.
func dayText(d time.Time) string { return d.In(chinatime.Zone()).Format(time.DateOnly) }

// figureColumns are the figures of report_daily, in the order the recount returns them.
const figureColumns = `volunteers_active, volunteers_new, scan_minutes, manual_minutes, activities,
credits_issued, credits_redeemed, orders, sales, goods_in, goods_out, households, certificates`

//go:embed recount.sql
var recountQuery string

// lockKey serializes the writers of report_daily (the worker on several servers, a rebuild), so that
// two recomputations of one day never interleave their delete and insert.
const lockKey = 7_201_020

// recompute replaces the figures of the days from to to (inclusive) by a recount of their rows.
func (s *Service) recompute(ctx context.Context, from, to time.Time) error {
	lo, hi, err := s.txRange(ctx, from, to)
	if err != nil {
		return err
	}
	return txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey); err != nil {
			return err
		}
		// The months keep the sum of their days: the old days' figures come off, the new ones go on.
		// So do the regions' months.
		for _, q := range []string{addToMonths("-"), addToRegions("-")} {
			if _, err := tx.ExecContext(ctx, q, dayText(from), dayText(to)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_daily WHERE day BETWEEN $1 AND $2`,
			dayText(from), dayText(to)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_daily (day, org_id, store_id, region_code, `+
			figureColumns+`) `+recountQuery, dayText(from), dayText(to), lo, hi); err != nil {
			return err
		}
		for _, q := range []string{addToMonths("+"), addToRegions("+")} {
			if _, err := tx.ExecContext(ctx, q, dayText(from), dayText(to)); err != nil {
				return err
			}
		}
		return nil
	})
}

// addToMonths is the statement adding (sign "+") or taking off ("-") the figures of the days $1 to
// $2 to or from their months.
func addToMonths(sign string) string {
	sel := make([]string, len(figureNames))
	set := make([]string, len(figureNames))
	for i, c := range figureNames {
		sel[i] = sign + "sum(" + c + ")"
		set[i] = c + " = report_monthly." + c + " + EXCLUDED." + c
	}
	return `INSERT INTO report_monthly (month, org_id, store_id, region_code, ` + figureColumns + `)
SELECT date_trunc('month', day)::date, org_id, store_id, max(region_code), ` + strings.Join(sel, ", ") + `
  FROM report_daily WHERE day BETWEEN $1 AND $2
 GROUP BY 1, 2, 3
ON CONFLICT (org_id, store_id, month) DO UPDATE SET region_code = EXCLUDED.region_code, ` + strings.Join(set, ", ")
}

// txMargin is how far a ledger transaction's time may lag behind the order of its id: its created_at
// is when its database transaction began (a batch of verifications posts late in a long one), its id
// when it was inserted.
const txMargin = 10 * time.Minute

// txRange returns ids lo and hi such that every ledger transaction created in the days from to to
// has an id between them, found by a binary search on the primary key (a handful of index reads)
// rather than a scan: the ledger has no index on time, and its posting path pays for none.
func (s *Service) txRange(ctx context.Context, from, to time.Time) (int64, int64, error) {
	lo, err := s.firstTxAt(ctx, from.Add(-txMargin))
	if err != nil {
		return 0, 0, err
	}
	hi, err := s.firstTxAt(ctx, to.AddDate(0, 0, 1).Add(txMargin))
	return lo, hi, err
}

// firstTxAt returns the smallest id whose transaction was created at t or later, reading ids as if
// in order of time (txMargin covers where they are not); one past the last id when there is none.
func (s *Service) firstTxAt(ctx context.Context, t time.Time) (int64, error) {
	var lo, hi int64
	if err := s.db.GetContext(ctx, &hi, `SELECT coalesce(max(id), 0) + 1 FROM ledger_transactions`); err != nil {
		return 0, err
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		var row struct {
			ID        int64     `db:"id"`
			CreatedAt time.Time `db:"created_at"`
		}
		err := s.db.GetContext(ctx, &row,
			`SELECT id, created_at FROM ledger_transactions WHERE id >= $1 ORDER BY id LIMIT 1`, mid)
		switch {
		case isNoRows(err):
			hi = mid
		case err != nil:
			return 0, err
		case row.CreatedAt.Before(t):
			lo = row.ID + 1
		default:
			hi = mid
		}
	}
	return lo, nil
}

// dayOf is t's day in China, at its midnight.
func dayOf(t time.Time) time.Time { return chinatime.Midnight(t) }
