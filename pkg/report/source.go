package report

import "time"

// A period is read from report_monthly for its whole months and from report_daily for the days
// outside them, so that a year of a province costs twelve rows per organization. The month that holds
// today counts as whole when the period reaches today: no day after today has figures.

// spans are a period cut into whole months (first days, inclusive) and the days before and after
// them; an empty range has its start after its end.
type spans struct {
	MonthFrom, MonthTo time.Time
	HeadFrom, HeadTo   time.Time
	TailFrom, TailTo   time.Time
}

// split cuts the period, today being the current day in China.
func split(p Period, today time.Time) spans {
	first := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location()) }
	start := first(p.From)
	if !start.Equal(p.From) {
		start = start.AddDate(0, 1, 0)
	}
	end := first(p.To) // the last whole month, unless p.To ends before its month does
	if !p.To.Equal(end.AddDate(0, 1, -1)) && p.To.Before(today) {
		end = end.AddDate(0, -1, 0)
	}
	none := [2]time.Time{p.To.AddDate(0, 0, 1), p.To}
	if end.Before(start) {
		return spans{MonthFrom: start, MonthTo: start.AddDate(0, -1, 0), HeadFrom: p.From, HeadTo: p.To,
			TailFrom: none[0], TailTo: none[1]}
	}
	sp := spans{MonthFrom: start, MonthTo: end, HeadFrom: p.From, HeadTo: start.AddDate(0, 0, -1),
		TailFrom: end.AddDate(0, 1, 0), TailTo: p.To}
	if sp.TailFrom.After(p.To) {
		sp.TailFrom, sp.TailTo = none[0], none[1]
	}
	return sp
}

// sourceCTE is the body of a WITH item (used as "WITH src AS " + sourceCTE(…)): the rows of the
// period matching filter (on columns of either table, with its own parameters from $7 on), as
// (month text, org_id, store_id, region_code, the figures); $1 to $6 are the spans (args gives them).
func sourceCTE(filter string) string {
	return `(
    SELECT to_char(month, 'YYYY-MM') AS month, org_id, store_id, region_code, ` + figureColumns + `
      FROM report_monthly WHERE month BETWEEN $1 AND $2 AND ` + filter + `
    UNION ALL
    SELECT to_char(day, 'YYYY-MM'), org_id, store_id, region_code, ` + figureColumns + `
      FROM report_daily WHERE (day BETWEEN $3 AND $4 OR day BETWEEN $5 AND $6) AND ` + filter + `
)
`
}

// args are the parameters $1 to $6 of sourceCTE.
func (sp spans) args() []any {
	return []any{dayText(sp.MonthFrom), dayText(sp.MonthTo), dayText(sp.HeadFrom), dayText(sp.HeadTo),
		dayText(sp.TailFrom), dayText(sp.TailTo)}
}
