package web

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/activity"
	"timebank/pkg/identity"
	who "timebank/pkg/principal"
)

// actFixtures are the things of organizations A (inside) and B (outside) the activity routes act
// on: a running activity, a closed attendance waiting for verification, a record with an open
// dispute.
type actFixtures struct {
	act, att, rec, dispute [2]int64 // [0] in A, [1] in B
}

var actFixtureCache sync.Map // *world → *actFixtures

// actFixturesOf makes the fixtures of the world once, through the recording service.
func actFixturesOf(t *testing.T, w *world) *actFixtures {
	t.Helper()
	if f, ok := actFixtureCache.Load(w); ok {
		return f.(*actFixtures)
	}
	ctx := context.Background()
	svc := w.d.Activities
	by := &who.Principal{Name: "fixtures"}
	f := &actFixtures{}
	now := time.Now().Truncate(time.Minute)
	for i, orgID := range []int64{w.a.ID, w.b.ID} {
		as, err := svc.CreateActivities(ctx, by, activity.NewActivity{OrgID: orgID, Title: "授权测试活动", Category: "community",
			Address: "社区活动室", StartsAt: now.Add(-10 * time.Minute), EndsAt: now.Add(2 * time.Hour), LeaderName: "测试"})
		if err != nil {
			t.Fatal(err)
		}
		f.act[i] = as[0].ID
		var users [2]int64
		for j := range users {
			u, err := w.d.Users.Register(ctx, identity.Registration{Phone: fmt.Sprintf("137%04d%04d", w.next(), j),
				Password: testPassword, Name: "授权测试"})
			if err != nil {
				t.Fatal(err)
			}
			users[j] = u.ID
			for _, out := range []bool{false, true} {
				code, err := svc.KioskCode(ctx, f.act[i], out)
				if err != nil {
					t.Fatal(err)
				}
				res, err := svc.ScanKiosk(ctx, u.ID, activity.Scan{Token: code.Token})
				if err != nil {
					t.Fatal(err)
				}
				if out {
					if j == 0 {
						f.att[i] = res.Attendance.ID
					} else {
						vr, err := svc.Verify(ctx, by, activity.VerifyRequest{IDs: []int64{res.Attendance.ID}, Action: "approve"})
						if err != nil {
							t.Fatal(err)
						}
						f.rec[i] = vr[0].Record.ID
						d, err := svc.Dispute(ctx, u.ID, f.rec[i], "授权测试")
						if err != nil {
							t.Fatal(err)
						}
						f.dispute[i] = d.ID
					}
				}
			}
		}
	}
	actFixtureCache.Store(w, f)
	return f
}

// activityAuthzEntries are the rows of the authorization table for the activity routes (merge them
// into authzTable).
func activityAuthzEntries() map[string]entry {
	// at builds the in and out calls of a route about a fixture of A or B.
	at := func(method string, path func(f *actFixtures, i int) string, body string) (func(*testing.T, *world) call, func(*testing.T, *world) call) {
		mk := func(i int) func(*testing.T, *world) call {
			return func(t *testing.T, w *world) call { return call{method, path(actFixturesOf(t, w), i), body} }
		}
		return mk(0), mk(1)
	}
	activityPath := func(suffix string) func(f *actFixtures, i int) string {
		return func(f *actFixtures, i int) string { return fmt.Sprintf("/api/v1/activities/%d%s", f.act[i], suffix) }
	}
	row := func(who []string, method string, path func(f *actFixtures, i int) string, body string) entry {
		in, out := at(method, path, body)
		return entry{who: who, in: in, out: out}
	}
	own := func(method string, path func(f *actFixtures, i int) string, body string) entry {
		in, _ := at(method, path, body)
		return entry{who: people, in: in}
	}
	fixedPath := func(p string) func(*actFixtures, int) string { return func(*actFixtures, int) string { return p } }
	kiosk := with(kioskA, coordA, adminA, regionXS)
	readers := with(coordA, adminA, auditorHN, regionXS)
	verifiers := with(coordA, adminA, regionXS)
	orgs := func(method, suffix, body string, who []string) entry {
		return entry{who: who,
			in: func(_ *testing.T, w *world) call {
				return call{method, fmt.Sprintf("/api/v1/orgs/%d%s", w.a.ID, suffix), body}
			},
			out: func(_ *testing.T, w *world) call {
				return call{method, fmt.Sprintf("/api/v1/orgs/%d%s", w.b.ID, suffix), body}
			}}
	}
	newActivity := func(orgID int64) string {
		start := time.Now().Add(24 * time.Hour).Truncate(time.Minute).Format(time.RFC3339)
		end := time.Now().Add(26 * time.Hour).Truncate(time.Minute).Format(time.RFC3339)
		return fmt.Sprintf(`{"org_id":%d,"title":"新活动","category":"elderly","address":"社区","starts_at":%q,"ends_at":%q,"leader_name":"组长"}`,
			orgID, start, end)
	}
	policy := `{"rounding_unit_minutes":15,"grace_minutes":15,"minimum_minutes":30,"daily_cap_minutes":480,"credit_numerator":1,
"credit_denominator":1,"manual_earns_credits":false,"star_thresholds_hours":[100,300,600,1000,1500],"forgotten_checkout_grace_minutes":120}`
	rows := activityChangeAuthzEntries(false)
	maps.Copy(rows, map[string]entry{
		"GET /api/v1/activity-categories": {who: everyone, in: fixed("GET", "/api/v1/activity-categories", "")},
		"POST /api/v1/activities": {who: verifiers,
			in:  func(_ *testing.T, w *world) call { return call{"POST", "/api/v1/activities", newActivity(w.a.ID)} },
			out: func(_ *testing.T, w *world) call { return call{"POST", "/api/v1/activities", newActivity(w.b.ID)} }},
		"GET /api/v1/activities":                   own("GET", fixedPath("/api/v1/activities"), ""),
		"GET /api/v1/activities/:id":               own("GET", activityPath(""), ""),
		"POST /api/v1/activities/:id/signups":      own("POST", activityPath("/signups"), ""),
		"DELETE /api/v1/activities/:id/signups":    own("DELETE", activityPath("/signups"), ""),
		"GET /api/v1/activities/:id/code":          row(kiosk, "GET", activityPath("/code"), ""),
		"POST /api/v1/activities/:id/scans":        row(kiosk, "POST", activityPath("/scans"), malformed),
		"GET /api/v1/activities/:id/attendances":   row(readers, "GET", activityPath("/attendances"), ""),
		"POST /api/v1/activities/:id/manual-hours": row(verifiers, "POST", activityPath("/manual-hours"), malformed),
		"GET /api/v1/orgs/:id/pending-activities":  orgs("GET", "/pending-activities", "", readers),
		"GET /api/v1/orgs/:id/activity-policy":     orgs("GET", "/activity-policy", "", readers),
		"PUT /api/v1/orgs/:id/activity-policy":     orgs("PUT", "/activity-policy", policy, with(adminA, regionXS)),
		"POST /api/v1/scans":                       own("POST", fixedPath("/api/v1/scans"), malformed),
		"GET /api/v1/me/code":                      own("GET", fixedPath("/api/v1/me/code"), ""),
		"GET /api/v1/me/records":                   own("GET", fixedPath("/api/v1/me/records"), ""),
		"GET /api/v1/me/records.csv":               own("GET", fixedPath("/api/v1/me/records.csv"), ""),
		"GET /api/v1/me/records.xlsx":              own("GET", fixedPath("/api/v1/me/records.xlsx"), ""),
		"GET /api/v1/me/signups":                   own("GET", fixedPath("/api/v1/me/signups"), ""),
		"GET /api/v1/me/family":                    own("GET", fixedPath("/api/v1/me/family"), ""),
		"GET /api/v1/records/:id":                  own("GET", func(f *actFixtures, i int) string { return fmt.Sprintf("/api/v1/records/%d", f.rec[i]) }, ""),
		"POST /api/v1/records/:id/disputes":        own("POST", func(f *actFixtures, i int) string { return fmt.Sprintf("/api/v1/records/%d/disputes", f.rec[i]) }, malformed),
		"POST /api/v1/transfers":                   own("POST", fixedPath("/api/v1/transfers"), malformed),
		"POST /api/v1/records/:id/amendments": row(verifiers, "POST",
			func(f *actFixtures, i int) string { return fmt.Sprintf("/api/v1/records/%d/amendments", f.rec[i]) }, malformed),
		"POST /api/v1/disputes/:id/dismiss": row(verifiers, "POST",
			func(f *actFixtures, i int) string { return fmt.Sprintf("/api/v1/disputes/%d/dismiss", f.dispute[i]) }, `{"reason":"核实无误"}`),
		"POST /api/v1/attendances/verify": {who: verifiers,
			in:  func(t *testing.T, w *world) call { return verifyCall(t, w, 0) },
			out: func(t *testing.T, w *world) call { return verifyCall(t, w, 1) }},
	})
	return rows
}

// verifyCall is the verification route's call: its target is in the body.
func verifyCall(t *testing.T, w *world, i int) call {
	t.Helper()
	f := actFixturesOf(t, w)
	return call{"POST", "/api/v1/attendances/verify", fmt.Sprintf(`{"ids":[%d],"action":"approve"}`, f.att[i])}
}

// The activity routes, each against every caller inside and outside the scope, as
// TestAuthorizationTable runs the whole table.
func TestActivityAuthorizationTable(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	table := activityAuthzEntries()

	registered := map[string]bool{}
	for _, r := range app.GetRoutes(true) {
		registered[r.Method+" "+r.Path] = true
		if r.Method != fiber.MethodHead && isActivityRoute(r.Path) {
			if _, ok := table[r.Method+" "+r.Path]; !ok {
				t.Errorf("activity route %s %s has no entry", r.Method, r.Path)
			}
		}
	}
	keys := make([]string, 0, len(table))
	for k := range table {
		if !registered[k] {
			t.Errorf("entry %s is no route", k)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, route := range keys {
		e := table[route]
		for _, who := range everyone {
			st := w.do(t, app, who, e.in(t, w))
			switch allowed := slices.Contains(e.who, who); {
			case allowed && refused(st):
				t.Errorf("%s: %s was refused inside the scope (%d)", route, who, st)
			case !allowed && !refused(st):
				t.Errorf("%s: %s was let through inside the scope (%d)", route, who, st)
			case !allowed && who == anon && st != 401:
				t.Errorf("%s: anonymous got %d, want 401", route, st)
			case st >= 500:
				t.Errorf("%s: %s got %d", route, who, st)
			}
			if e.out == nil {
				continue
			}
			st = w.do(t, app, who, e.out(t, w))
			switch allowed := slices.Contains(admins, who); {
			case allowed && refused(st):
				t.Errorf("%s: %s was refused outside the scope (%d)", route, who, st)
			case !allowed && !refused(st):
				t.Errorf("%s: %s was let through OUTSIDE its scope (%d)", route, who, st)
			}
		}
	}
}

// isActivityRoute reports whether a route is one of activityRoutes'.
func isActivityRoute(p string) bool {
	for _, prefix := range []string{"/api/v1/activit", "/api/v1/scans", "/api/v1/me/code", "/api/v1/me/records",
		"/api/v1/me/signups", "/api/v1/me/family", "/api/v1/records", "/api/v1/disputes", "/api/v1/transfers",
		"/api/v1/attendances", "/api/v1/orgs/:id/pending-activities", "/api/v1/orgs/:id/activity-policy"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}
