package web

import "testing"

// orgPagesAuthzTable is the rows of the organization, region and audit pages in the authorization
// table: the same callers as the JSON routes that do the same, inside organization A (or 硖石街道)
// and outside, at organization B (or 桐乡市).
func orgPagesAuthzTable() map[string]entry {
	orgRow := func(who []string, method, suffix, body string) entry {
		at := func(inside bool) func(*testing.T, *world) call {
			return func(_ *testing.T, w *world) call {
				o := w.b.ID
				if inside {
					o = w.a.ID
				}
				return call{method, "/orgs/" + id(o) + suffix, body}
			}
		}
		return entry{who: who, in: at(true), out: at(false)}
	}
	managers := with(adminA, regionXS)
	return map[string]entry{
		"GET /orgs":              {who: with(coordA, adminA, auditorHN, regionXS), in: fixed("GET", "/orgs", "")},
		"GET /orgs/:id":          orgRow(with(coordA, adminA, auditorHN, regionXS), "GET", "", ""),
		"POST /orgs/:id/members": orgRow(managers, "POST", "/members", malformed),
		"POST /orgs/:id/devices": orgRow(managers, "POST", "/devices", malformed),
		"GET /orgs/:id/import":   orgRow(managers, "GET", "/import", ""),
		"POST /orgs/:id/import":  orgRow(managers, "POST", "/import", malformed),
		"GET /regions":           {who: with(auditorHN, regionXS), in: fixed("GET", "/regions", "")},
		"GET /regions/:code":     {who: with(auditorHN, regionXS), in: fixed("GET", "/regions/330481001000", ""), out: fixed("GET", "/regions/330483000000", "")},
		"GET /audit":             {who: with(adminA, managerSA, auditorHN, regionXS), in: fixed("GET", "/audit", "")},
		"POST /orgs/:id/grants/:grant/revoke": {who: managers,
			in: func(t *testing.T, w *world) call {
				return call{"POST", "/orgs/" + id(w.a.ID) + "/grants/" + id(w.grantFresh(t, w.a.ID, 0)) + "/revoke", ""}
			},
			out: func(t *testing.T, w *world) call {
				return call{"POST", "/orgs/" + id(w.b.ID) + "/grants/" + id(w.grantFresh(t, w.b.ID, 0)) + "/revoke", ""}
			}},
		"POST /orgs/:id/devices/:device/revoke": {who: managers,
			in: func(t *testing.T, w *world) call {
				return call{"POST", "/orgs/" + id(w.a.ID) + "/devices/" + id(w.deviceFresh(t, w.sa.ID)) + "/revoke", ""}
			},
			out: func(t *testing.T, w *world) call {
				return call{"POST", "/orgs/" + id(w.b.ID) + "/devices/" + id(w.deviceFresh(t, w.sb.ID)) + "/revoke", ""}
			}},
	}
}
