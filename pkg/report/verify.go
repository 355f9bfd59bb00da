package report

import (
	"strings"

	"timebank/pkg/invariant"
)

// dailyCheck compares the kept daily figures of the days first to last (SQL dates) with a recount.
func dailyCheck(first, last string) string {
	return `
WITH span AS (
    SELECT ` + first + ` AS first, ` + last + ` AS last
), recount AS (` + strings.Replace(strings.Replace(strings.Replace(strings.Replace(recountQuery,
		"$1::date", "(SELECT first FROM span)", -1),
		"$2::date", "(SELECT last FROM span)", -1),
		"$3", "0", -1),
		"$4", "9223372036854775807", -1) + `
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

// nonZero holds for a row of figures of which any is not zero: a month whose days all came off
// keeps a row of zeros, which equals no row at all.
var nonZero = "(" + strings.ReplaceAll(figureColumns, ",", " <> 0 OR") + " <> 0)"

// Checks are what `timebank verify` holds the daily figures to: every day before yesterday (the
// worker recomputes today and yesterday on its timer) equals a recount of its rows, row for row.
// The recount covers the whole history (a day never aggregated is a difference too). A day whose
// rows changed since the worker's last run shows here until its next run; a rebuild clears any other
// difference.
var Checks = []invariant.Check{{
	Name:  "report: daily figures before yesterday equal a recount of the rows",
	Query: dailyCheck(`DATE '2000-01-01'`, `((now() AT TIME ZONE 'Asia/Shanghai')::date - 2)`),
	// From a checkpoint: the days after the last day found clean (days are numbered from 2000-01-01),
	// as long as the kept figures up to it are what they were (their digest).
	Since: "report: daily figures",
	Last:  `SELECT ((now() - make_interval(secs => $1)) AT TIME ZONE 'Asia/Shanghai')::date - 2 - DATE '2000-01-01'`,
	After: dailyCheck(`(DATE '2000-01-01' + $1::int + 1)`, `(DATE '2000-01-01' + $2::int)`),
	Digest: `SELECT count(*) || ':' || coalesce(sum(hashtextextended(d::text, 0)), 0)
  FROM report_daily d WHERE day <= DATE '2000-01-01' + $1::int`,
}, {
	Name: "report: monthly figures equal the sums of their days",
	Query: `
WITH days AS (
    SELECT date_trunc('month', day)::date AS month, org_id, store_id, ` + sums("") + `
      FROM report_daily GROUP BY 1, 2, 3
), months AS (
    SELECT month, org_id, store_id, ` + figureColumns + ` FROM report_monthly
), diff AS (
    (SELECT * FROM days EXCEPT SELECT * FROM months) UNION ALL (SELECT * FROM months EXCEPT SELECT * FROM days)
)
SELECT DISTINCT format('report_monthly: month %s org %s store %s differs from the sum of its days', month, org_id, store_id)
  FROM diff WHERE ` + nonZero + ` LIMIT 20`,
}, {
	Name: "report: every region's monthly figures equal the sums of the days below it",
	Query: `
WITH days AS (
    SELECT date_trunc('month', d.day)::date AS month, left(d.region_code, l.n) COLLATE "C" AS node, ` + sums("d.") + `
      FROM report_daily d CROSS JOIN ` + regionLevels + ` GROUP BY 1, 2
), kept AS (
    SELECT month, node, ` + figureColumns + ` FROM report_region_monthly
), diff AS (
    (SELECT * FROM days EXCEPT SELECT * FROM kept) UNION ALL (SELECT * FROM kept EXCEPT SELECT * FROM days)
)
SELECT DISTINCT format('report_region_monthly: month %s region %s differs from the sum of its days', month, node)
  FROM diff WHERE ` + nonZero + ` LIMIT 20`,
}}
