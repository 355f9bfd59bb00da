package web

import (
	"context"
	"testing"

	"timebank/pkg/access"
	"timebank/pkg/identity"
	who "timebank/pkg/principal"
)

// regionGrantAuthzEntries are the rows of the roles held at a region node, JSON routes and pages
// alike: those who manage the node (its administrators, the platform's), inside at 硖石街道 and
// outside at 梧桐街道.
func regionGrantAuthzEntries() map[string]entry {
	managers := with(regionXS)
	at := func(method, prefix, suffix, body string) entry {
		return entry{who: managers,
			in:  fixed(method, prefix+"330481001000"+suffix, body),
			out: fixed(method, prefix+"330483001000"+suffix, body)}
	}
	revoke := func(prefix, suffix string) entry {
		call := func(inside bool) func(*testing.T, *world) call {
			return func(t *testing.T, w *world) call {
				code := w.regionOu
				if inside {
					code = w.regionIn
				}
				return call{"POST", prefix + code + suffix + id(w.regionGrantFresh(t, code)) + "/revoke", ""}
			}
		}
		return entry{who: managers, in: call(true), out: call(false)}
	}
	return map[string]entry{
		"GET /api/v1/regions/:code/admins":                at("GET", "/api/v1/regions/", "/admins", ""),
		"POST /api/v1/regions/:code/admins/:grant/revoke": revoke("/api/v1/regions/", "/admins/"),
		"GET /regions/:code/roles":                        at("GET", "/regions/", "/roles", ""),
		"POST /regions/:code/roles":                       at("POST", "/regions/", "/roles", malformed),
		"GET /regions/:code/roles/:grant/revoke": {who: managers,
			in: func(t *testing.T, w *world) call {
				return call{"GET", "/regions/" + w.regionIn + "/roles/" + id(w.regionGrantFresh(t, w.regionIn)) + "/revoke", ""}
			},
			out: func(t *testing.T, w *world) call {
				return call{"GET", "/regions/" + w.regionOu + "/roles/" + id(w.regionGrantFresh(t, w.regionOu)) + "/revoke", ""}
			}},
		"POST /regions/:code/roles/:grant/revoke": revoke("/regions/", "/roles/"),
	}
}

// regionGrantFresh makes a person of its own (registered on first use) a grid worker of the region
// node, or finds them one already, for a revocation to take away.
func (w *world) regionGrantFresh(t *testing.T, code string) int64 {
	t.Helper()
	ctx := context.Background()
	if w.gridSpare.ID == 0 {
		u, err := w.d.Users.Register(ctx, identity.Registration{Phone: "13900000099", Password: testPassword, Name: "待任网格员"})
		if err != nil {
			t.Fatal(err)
		}
		w.gridSpare = u
	}
	id, err := w.d.Users.Grant(ctx, identity.Change{Actor: who.Operator()}, w.gridSpare.ID,
		access.Grant{Role: access.GridWorker, Kind: access.Region, RegionCode: code})
	if err != nil {
		t.Fatal(err)
	}
	return id
}
