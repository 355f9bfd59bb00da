package web

import (
	"maps"
	"testing"
)

// reportAuthzEntries are the rows of reports in the authorization table: a region's figures
// (硖石街道 inside, 桐乡市 outside), an organization's (A inside, B outside) and a store's (SA inside,
// SB outside), as JSON, as Excel and as pages (a region's figures are on its page, whose row is the
// region page's). Clerks and devices read no figures.
func reportAuthzEntries() map[string]entry {
	apiRegion := func(suffix string, who []string) entry {
		return entry{who: who, in: fixed("GET", "/api/v1/regions/330481001000"+suffix, ""),
			out: fixed("GET", "/api/v1/regions/330483000000"+suffix, "")}
	}
	org := func(prefix, suffix string, who []string) entry {
		path := func(inside bool) func(*testing.T, *world) call {
			return func(_ *testing.T, w *world) call {
				o := w.b.ID
				if inside {
					o = w.a.ID
				}
				return call{"GET", prefix + id(o) + suffix, ""}
			}
		}
		return entry{who: who, in: path(true), out: path(false)}
	}
	regionReaders := with(auditorHN, regionXS)
	orgReaders := with(coordA, adminA, auditorHN, regionXS)
	rows := map[string]entry{
		"GET /api/v1/regions/:code/summary":      apiRegion("/summary", regionReaders),
		"GET /api/v1/regions/:code/summary.xlsx": apiRegion("/summary.xlsx", regionReaders),
		"GET /api/v1/orgs/:id/summary":           org("/api/v1/orgs/", "/summary", orgReaders),
		"GET /api/v1/orgs/:id/summary.xlsx":      org("/api/v1/orgs/", "/summary.xlsx", orgReaders),
		"GET /orgs/:id/summary":                  org("/orgs/", "/summary", orgReaders),
		"GET /stores/:store/summary":             reportStore("/stores/", "/summary"),
	}
	maps.Copy(rows, reportStoreAuthzEntries())
	return rows
}

// reportStore is the row of a store's figures at prefix+id+suffix: SA inside, SB outside.
func reportStore(prefix, suffix string) entry {
	return entry{who: with(coordA, adminA, managerSA, auditorHN, regionXS),
		in:  func(_ *testing.T, w *world) call { return call{"GET", prefix + id(w.sa.ID) + suffix, ""} },
		out: func(_ *testing.T, w *world) call { return call{"GET", prefix + id(w.sb.ID) + suffix, ""} }}
}

// reportStoreAuthzEntries are the rows of a store's figures in the API, which the store's own
// authorization test lists with the store's routes.
func reportStoreAuthzEntries() map[string]entry {
	return map[string]entry{
		"GET /api/v1/stores/:id/summary":      reportStore("/api/v1/stores/", "/summary"),
		"GET /api/v1/stores/:id/summary.xlsx": reportStore("/api/v1/stores/", "/summary.xlsx"),
	}
}
