package web

import "testing"

// rulesAuthzEntries are the rows of the rules kept as data in the authorization table: the public
// holidays (read by anyone signed in, entered by the platform's administrators), and the credit
// policies of the platform, a region (硖石街道 inside, 桐乡市 outside) and an organization, with the
// organization's policy page, and the pages of the platform's and a region's credit policies.
func rulesAuthzEntries() map[string]entry {
	at := func(method, inside, outside, body string) func(who []string) entry {
		return func(who []string) entry {
			e := entry{who: who, in: fixed(method, inside, body)}
			if outside != "" {
				e.out = fixed(method, outside, body)
			}
			return e
		}
	}
	org := func(method, prefix, suffix, body string, who []string) entry {
		path := func(inside bool) func(*testing.T, *world) call {
			return func(_ *testing.T, w *world) call {
				o := w.b.ID
				if inside {
					o = w.a.ID
				}
				return call{method, prefix + id(o) + suffix, body}
			}
		}
		return entry{who: who, in: path(true), out: path(false)}
	}
	readers := with(coordA, adminA, auditorHN, regionXS)
	managers := with(adminA, regionXS)
	return map[string]entry{
		"GET /api/v1/holidays/:year":              at("GET", "/api/v1/holidays/2026", "", "")(people),
		"PUT /api/v1/holidays/:year":              at("PUT", "/api/v1/holidays/2027", "", malformed)(admins),
		"GET /api/v1/credit-policy":               at("GET", "/api/v1/credit-policy", "", "")(people),
		"PUT /api/v1/credit-policy":               at("PUT", "/api/v1/credit-policy", "", malformed)(admins),
		"GET /api/v1/regions/:code/credit-policy": at("GET", "/api/v1/regions/330481001000/credit-policy", "/api/v1/regions/330483000000/credit-policy", "")(with(auditorHN, regionXS)),
		"PUT /api/v1/regions/:code/credit-policy": at("PUT", "/api/v1/regions/330481001000/credit-policy", "/api/v1/regions/330483000000/credit-policy", malformed)(with(regionXS)),
		"GET /api/v1/orgs/:id/credit-policy":      org("GET", "/api/v1/orgs/", "/credit-policy", "", readers),
		"PUT /api/v1/orgs/:id/credit-policy":      org("PUT", "/api/v1/orgs/", "/credit-policy", malformed, managers),

		"GET /admin/holidays":           at("GET", "/admin/holidays", "", "")(admins),
		"POST /admin/holidays":          at("POST", "/admin/holidays", "", malformed)(admins),
		"GET /orgs/:id/policy":          org("GET", "/orgs/", "/policy", "", managers),
		"POST /orgs/:id/policy/hours":   org("POST", "/orgs/", "/policy/hours", malformed, managers),
		"POST /orgs/:id/policy/credits": org("POST", "/orgs/", "/policy/credits", malformed, managers),

		"GET /admin/credit-policy":          at("GET", "/admin/credit-policy", "", "")(admins),
		"POST /admin/credit-policy":         at("POST", "/admin/credit-policy", "", malformed)(admins),
		"GET /regions/:code/credit-policy":  at("GET", "/regions/330481001000/credit-policy", "/regions/330483000000/credit-policy", "")(with(regionXS)),
		"POST /regions/:code/credit-policy": at("POST", "/regions/330481001000/credit-policy", "/regions/330483000000/credit-policy", malformed)(with(regionXS)),
	}
}
