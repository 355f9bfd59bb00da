package report

import "strings"

// regionLevels are the lengths of the code prefixes that name a node of the five-level tree:
// province, city, county, street, community.
const regionLevels = `(VALUES (2), (4), (6), (9), (12)) AS l (n)`

// addToRegions is the statement adding (sign "+") or taking off ("-") the figures of the days $1 to
// $2 to or from the months of every region above them (report_region_monthly), as addToMonths does
// for organizations: each day's row counts once in each of the five nodes above its organization.
func addToRegions(sign string) string {
	sel := make([]string, len(figureNames))
	set := make([]string, len(figureNames))
	for i, c := range figureNames {
		sel[i] = sign + "sum(d." + c + ")"
		set[i] = c + " = report_region_monthly." + c + " + EXCLUDED." + c
	}
	return `INSERT INTO report_region_monthly (month, node, ` + figureColumns + `)
SELECT date_trunc('month', d.day)::date, left(d.region_code, l.n), ` + strings.Join(sel, ", ") + `
  FROM report_daily d CROSS JOIN ` + regionLevels + `
 WHERE d.day BETWEEN $1 AND $2
 GROUP BY 1, 2
ON CONFLICT (node, month) DO UPDATE SET ` + strings.Join(set, ", ")
}

// regionCTE is the body of a WITH item (used as "WITH src AS " + regionCTE()): the figures of the
// period below the region whose code starts with $7, as (month text, node, the figures), the node
// being the first $8 digits of the code, for the nodes $9 (text[]): the region itself, or its
// children (a few primary-key reads each, whatever lies below them). Whole months come from report_region_monthly (a few rows a
// month, whatever the number of organizations below), the days outside them from report_daily;
// $1 to $6 are the spans, as for sourceCTE.
func regionCTE() string {
	return `(
    SELECT to_char(month, 'YYYY-MM') AS month, node, ` + figureColumns + `
      FROM report_region_monthly WHERE month BETWEEN $1 AND $2 AND node = ANY($9::text[])
    UNION ALL
    SELECT to_char(day, 'YYYY-MM'), left(region_code, $8), ` + figureColumns + `
      FROM report_daily WHERE (day BETWEEN $3 AND $4 OR day BETWEEN $5 AND $6) AND region_code LIKE $7
)
`
}
