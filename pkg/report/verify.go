package report

import (
	"strings"

	"timebank/pkg/invariant"
)

// dailyCheck compares the kept daily figures of the days first to last (SQL dates) with a recount.
// The ledger's transactions of those days are read by their ids $3 to $4 (dayTxs), as a rebuild
// reads them.
func dailyCheck(first, last string) string {
	return `
WITH span AS (
    SELECT ` + first + ` AS first, ` + last + ` AS last
), recount AS (` + strings.NewReplacer(
		"$1::date", "(SELECT first FROM span)",
		"$2::date", "(SELECT last FROM span)").Replace(recountQuery) + `
), kept AS (
    SELECT day, org_id, store_id, region_code, ` + figureColumns + `
      FROM report_daily WHERE day >= (SELECT first FROM span) AND day <= (SELECT last FROM span)
), diff AS (
    (SELECT 'kept' AS side, * FROM kept EXCEPT SELECT 'kept', * FROM recount)
    UNION ALL
    (SELECT 'recount', * FROM recount EXCEPT SELECT 'recount', * FROM kept)
)
SELECT format('report_daily %s: day %s org %s store %s differs from the recount', side, day, org_id, store_id)
  FROM diff ORDER BY day, org_id, store_id LIMIT 20`
}

// The days are keys by their number from 2000-01-01. dayKeys are the first day any row the recount
// counts falls on (a day before it, for the ledger's ids that are not in the order of time), and
// the day before yesterday in China.
const (
	dayRange = `(DATE '2000-01-01' + $1::int + 1)`
	dayUpto  = `(DATE '2000-01-01' + $2::int)`
	china    = ` AT TIME ZONE 'Asia/Shanghai')::date`
	// dayTxs are the ids of the ledger's transactions of the days $1 < day <= $2: from the first
	// created 10 minutes (the report service's txMargin) before the first day to the first created
	// 10 minutes after the last (report_first_tx_at, migration 00038).
	dayTxs = `
SELECT report_first_tx_at(((DATE '2000-01-01' + $1::int + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') - interval '10 minutes'),
       report_first_tx_at(((DATE '2000-01-01' + $2::int + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') + interval '10 minutes')`
	dayKeys = `
WITH today AS (SELECT (now()` + china + ` AS d)
SELECT least((SELECT min(day) FROM report_daily),
             (SELECT min(service_date) FROM service_records),
             (SELECT (created_at` + china + ` - 1 FROM ledger_transactions ORDER BY id LIMIT 1),
             (SELECT (min(starts_at)` + china + ` FROM activities),
             (SELECT (min(resolved_at)` + china + ` FROM store_orders WHERE status = 'fulfilled'),
             (SELECT (min(received_at)` + china + ` FROM store_donations),
             (SELECT (min(at)` + china + ` FROM store_movements WHERE kind IN ('handed_out', 'allocated')),
             (SELECT (min(created_at)` + china + ` FROM store_aid),
             (SELECT min(issue_date) FROM certificates),
             (SELECT d - 2 FROM today)) - DATE '2000-01-01',
       (SELECT d - 2 FROM today) - DATE '2000-01-01'`
)

// nonZero holds for a row of figures of which any is not zero: a month whose days all came off
// keeps a row of zeros, which equals no row at all.
var nonZero = "(" + strings.ReplaceAll(figureColumns, ",", " <> 0 OR") + " <> 0)"

// Checks are what `timebank verify` holds the daily figures to: every day before yesterday (the
// worker recomputes today and yesterday on its timer) equals a recount of its rows, row for row,
// in ranges of days at once. The recount covers the whole history (a day never aggregated is a
// difference too). A day whose rows changed since the worker's last run shows here until its next
// run; a rebuild clears any other difference. From a checkpoint, the days after the last day found
// clean are recounted, and the months from the first month not wholly checked.
var Checks = []invariant.Check{{
	Name:  "report: daily figures before yesterday equal a recount of the rows",
	Query: dailyCheck(dayRange, dayUpto),
	Keys:  dayKeys,
	Extra: dayTxs,
	// From a checkpoint: the days after the last day found clean, as long as the kept figures up
	// to it are what they were (their digest).
	Since: "report: daily figures",
	Last:  `SELECT ((now() - make_interval(secs => $1)) AT TIME ZONE 'Asia/Shanghai')::date - 2 - DATE '2000-01-01'`,
	After: dailyCheck(dayRange, dayUpto),
	Digest: `SELECT count(*) || ':' || coalesce(sum(hashtextextended(d::text, 0)), 0)
  FROM report_daily d WHERE day <= DATE '2000-01-01' + $1::int`,
}, monthCheck("report: monthly figures equal the sums of their days", "report: months", monthlyCheck),
	monthCheck("report: every region's monthly figures equal the sums of the days below it", "report: regions' months",
		regionCheck)}

// monthlyCheck compares the kept months from first (an SQL date, the first of a month) on with the
// sums of their days.
func monthlyCheck(first string) string {
	return `
WITH days AS (
    SELECT date_trunc('month', day)::date AS month, org_id, store_id, ` + sums("") + `
      FROM report_daily WHERE day >= ` + first + ` GROUP BY 1, 2, 3
), months AS (
    SELECT month, org_id, store_id, ` + figureColumns + ` FROM report_monthly WHERE month >= ` + first + `
), diff AS (
    (SELECT * FROM days EXCEPT SELECT * FROM months) UNION ALL (SELECT * FROM months EXCEPT SELECT * FROM days)
)
SELECT DISTINCT format('report_monthly: month %s org %s store %s differs from the sum of its days', month, org_id, store_id)
  FROM diff WHERE ` + nonZero + ` LIMIT 20`
}

// regionCheck compares the regions' kept months from first on with the sums of the days below them.
func regionCheck(first string) string {
	return `
WITH days AS (
    SELECT date_trunc('month', d.day)::date AS month, left(d.region_code, l.n) COLLATE "C" AS node, ` + sums("d.") + `
      FROM report_daily d CROSS JOIN ` + regionLevels + ` WHERE d.day >= ` + first + ` GROUP BY 1, 2
), kept AS (
    SELECT month, node, ` + figureColumns + ` FROM report_region_monthly WHERE month >= ` + first + `
), diff AS (
    (SELECT * FROM days EXCEPT SELECT * FROM kept) UNION ALL (SELECT * FROM kept EXCEPT SELECT * FROM days)
)
SELECT DISTINCT format('report_region_monthly: month %s region %s differs from the sum of its days', month, node)
  FROM diff WHERE ` + nonZero + ` LIMIT 20`
}

// monthCheck is a check of the months that runs from a checkpoint: the last day of the last month
// wholly checked. A checkpoint goes only as far as the last day of a month whose days are all
// before yesterday (their figures are final); a run reads every month after the checkpoint's.
func monthCheck(name, since string, q func(first string) string) invariant.Check {
	return invariant.Check{Name: name,
		Query: q(`DATE '-infinity'`),
		After: q(`date_trunc('month', DATE '2000-01-01' + least($1::int + 1, $2::int))::date`),
		Since: since,
		Last: `SELECT date_trunc('month', ((now() - make_interval(secs => $1))` + china + ` - 1)::date - 1
       - DATE '2000-01-01'`,
		Newest: `SELECT 0, coalesce(max(day), DATE '2000-01-01') - DATE '2000-01-01' FROM report_daily`,
		Digest: `SELECT (SELECT count(*) || ':' || coalesce(sum(hashtextextended(m::text, 0)), 0) FROM report_monthly m
                 WHERE month = date_trunc('month', DATE '2000-01-01' + $1::int)::date)
    || '/' || (SELECT count(*) || ':' || coalesce(sum(hashtextextended(m::text, 0)), 0) FROM report_region_monthly m
                 WHERE month = date_trunc('month', DATE '2000-01-01' + $1::int)::date)`}
}
