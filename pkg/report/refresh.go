package report

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"timebank/pkg/txn"
)

// isNoRows reports whether err is sql.ErrNoRows.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// lateWindow is how long after it was written a row still makes its day dirty on every run: a row
// whose id was taken before the worker's mark but committed after it is caught by a later run.
const lateWindow = 10 * time.Minute

// lateRows bounds the look back for late rows to the newest ids before the mark, so that the look
// is a short range of the primary key, never a scan of the table.
const lateRows = 5000

// dirtyQuery lists the days that records (a new record or an amendment) and activities written since
// the marks fall on, and the marks to keep: the largest ids read.
const dirtyQuery = `
WITH marks AS (
    SELECT coalesce((SELECT last_id FROM report_marks WHERE source = 'records'), 0) AS records,
           coalesce((SELECT last_id FROM report_marks WHERE source = 'activities'), 0) AS activities
), revs AS (
    SELECT v.id, r.service_date AS day
      FROM service_record_revisions v JOIN service_records r ON r.id = v.record_id, marks m
     WHERE v.id > m.records - $2 AND (v.id > m.records OR v.created_at > now() - $1::interval)
), acts AS (
    SELECT a.id, (a.starts_at AT TIME ZONE 'Asia/Shanghai')::date AS day
      FROM activities a, marks m
     WHERE a.id > m.activities - $2 AND (a.id > m.activities OR a.created_at > now() - $1::interval)
)
SELECT 'day' AS what, day::text AS value FROM revs UNION
SELECT 'day', day::text FROM acts UNION
SELECT 'records', coalesce(max(id), (SELECT records FROM marks))::text FROM revs UNION
SELECT 'activities', coalesce(max(id), (SELECT activities FROM marks))::text FROM acts`

// Refresh recomputes today and yesterday, and every earlier day that records and activities written
// since the last run fall on (days to come are not counted until they come), then keeps how far it
// read. It returns how many days it recomputed. Safe to run on several servers at once.
func (s *Service) Refresh(ctx context.Context) (int, error) {
	var rows []struct {
		What  string `db:"what"`
		Value string `db:"value"`
	}
	if err := s.db.SelectContext(ctx, &rows, dirtyQuery, lateWindow.String(), lateRows); err != nil {
		return 0, err
	}
	today := s.today()
	days := []time.Time{today.AddDate(0, 0, -1), today}
	marks := map[string]string{}
	for _, r := range rows {
		if r.What != "day" {
			marks[r.What] = r.Value
			continue
		}
		d, err := time.ParseInLocation(time.DateOnly, r.Value, today.Location())
		if err != nil {
			return 0, err
		}
		if !d.After(today) && !slices.ContainsFunc(days, d.Equal) {
			days = append(days, d)
		}
	}
	slices.SortFunc(days, func(a, b time.Time) int { return a.Compare(b) })
	for _, d := range days {
		if err := s.recompute(ctx, d, d); err != nil {
			return 0, err
		}
	}
	for source, v := range marks {
		if _, err := s.db.ExecContext(ctx, `
INSERT INTO report_marks (source, last_id) VALUES ($1, $2::bigint)
ON CONFLICT (source) DO UPDATE SET last_id = greatest(report_marks.last_id, EXCLUDED.last_id)`, source, v); err != nil {
			return 0, err
		}
	}
	return len(days), nil
}

// MaxRebuildDays is the longest range Rebuild recomputes in one statement; a longer one goes month by
// month, so that no transaction holds a year of rows.
const MaxRebuildDays = 31

// Rebuild recomputes the figures of the days from to to (inclusive, clipped to today) from scratch.
// Zero times mean the first day any source has a row and today. It returns how many days it covered.
func (s *Service) Rebuild(ctx context.Context, from, to time.Time) (int, error) {
	today := s.today()
	if to.IsZero() || to.After(today) {
		to = today
	}
	if from.IsZero() {
		var first sql.NullTime
		err := s.db.GetContext(ctx, &first, `
SELECT least((SELECT min(service_date) FROM service_records)::timestamptz,
             (SELECT min(created_at) FROM ledger_transactions),
             (SELECT min(starts_at) FROM activities),
             (SELECT min(created_at) FROM store_orders),
             (SELECT min(at) FROM store_movements))`)
		if err != nil {
			return 0, err
		}
		from = today
		if first.Valid {
			from = first.Time
		}
	}
	from, to = dayOf(from), dayOf(to)
	n := 0
	for d := from; !d.After(to); d = d.AddDate(0, 0, MaxRebuildDays) {
		end := d.AddDate(0, 0, MaxRebuildDays-1)
		if end.After(to) {
			end = to
		}
		if err := s.recompute(ctx, d, end); err != nil {
			return n, err
		}
		n += int(end.Sub(d).Hours()/24) + 1
	}
	if err := s.rebuildMonths(ctx, from, to); err != nil {
		return n, err
	}
	// A rebuild rewrites the figures wholesale; the planner is told at once rather than when
	// autovacuum comes by (at a province's size, the region summaries read 100 times slower until it
	// did: 340 against 3.6 ms).
	_, err := s.db.ExecContext(ctx, `ANALYZE report_daily, report_monthly, report_region_monthly`)
	return n, err
}

// rebuildMonths recomputes the months holding the days from to to from their days, by organization
// and by region: the worker keeps
// months by differences, a rebuild sets them right whatever happened to them.
func (s *Service) rebuildMonths(ctx context.Context, from, to time.Time) error {
	first := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, from.Location())
	last := time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, to.Location()).AddDate(0, 1, -1)
	return txn.Run(ctx, s.db, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM report_monthly WHERE month BETWEEN $1 AND $2`, addToMonths("+"),
			`DELETE FROM report_region_monthly WHERE month BETWEEN $1 AND $2`, addToRegions("+")} {
			if _, err := tx.ExecContext(ctx, q, dayText(first), dayText(last)); err != nil {
				return err
			}
		}
		return nil
	})
}
