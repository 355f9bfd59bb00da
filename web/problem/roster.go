package problem

import "timebank/pkg/roster"

// LocalRows puts each bad row's message in the caller's language.
func LocalRows(rows []roster.RowError, lang string) []roster.RowError {
	out := make([]roster.RowError, len(rows))
	for i, r := range rows {
		r.Message = r.Text(lang)
		out[i] = r
	}
	return out
}

// LocalReport is a roster import report with its bad rows in the caller's language.
func LocalReport(rep roster.Report, lang string) roster.Report {
	rep.Errors = LocalRows(rep.Errors, lang)
	return rep
}
