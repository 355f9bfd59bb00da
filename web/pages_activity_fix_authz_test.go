package web

import (
	"fmt"
	"testing"
)

// activityFixAuthzEntries are the rows of the authorization table for the coordinator's pages that
// correct service (merged by activityPageAuthzEntries): records, disputes, amendments and hours
// added by hand act at the organization of the activity or record, A's fixture inside and B's
// outside. Reading is for those who read activities; changing for those who verify hours.
func activityFixAuthzEntries() map[string]entry {
	row := func(who []string, method, format string, pick func(f *actFixtures) [2]int64, body string) entry {
		mk := func(i int) func(*testing.T, *world) call {
			return func(t *testing.T, w *world) call {
				return call{method, fmt.Sprintf(format, pick(actFixturesOf(t, w))[i]), body}
			}
		}
		return entry{who: who, in: mk(0), out: mk(1)}
	}
	acts := func(f *actFixtures) [2]int64 { return f.act }
	recs := func(f *actFixtures) [2]int64 { return f.rec }
	readers := with(coordA, adminA, auditorHN, regionXS)
	verifiers := with(coordA, adminA, regionXS)
	return map[string]entry{
		// The organizations are the caller's own: the page lists nothing of anyone else's.
		"GET /activities/disputes":           {who: readers, in: fixed("GET", "/activities/disputes", "")},
		"GET /activities/:id/records":        row(readers, "GET", "/activities/%d/records", acts, ""),
		"GET /records/:id":                   row(readers, "GET", "/records/%d", recs, ""),
		"POST /records/:id/amend":            row(verifiers, "POST", "/records/%d/amend", recs, malformed),
		"POST /records/:id/dismiss":          row(verifiers, "POST", "/records/%d/dismiss", recs, malformed),
		"GET /activities/:id/manual":         row(verifiers, "GET", "/activities/%d/manual", acts, ""),
		"POST /activities/:id/manual":        row(verifiers, "POST", "/activities/%d/manual", acts, malformed),
		"POST /activities/:id/manual/decide": row(verifiers, "POST", "/activities/%d/manual/decide", acts, malformed),
	}
}
