package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/identity"
	who "timebank/pkg/principal"
)

// The authorization table: every route of the app, who may call it inside a scope, and (for
// routes that act at a place) that nobody but the platform's administrators may call it at a place
// outside their scopes. A route added without an entry here fails TestAuthorizationTable.

// Callers of the table. Inside means organization A (in 硖石街道, 海宁市) and its store SA; outside
// means organization B (in 桐乡市) and its store SB.
const (
	anon         = "anonymous"
	volunteer    = "volunteer of A"
	coordA       = "coordinator of A"
	adminA       = "org admin of A"
	clerkSA      = "clerk of SA"
	managerSA    = "store manager of SA"
	auditorHN    = "auditor of 海宁市"
	regionXS     = "region admin of 硖石街道"
	platform     = "platform admin"
	kioskA       = "kiosk device of A"
	counterSA    = "counter device of SA"
	operatorTok  = "operator token"
	testPassword = "Qiantang-river-2026"
)

var everyone = []string{anon, volunteer, coordA, adminA, clerkSA, managerSA, auditorHN, regionXS, platform, kioskA, counterSA, operatorTok}

// people are the callers that are persons (they have a session).
var people = []string{volunteer, coordA, adminA, clerkSA, managerSA, auditorHN, regionXS, platform}

// admins are those who act everywhere.
var admins = []string{platform, operatorTok}

func with(extra ...string) []string { return append(slices.Clone(admins), extra...) }

// authzTable is the table, by "METHOD /route/:param".
func authzTable() map[string]entry {
	get := func(p string) func(*testing.T, *world) call { return fixed("GET", p, "") }
	post := func(p string) func(*testing.T, *world) call { return fixed("POST", p, malformed) }
	ledgerOnly := func(c func(*testing.T, *world) call) entry { return entry{who: admins, in: c} }
	orgPath := func(method, suffix, body string, inside bool) func(*testing.T, *world) call {
		return func(_ *testing.T, w *world) call {
			o := w.b.ID
			if inside {
				o = w.a.ID
			}
			return call{method, "/api/v1/orgs/" + id(o) + suffix, body}
		}
	}
	table := map[string]entry{
		"GET /healthz":             {who: everyone, in: get("/healthz")},
		"GET /readyz":              {who: everyone, in: get("/readyz")},
		"GET /metrics":             {who: everyone, in: get("/metrics")},
		"GET /api/v1/openapi.json": {who: everyone, in: get("/api/v1/openapi.json")},

		"POST /api/v1/accounts":                 ledgerOnly(post("/api/v1/accounts")),
		"GET /api/v1/accounts/:code":            ledgerOnly(get("/api/v1/accounts/vol:1")),
		"GET /api/v1/accounts/:code/balance":    ledgerOnly(get("/api/v1/accounts/vol:1/balance")),
		"GET /api/v1/accounts/:code/entries":    ledgerOnly(get("/api/v1/accounts/vol:1/entries")),
		"POST /api/v1/transactions":             ledgerOnly(post("/api/v1/transactions")),
		"GET /api/v1/transactions/:id":          ledgerOnly(get("/api/v1/transactions/1")),
		"POST /api/v1/transactions/:id/reverse": ledgerOnly(post("/api/v1/transactions/1/reverse")),
		"POST /api/v1/holds":                    ledgerOnly(post("/api/v1/holds")),
		"GET /api/v1/holds/:id":                 ledgerOnly(get("/api/v1/holds/1")),
		"POST /api/v1/holds/:id/commit":         ledgerOnly(post("/api/v1/holds/1/commit")),
		"POST /api/v1/holds/:id/void":           ledgerOnly(post("/api/v1/holds/1/void")),

		"POST /api/v1/register/code":           {who: everyone, in: post("/api/v1/register/code")},
		"POST /api/v1/register":                {who: everyone, in: post("/api/v1/register")},
		"POST /api/v1/login":                   {who: everyone, in: post("/api/v1/login")},
		"POST /api/v1/password-resets":         {who: everyone, in: post("/api/v1/password-resets")},
		"POST /api/v1/password-resets/confirm": {who: everyone, in: post("/api/v1/password-resets/confirm")},
		"POST /api/v1/orgs/:id/members/:user/password-reset": {who: with(coordA, adminA, regionXS),
			in: memberReset("/api/v1/orgs/", "/password-reset", true), out: memberReset("/api/v1/orgs/", "/password-reset", false)},
		"POST /api/v1/logout":      {who: everyone, in: post("/api/v1/logout"), ends: true},
		"GET /api/v1/me":           {who: people, in: get("/api/v1/me")},
		"POST /api/v1/me/password": {who: people, in: post("/api/v1/me/password")},
		"POST /api/v1/me/lang":     {who: people, in: post("/api/v1/me/lang")},

		"POST /api/v1/regions": {who: with(regionXS),
			in: func(_ *testing.T, w *world) call {
				return call{"POST", "/api/v1/regions", fmt.Sprintf(`{"code":"330481001%03d","name":"新社区"}`, w.next())}
			},
			out: func(_ *testing.T, w *world) call {
				return call{"POST", "/api/v1/regions", fmt.Sprintf(`{"code":"330483001%03d","name":"新社区"}`, w.next())}
			}},
		"GET /api/v1/regions/:code": {who: with(regionXS, auditorHN),
			in: get("/api/v1/regions/330481001000"), out: get("/api/v1/regions/330483000000")},
		"POST /api/v1/regions/:code/admins": {who: with(regionXS),
			in: post("/api/v1/regions/330481001000/admins"), out: post("/api/v1/regions/330483001000/admins")},
		"POST /api/v1/orgs": {who: with(regionXS, adminA),
			in: func(_ *testing.T, w *world) call {
				return call{"POST", "/api/v1/orgs", fmt.Sprintf(`{"name":"服务队%d","region_code":"%s","status":"filed","filed_by":"%s","parent_id":%d}`,
					w.next(), w.regionIn, w.regionIn, w.a.ID)}
			},
			out: func(_ *testing.T, w *world) call {
				return call{"POST", "/api/v1/orgs", fmt.Sprintf(`{"name":"服务队%d","region_code":"%s","status":"filed","filed_by":"%s","parent_id":%d}`,
					w.next(), w.regionOu, w.regionOu, w.b.ID)}
			}},
		"GET /api/v1/orgs/:id":          {who: with(coordA, adminA, auditorHN, regionXS), in: orgPath("GET", "", "", true), out: orgPath("GET", "", "", false)},
		"GET /api/v1/orgs/:id/members":  {who: with(coordA, adminA, auditorHN, regionXS), in: orgPath("GET", "/members", "", true), out: orgPath("GET", "/members", "", false)},
		"POST /api/v1/orgs/:id/members": {who: with(adminA, regionXS), in: orgPath("POST", "/members", malformed, true), out: orgPath("POST", "/members", malformed, false)},
		"GET /api/v1/orgs/:id/devices":  {who: with(adminA, regionXS), in: orgPath("GET", "/devices", "", true), out: orgPath("GET", "/devices", "", false)},
		"POST /api/v1/orgs/:id/imports": {who: with(adminA, regionXS), in: orgPath("POST", "/imports", malformed, true), out: orgPath("POST", "/imports", malformed, false)},
		"POST /api/v1/grants/:id/revoke": {who: with(adminA, regionXS),
			in: func(t *testing.T, w *world) call {
				return call{"POST", "/api/v1/grants/" + id(w.grantFresh(t, w.a.ID, 0)) + "/revoke", ""}
			},
			out: func(t *testing.T, w *world) call {
				return call{"POST", "/api/v1/grants/" + id(w.grantFresh(t, w.b.ID, 0)) + "/revoke", ""}
			}},
		"POST /api/v1/stores": {who: with(adminA, regionXS),
			in: func(_ *testing.T, w *world) call {
				return call{"POST", "/api/v1/stores", fmt.Sprintf(`{"org_id":%d,"name":"分仓%d"}`, w.a.ID, w.next())}
			},
			out: func(_ *testing.T, w *world) call {
				return call{"POST", "/api/v1/stores", fmt.Sprintf(`{"org_id":%d,"name":"分仓%d"}`, w.b.ID, w.next())}
			}},
		"GET /api/v1/stores/:id": {who: with(clerkSA, counterSA, managerSA, adminA, auditorHN, regionXS),
			in:  func(_ *testing.T, w *world) call { return call{"GET", "/api/v1/stores/" + id(w.sa.ID), ""} },
			out: func(_ *testing.T, w *world) call { return call{"GET", "/api/v1/stores/" + id(w.sb.ID), ""} }},
		"POST /api/v1/device-tokens": {who: with(managerSA, adminA, regionXS),
			in: func(_ *testing.T, w *world) call {
				return call{"POST", "/api/v1/device-tokens", fmt.Sprintf(`{"scope":"store:%d","role":"counter","label":"二号台"}`, w.sa.ID)}
			},
			out: func(_ *testing.T, w *world) call {
				return call{"POST", "/api/v1/device-tokens", fmt.Sprintf(`{"scope":"store:%d","role":"counter","label":"二号台"}`, w.sb.ID)}
			}},
		"POST /api/v1/device-tokens/:id/revoke": {who: with(managerSA, adminA, regionXS),
			in: func(t *testing.T, w *world) call {
				return call{"POST", "/api/v1/device-tokens/" + id(w.deviceFresh(t, w.sa.ID)) + "/revoke", ""}
			},
			out: func(t *testing.T, w *world) call {
				return call{"POST", "/api/v1/device-tokens/" + id(w.deviceFresh(t, w.sb.ID)) + "/revoke", ""}
			}},
		"GET /api/v1/audit": {who: with(adminA, managerSA, auditorHN, regionXS), in: get("/api/v1/audit")},

		"GET /api/v1/me/balance":        {who: people, in: get("/api/v1/me/balance")},
		"GET /api/v1/me/balance/events": {who: people, in: fixed("GET", "/api/v1/me/balance/events", ""), stream: true},

		// Pages: anyone may open the public ones; the rest are a signed-in person's own.
		"GET /static/*":         {who: everyone, in: get("/static/app.css")},
		"GET /":                 {who: everyone, in: get("/")},
		"GET /register":         {who: everyone, in: get("/register")},
		"POST /register/code":   {who: everyone, in: post("/register/code")},
		"POST /register":        {who: everyone, in: post("/register")},
		"GET /login":            {who: everyone, in: get("/login")},
		"GET /privacy":          {who: everyone, in: get("/privacy")},
		"GET /password/forgot":  {who: everyone, in: get("/password/forgot")},
		"POST /password/forgot": {who: everyone, in: post("/password/forgot")},
		"GET /password/reset":   {who: everyone, in: get("/password/reset")},
		"POST /password/reset":  {who: everyone, in: post("/password/reset")},
		"POST /orgs/:id/members/:user/reset": {who: with(coordA, adminA, regionXS),
			in: memberReset("/orgs/", "/reset", true), out: memberReset("/orgs/", "/reset", false)},
		"POST /login":       {who: everyone, in: post("/login")},
		"POST /logout":      {who: everyone, in: post("/logout"), ends: true},
		"POST /lang":        {who: everyone, in: post("/lang")},
		"GET /me":           {who: people, in: get("/me")},
		"POST /me/password": {who: people, in: post("/me/password")},
		"GET /me/balance":   {who: people, in: get("/me/balance")},
	}
	// Each area of the service keeps its rows beside its tests.
	for _, part := range []func() map[string]entry{activityAuthzEntries, storeAuthzTable, orgPagesAuthzTable, storePagesAuthzTable,
		activityPageAuthzEntries, deviceAuthzEntries, storePhotoAuthzEntries, storeAidAuthzEntries, notificationsAuthzEntries,
		certificateAuthzEntries, rulesAuthzEntries, exportAuthzEntries, reportAuthzEntries, serviceRequestAuthzEntries, careAuthzEntries,
		regionGrantAuthzEntries} {
		for k, v := range part() {
			if _, dup := table[k]; dup {
				panic("authorization table: two rows for " + k)
			}
			table[k] = v
		}
	}
	return table
}

// do sends the call as the caller and returns the status; for a stream, 200 when the response is
// still running after a second.
func (w *world) do(t *testing.T, app *fiber.App, who string, c call, stream ...bool) int {
	t.Helper()
	st, _ := w.answer(t, app, who, c, stream...)
	return st
}

// answer is do with the answer's headers (none for a stream still running).
func (w *world) answer(t *testing.T, app *fiber.App, who string, c call, stream ...bool) (int, http.Header) {
	t.Helper()
	req := httptest.NewRequest(c.method, c.path, bytes.NewBufferString(c.body))
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if tok := w.tokens[who]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	timeout := -1
	if len(stream) > 0 && stream[0] {
		timeout = 1000
	}
	resp, err := app.Test(req, timeout)
	if err != nil && timeout > 0 && strings.Contains(err.Error(), "timeout") {
		return 200, nil
	}
	if err != nil {
		t.Fatalf("%s %s as %s: %v", c.method, c.path, who, err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

// refused reports whether a status means the caller was not let through.
func refused(status int) bool { return status == 401 || status == 403 }

func TestAuthorizationTable(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	table := authzTable()

	// Every route the app registers has an entry, and every entry is a registered route.
	registered := map[string]bool{}
	for _, r := range app.GetRoutes(true) {
		if r.Method == fiber.MethodHead || r.Method == "USE" {
			continue
		}
		registered[r.Method+" "+r.Path] = true
	}
	var missing, stale []string
	for k := range registered {
		if _, ok := table[k]; !ok {
			missing = append(missing, k)
		}
	}
	for k := range table {
		if !registered[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 || len(stale) > 0 {
		t.Fatalf("routes without an entry in the authorization table: %v\nentries for routes that do not exist: %v", missing, stale)
	}

	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, route := range keys {
		e := table[route]
		for _, who := range everyone {
			kept := w.tokens[who]
			if e.ends && w.users[who] != 0 {
				tok, err := d.Sessions.Create(context.Background(), w.users[who], true)
				if err != nil {
					t.Fatal(err)
				}
				w.tokens[who] = tok
			}
			st, header := w.answer(t, app, who, e.in(t, w), e.stream)
			w.tokens[who] = kept
			// What a route that is not public answers is about the caller: no cache keeps it.
			if !slices.Contains(e.who, anon) && st < 300 && header != nil && header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: %s got %d with Cache-Control %q, want no-store", route, who, st, header.Get("Cache-Control"))
			}
			switch allowed := slices.Contains(e.who, who); {
			case allowed && refused(st):
				t.Errorf("%s: %s was refused inside the scope (%d)", route, who, st)
			case !allowed && !refused(st):
				t.Errorf("%s: %s was let through inside the scope (%d)", route, who, st)
			case !allowed && who == anon && st != 401:
				t.Errorf("%s: anonymous got %d, want 401", route, st)
			}
			if e.out == nil {
				continue
			}
			st = w.do(t, app, who, e.out(t, w), e.stream)
			switch allowed := slices.Contains(admins, who); {
			case allowed && refused(st):
				t.Errorf("%s: %s was refused outside the scope (%d)", route, who, st)
			case !allowed && !refused(st):
				t.Errorf("%s: %s was let through OUTSIDE its scope (%d)", route, who, st)
			}
		}
	}
}

// A session token given to a browser (a cookie) is not accepted as a bearer token, a revoked device
// is refused at once, and a token with a broken signature never reaches Redis's data.
func TestBearerTokensAreChecked(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	u, err := d.Users.ByPhone(context.Background(), "13800000001")
	if err != nil {
		t.Fatal(err)
	}
	cookieToken, err := d.Sessions.Create(context.Background(), u.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	w.tokens["cookie as bearer"] = cookieToken
	w.tokens["forged"] = strings.ToUpper(w.tokens[coordA])
	w.tokens["not a token"] = "hello"
	for _, who := range []string{"cookie as bearer", "forged", "not a token"} {
		if st := w.do(t, app, who, call{"GET", "/api/v1/me", ""}); st != 401 {
			t.Errorf("%s: GET /api/v1/me answered %d, want 401", who, st)
		}
	}
	devID := w.deviceFresh(t, w.sa.ID)
	_, tok, err := d.Users.CreateDevice(context.Background(), identity.Change{Actor: who.Operator()}, access.Counter, 0, w.sa.ID, "三号台")
	if err != nil {
		t.Fatal(err)
	}
	w.tokens["device"] = tok
	storePath := call{"GET", "/api/v1/stores/" + id(w.sa.ID), ""}
	if st := w.do(t, app, "device", storePath); st != 200 {
		t.Fatalf("a fresh counter device reading its store: %d", st)
	}
	list, _ := d.Users.Devices(context.Background(), w.a.ID)
	for _, dv := range list {
		if dv.ID != devID && dv.Label == "三号台" {
			if err := d.Users.RevokeDevice(context.Background(), identity.Change{Actor: who.Operator()}, dv.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if st := w.do(t, app, "device", storePath); st != 401 {
		t.Fatalf("a revoked device reading its store: %d, want 401", st)
	}
}

// memberReset is the call that issues a reset code to the spare person (a member of neither
// organization, so an allowed caller is answered not-member) at organization A, or B outside.
func memberReset(prefix, suffix string, inside bool) func(*testing.T, *world) call {
	return func(_ *testing.T, w *world) call {
		o := w.b.ID
		if inside {
			o = w.a.ID
		}
		return call{"POST", prefix + id(o) + "/members/" + id(w.spare.ID) + suffix, ""}
	}
}
