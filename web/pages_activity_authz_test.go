package web

import (
	"context"
	"fmt"
	"maps"
	"testing"
)

// activityPageAuthzEntries are the rows of the authorization table for the pages of earning hours
// (merged into authzTable). Pages about an activity act at its organization: A's fixture inside, B's
// outside (see actFixturesOf).
func activityPageAuthzEntries() map[string]entry {
	about := func(method, suffix, body string) (func(*testing.T, *world) call, func(*testing.T, *world) call) {
		mk := func(i int) func(*testing.T, *world) call {
			return func(t *testing.T, w *world) call {
				return call{method, fmt.Sprintf("/activities/%d%s", actFixturesOf(t, w).act[i], suffix), body}
			}
		}
		return mk(0), mk(1)
	}
	at := func(who []string, method, suffix, body string) entry {
		in, out := about(method, suffix, body)
		return entry{who: who, in: in, out: out}
	}
	own := func(method, path, body string) entry { return entry{who: people, in: fixed(method, path, body)} }
	record := func(suffix, method, body string) entry {
		return entry{who: people, in: func(t *testing.T, w *world) call {
			return call{method, fmt.Sprintf("/me/records/%d%s", actFixturesOf(t, w).rec[0], suffix), body}
		}}
	}
	kiosk := with(kioskA, coordA, adminA, regionXS)
	signup, _ := about("POST", "/signup", malformed)
	cancel, _ := about("POST", "/cancel", malformed)
	rows := activityFixAuthzEntries()
	maps.Copy(rows, activityChangeAuthzEntries(true))
	maps.Copy(rows, map[string]entry{
		// A scanned code opens for anyone: a visitor is sent to log in, a receipt is checked for all.
		"GET /q/:token": {who: everyone, in: func(t *testing.T, w *world) call {
			code, err := w.d.Activities.KioskCode(context.Background(), actFixturesOf(t, w).act[0], false)
			if err != nil {
				t.Fatal(err)
			}
			return call{"GET", "/q/" + code.Token, ""}
		}},
		"POST /q/:token":               own("POST", "/q/iNotAToken", malformed),
		"GET /scan":                    own("GET", "/scan", ""),
		"POST /scan":                   own("POST", "/scan", malformed),
		"GET /activities":              own("GET", "/activities?show=all", ""),
		"POST /activities/:id/signup":  {who: people, in: signup},
		"POST /activities/:id/cancel":  {who: people, in: cancel},
		"GET /me/activities":           own("GET", "/me/activities", ""),
		"GET /me/records":              own("GET", "/me/records", ""),
		"GET /me/records/:id":          record("", "GET", ""),
		"POST /me/records/:id/dispute": record("/dispute", "POST", malformed),
		"GET /me/code":                 own("GET", "/me/code", ""),
		"GET /me/code/image":           own("GET", "/me/code/image", ""),
		"GET /me/transfer":             own("GET", "/me/transfer", ""),
		"POST /me/transfer":            own("POST", "/me/transfer", malformed),

		"GET /activities/manage": {who: with(coordA, adminA, auditorHN, regionXS), in: fixed("GET", "/activities/manage", "")},
		"GET /activities/new":    {who: with(coordA, adminA, regionXS), in: fixed("GET", "/activities/new", "")},
		// The organization is in the form: TestActivityPagesRefuseOutside posts one outside the scope.
		"POST /activities":                 {who: with(coordA, adminA, regionXS), in: fixed("POST", "/activities", malformed)},
		"GET /activities/:id/kiosk":        at(kiosk, "GET", "/kiosk", ""),
		"GET /activities/:id/kiosk/code":   at(kiosk, "GET", "/kiosk/code", ""),
		"GET /activities/:id/kiosk/status": at(kiosk, "GET", "/kiosk/status", ""),
		"GET /activities/:id/queue":        at(with(coordA, adminA, auditorHN, regionXS), "GET", "/queue", ""),
		"POST /activities/:id/verify":      at(with(coordA, adminA, regionXS), "POST", "/verify", malformed),
	})
	return rows
}
