package web

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"timebank/pkg/chinatime"
)

// A member code image is a fresh single-use code each time, as SVG or PNG; a silly size is refused.
func TestMemberCodePage(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	newWorld(t, d)
	vol := actSignIn(t, app, volunteer)
	actWantPage(t, "member code page", vol.get("/me/code"), 200, `id="member-code-img"`, `data-refresh-ms="30000"`)
	a, b := vol.get("/me/code/image"), vol.get("/me/code/image")
	if a.status != 200 || !strings.HasPrefix(a.body, "<svg") || a.body == b.body || a.header.Get("Cache-Control") != "no-store" {
		t.Errorf("two member code images: %d %q, same: %v", a.status, a.header.Get("Cache-Control"), a.body == b.body)
	}
	if p := vol.get("/me/code/image?format=png&size=512"); p.status != 200 || !strings.HasPrefix(p.body, "\x89PNG") {
		t.Errorf("PNG: %d", p.status)
	}
	for _, q := range []string{"size=1", "size=abc", "format=gif"} {
		if r := vol.get("/me/code/image?" + q); r.status != 400 {
			t.Errorf("?%s: %d, want 400", q, r.status)
		}
	}
	if r := newBrowser(t, app).get("/me/code/image"); r.status != 303 {
		t.Errorf("a visitor's member code: %d", r.status)
	}
}

// The activities near a point are those within the radius, with their distance; a point that is
// not one is refused, and "near me" without a point asks the browser.
func TestActivitiesNearPage(t *testing.T) {
	t.Parallel()
	app, d, clk := newActivityApp(t)
	w := newWorld(t, d)
	clk.Set(time.Now())
	coord := actSignIn(t, app, coordA)
	start := time.Now().Add(26 * time.Hour).In(chinatime.Zone())
	if r := coord.submit("/activities", url.Values{"org_id": {id(w.a.ID)}, "title": {"河道清洁"}, "category": {"environment"},
		"address": {"洛塘河"}, "date": {start.Format("2006-01-02")}, "starts_at": {start.Format("15:04")},
		"ends_at": {start.Add(2 * time.Hour).Format("15:04")}, "leader_name": {"李"}, "latitude": {"30.53"},
		"longitude": {"120.69"}, "radius_m": {"200"}, "repeat_weekly_until": {start.AddDate(0, 0, 14).Format("2006-01-02")}}); r.status != 303 ||
		!strings.Contains(r.location(), "n=3") {
		t.Fatalf("a weekly series: %d %q", r.status, r.location())
	}
	other := actSignIn(t, app, clerkSA) // in no organization: "mine" is empty, "near" is not
	actWantPage(t, "mine, in no organization", other.get("/activities"), 200, `id="activities-empty"`)
	actWantPage(t, "near me, asking", other.get("/activities?show=near"), 200, `id="near-locate"`)
	near := other.get("/activities?show=near&near=30.54,120.69")
	actWantPage(t, "near", near, 200, "河道清洁", "1.1 km")
	if n := strings.Count(near.body, `class="activity"`); n != 3 {
		t.Errorf("%d activities near, want the 3 of the series", n)
	}
	actWantPage(t, "far", other.get("/activities?show=near&near=31.23,121.47"), 200, `id="activities-empty"`)
	if r := other.get("/activities?show=near&near=91,0"); r.status != 400 {
		t.Errorf("a point off the Earth: %d", r.status)
	}
}
