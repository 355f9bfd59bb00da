package web

import (
	"fmt"
	"strings"
	"testing"
)

// exportAuthzEntries are the rows of the authorization table for the exports: an organization's
// are read by those who read its activities (members: its members), a store's by those who read the
// store, a statement by the person it belongs to. The calls carry a malformed date, so that a caller
// let through gets a 400 at once, one refused a 401 or 403.
func exportAuthzEntries() map[string]entry {
	orgReaders := with(coordA, adminA, auditorHN, regionXS)
	storeReaders := with(clerkSA, counterSA, managerSA, adminA, auditorHN, regionXS)
	place := func(who []string, kind, what string) entry {
		mk := func(inside bool) func(*testing.T, *world) call {
			return func(_ *testing.T, w *world) call {
				id := map[string][2]int64{"orgs": {w.a.ID, w.b.ID}, "stores": {w.sa.ID, w.sb.ID}}[kind][map[bool]int{true: 0, false: 1}[inside]]
				return call{"GET", fmt.Sprintf("/api/v1/%s/%d/%s?from=bad", kind, id, what), ""}
			}
		}
		return entry{who: who, in: mk(true), out: mk(false)}
	}
	rows := map[string]entry{}
	for _, ext := range []string{".csv", ".xlsx"} {
		rows["GET /api/v1/me/statement"+ext] = entry{who: people, in: fixed("GET", "/api/v1/me/statement"+ext+"?from=bad", "")}
		for _, what := range []string{"records", "records-national", "activities", "members"} {
			rows["GET /api/v1/orgs/:id/"+what+ext] = place(orgReaders, "orgs", what+ext)
		}
		for _, what := range []string{"journal", "orders", "donations", "reports"} {
			rows["GET /api/v1/stores/:id/"+what+ext] = place(storeReaders, "stores", what+ext)
		}
	}
	rows["GET /api/v1/exports/progress/:id"] = entry{who: people, in: fixed("GET", "/api/v1/exports/progress/bad", "")}
	rows["GET /stores/:store/exports"] = entry{who: storeReaders,
		in:  func(_ *testing.T, w *world) call { return call{"GET", fmt.Sprintf("/stores/%d/exports", w.sa.ID), ""} },
		out: func(_ *testing.T, w *world) call { return call{"GET", fmt.Sprintf("/stores/%d/exports", w.sb.ID), ""} }}
	return rows
}

// storeExportAuthzEntries are the store's rows of exportAuthzEntries, for the store's own table.
func storeExportAuthzEntries() map[string]entry {
	out := map[string]entry{}
	for k, v := range exportAuthzEntries() {
		if strings.Contains(k, "/stores/:id/") {
			out[k] = v
		}
	}
	return out
}
