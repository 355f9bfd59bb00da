package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"timebank/pkg/identity"
	"timebank/pkg/servicedesk"
)

// A grid worker (网格员) through the API: granted by the street's administrator, they ask for a
// registry person of their street without an SMS code, read the care board masked, and confirm the
// service done (once, however often); a grid worker of another street can do none of it. At the
// door the person's card starts the request and another person's does not; a door code past its
// time is refused in the caller's language.
func TestAPIGridWorker(t *testing.T) {
	t.Parallel()
	fapp, d := newTestApp(t)
	a := svcAPI{app: fapp}
	w := newWorld(t, d)
	ctx := context.Background()
	code := deskCode(t, d, w)
	as := func(token string, more ...string) []string {
		return append([]string{"Authorization", "Bearer " + token}, more...)
	}
	gridOf := func(region, phone, granter string) string {
		if _, err := d.Users.Register(ctx, identity.Registration{Phone: phone, Password: testPassword, Name: "网格员"}); err != nil {
			t.Fatal(err)
		}
		body := fmt.Sprintf(`{"phone":%q,"role":"grid_worker"}`, phone)
		if r := a.do(t, "POST", "/api/v1/regions/"+region+"/admins", body, as(w.tokens[granter])...); r.Status != 201 {
			t.Fatalf("grant a grid worker of %s: %s", region, r)
		}
		u, err := d.Users.ByPhone(ctx, phone)
		if err != nil {
			t.Fatal(err)
		}
		token, err := d.Sessions.Create(ctx, u.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	grid := gridOf(w.regionIn, "13600000001", regionXS)
	stranger := gridOf(w.regionOu, "13600000002", platform)
	var wang, li int64
	for _, p := range []*int64{&wang, &li} {
		if err := d.DB.Get(p, `INSERT INTO care_people (region_code, categories, colour, name_masked, name_sealed, key_version,
    consent_of, consent_by, consent_at, created_by) VALUES ($1, ARRAY['alone'], 'red', '王*', '\x0001'::bytea, 1, 'self', '王阿婆', now(), 'test')
RETURNING id`, w.regionIn); err != nil {
			t.Fatal(err)
		}
	}
	board := "/api/v1/communities/" + w.regionIn + "/care-board"
	if r := a.do(t, "GET", board, "", as(grid)...); r.Status != 200 || strings.Contains(string(r.Raw), "王阿婆") {
		t.Fatalf("the grid worker's board: %s", r)
	}
	if r := a.do(t, "GET", board, "", as(stranger)...); r.Status != 403 {
		t.Fatalf("another street's grid worker's board: %s", r)
	}
	if r := a.do(t, "GET", "/api/v1/care/people/"+strconv.FormatInt(wang, 10)+"?unmask=true", "", as(grid)...); r.Status != 403 {
		t.Fatalf("a grid worker unmasked a registry person: %s", r)
	}

	// The pages ask the same check: the grid worker's form on the desk's code needs no SMS code and
	// asks the resident's name, another street's grid worker's form is a resident's; the home page
	// leads the grid worker to the board.
	for _, c := range []struct {
		phone        string
		behalf, grid bool
	}{{"13600000001", true, true}, {"13600000002", false, false}} {
		b := newBrowser(t, fapp)
		if r := b.submit("/login", url.Values{"phone": {c.phone}, "password": {testPassword}}); r.status != 303 {
			t.Fatalf("log-in of %s: %d", c.phone, r.status)
		}
		form := b.get("/q/" + code)
		if form.status != 200 || strings.Contains(form.body, `name="sms_code"`) != !c.behalf || strings.Contains(form.body, `name="name"`) != c.behalf {
			t.Errorf("the form on the desk's code for %s (on behalf: %v): %d\n%s", c.phone, c.behalf, form.status, form.body)
		}
		if home := b.get("/"); strings.Contains(home.body, `href="/communities/`+w.regionIn+`/care-board"`) != c.grid {
			t.Errorf("the home page of %s leads to the board: %v", c.phone, !c.grid)
		}
	}

	ask := func(token, key string, person int64) svcReply {
		m := map[string]any{"desk_code": code, "category": "meal", "wanted_at": time.Now().Add(time.Hour).Format(time.RFC3339),
			"address": "东山路 18 号", "phone": "13812340001", "for_self": false, "name": "钱桂英"}
		if person != 0 {
			m["care_person_id"] = person
		}
		b, _ := json.Marshal(m)
		return a.do(t, "POST", "/api/v1/service-requests", string(b), as(token, "Idempotency-Key", key)...)
	}
	if r := ask(stranger, "s1", 0); r.Status != 400 || !strings.Contains(string(r.Raw), "sms_code") {
		t.Fatalf("another street's grid worker asked without a code: %s", r)
	}
	r := ask(grid, "g1", wang)
	if r.Status != 201 {
		t.Fatalf("the grid worker's request: %s", r)
	}
	var created servicedesk.Created
	r.decode(t, &created)
	path := "/api/v1/service-requests/" + strconv.FormatInt(created.Request.ID, 10)
	liCard, _, _ := d.Care.Card(ctx, li)
	wangCard, _, _ := d.Care.Card(ctx, wang)
	for _, s := range []struct {
		who, path, body string
		status          int
	}{
		{w.tokens[coordA], path + "/take", "", 200},
		{w.tokens[coordA], path + "/start", `{"code":"` + liCard + `"}`, 400},
		{w.tokens[coordA], path + "/start", `{"code":"` + wangCard + `"}`, 200},
		{w.tokens[coordA], path + "/finish", `{"note":"送餐完成"}`, 200},
		{stranger, path + "/confirm", `{}`, 403},
		{grid, path + "/confirm", `{}`, 200},
		{grid, path + "/confirm", `{}`, 200},
	} {
		if r := a.do(t, "POST", s.path, s.body, as(s.who)...); r.Status != s.status {
			t.Fatalf("%s: %s, want %d", s.path, r, s.status)
		}
	}
	var n int
	if err := d.DB.Get(&n, `SELECT count(*) FROM service_requests WHERE id = $1 AND confirmed_via = 'grid_worker'
  AND record_id IS NOT NULL`, created.Request.ID); err != nil || n != 1 {
		t.Fatalf("the grid worker's confirmation is not recorded (%v)", err)
	}
	if err := d.DB.Get(&n, `SELECT count(*) FROM service_records`); err != nil || n != 1 {
		t.Fatalf("%d records after a replayed confirmation (%v)", n, err)
	}

	// A door code whose request's time is long past.
	r = ask(grid, "g2", 0)
	if r.Status != 201 {
		t.Fatalf("second request: %s", r)
	}
	r.decode(t, &created)
	path = "/api/v1/service-requests/" + strconv.FormatInt(created.Request.ID, 10)
	if created.Request.Name != "钱桂英" {
		t.Fatalf("the resident's name on the request: %s", r)
	}
	door, err := d.ServiceDesk.VisitCode(ctx, created.Request.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := a.do(t, "POST", path+"/take", "", as(w.tokens[coordA])...); r.Status != 200 {
		t.Fatalf("take: %s", r)
	}
	if _, err := d.DB.Exec(`UPDATE service_requests SET wanted_at = now() - interval '8 days' WHERE id = $1`, created.Request.ID); err != nil {
		t.Fatal(err)
	}
	r = a.do(t, "POST", path+"/start", `{"code":"`+door.Token+`"}`, as(w.tokens[coordA], "Accept-Language", "zh-CN")...)
	if r.Status != 422 || !strings.HasSuffix(problemType(r), "/problems/service-visit-expired") || !strings.Contains(string(r.Raw), "上门码已失效") {
		t.Fatalf("an expired door code: %s", r)
	}
}
