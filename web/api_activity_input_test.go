package web

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"timebank/pkg/activity"
	"timebank/pkg/qr"
	"timebank/web/api"
)

// Every way a scanned code can be wrong has its own problem, in the caller's language, and none is
// a server error.
func TestActivityAPIRefusesBadCodes(t *testing.T) {
	t.Parallel()
	app, d, clk := newActivityApp(t)
	w := newWorld(t, d)
	a := actCreate(t, app, w.tokens[coordA], w.a.ID, "垃圾分类")
	b := actCreate(t, app, w.tokens[coordA], w.a.ID, "另一场")
	clk.Set(actDay)
	kiosk := func(id int64) activity.Code {
		var c activity.Code
		actDo(t, app, w.tokens[kioskA], "GET", fmt.Sprintf("/api/v1/activities/%d/code", id), nil).into(t, 200, &c)
		return c
	}
	good, other := kiosk(a.ID), kiosk(b.ID)
	var member activity.Code
	actDo(t, app, w.tokens[volunteer], "GET", "/api/v1/me/code", nil).into(t, 200, &member)
	foreign, err := qr.NewSignerFromSecret([]byte("not our secret, but long enough"))
	if err != nil {
		t.Fatal(err)
	}
	forged, _, _ := foreign.Kiosk(qr.CheckIn, a.ID, clk.Now())
	pickup, _, _ := d.Codes.Issue(qr.Pickup, 9, 1, clk.Now().Add(time.Hour))
	scanPath := fmt.Sprintf("/api/v1/activities/%d/scans", a.ID)
	for _, c := range []struct {
		name, who, path, token string
		status                 int
		slug                   string
	}{
		{"forged", volunteer, "/api/v1/scans", forged, 422, "token-invalid"},
		{"cut in half", volunteer, "/api/v1/scans", good.Token[:len(good.Token)/2], 400, "token-malformed"},
		{"cut to whole bytes", volunteer, "/api/v1/scans", good.Token[:1+(len(good.Token)-2)/4*4], 422, "token-invalid"},
		{"not a code", volunteer, "/api/v1/scans", "https://example.com/q/%00", 400, "token-malformed"},
		{"member code at the self-scan", volunteer, "/api/v1/scans", member.Token, 422, "token-wrong-type"},
		{"pickup code at the kiosk", kioskA, scanPath, pickup, 422, "token-wrong-type"},
		{"another activity's code at the kiosk", kioskA, scanPath, other.Token, 422, "token-wrong-activity"},
		{"this activity's code at the kiosk", kioskA, scanPath, good.Token, 422, "token-wrong-type"},
	} {
		for _, lang := range []string{"zh-CN", "en"} {
			r := actDo(t, app, w.tokens[c.who], "POST", c.path, map[string]string{"token": c.token}, "Accept-Language", lang)
			t.Run(c.name+" "+lang, func(t *testing.T) { r.isProblem(t, c.status, c.slug, lang == "zh-CN") })
		}
	}
	actDo(t, app, w.tokens[volunteer], "POST", "/api/v1/scans", map[string]any{"token": good.URL, "activity_id": b.ID}).
		isProblem(t, 422, "token-wrong-activity", true)
	actDo(t, app, w.tokens[kioskA], "POST", scanPath, map[string]string{"token": member.URL}).into(t, 200, &activity.ScanResult{})
	actDo(t, app, w.tokens[kioskA], "POST", scanPath, map[string]string{"token": member.URL}).isProblem(t, 409, "token-used", true)
	clk.Set(actDay.Add(5 * time.Minute))
	actDo(t, app, w.tokens[volunteer], "POST", "/api/v1/scans", map[string]string{"token": good.Token}).isProblem(t, 422, "token-expired", true)
	actDo(t, app, w.tokens[coordA], "GET", fmt.Sprintf("/api/v1/activities/%d/code?kind=sideways", a.ID), nil).isProblem(t, 400, "invalid-request", true)
}

// Hours added by hand through the API: the one who added them cannot approve them.
func TestActivityAPIManualHours(t *testing.T) {
	t.Parallel()
	app, d, clk := newActivityApp(t)
	w := newWorld(t, d)
	a := actCreate(t, app, w.tokens[coordA], w.a.ID, "应急演练")
	clk.Set(a.EndsAt.Add(time.Hour))
	path := fmt.Sprintf("/api/v1/activities/%d/manual-hours", a.ID)
	actDo(t, app, w.tokens[coordA], "POST", path, map[string]any{"volunteer_no": w.spare.VolunteerNo, "minutes": 200, "reason": "手机没电"}).
		isProblem(t, 400, "invalid-request", true)
	var att activity.Attendance
	actDo(t, app, w.tokens[coordA], "POST", path, map[string]any{"volunteer_no": w.spare.VolunteerNo, "minutes": 90, "reason": "手机没电"}).into(t, 201, &att)
	verify := map[string]any{"ids": []int64{att.ID}, "action": "approve"}
	actDo(t, app, w.tokens[coordA], "POST", "/api/v1/attendances/verify", verify).isProblem(t, 409, "second-approver-required", true)
	var res api.VerifyResponse
	actDo(t, app, w.tokens[adminA], "POST", "/api/v1/attendances/verify", verify).into(t, 200, &res)
	if r := res.Results[0].Record; r == nil || r.Kind != "manual" || r.Minutes != 90 || r.Credits != 0 {
		t.Fatalf("manual record: %+v", res.Results[0])
	}
}

// Malformed and hostile input gets a 4xx problem, never a 500.
func TestActivityAPIBadInput(t *testing.T) {
	t.Parallel()
	app, d, clk := newActivityApp(t)
	w := newWorld(t, d)
	a := actCreate(t, app, w.tokens[coordA], w.a.ID, "读书会")
	clk.Set(actDay)
	act := fmt.Sprintf("/api/v1/activities/%d", a.ID)
	for _, c := range []struct {
		who, method, path string
		body              any
		header            []string
	}{
		{coordA, "POST", "/api/v1/activities", `{"org_id":"one"}`, nil},
		{coordA, "POST", "/api/v1/activities", `{"org_id":1,"starts_at":"tomorrow"}`, nil},
		{coordA, "POST", "/api/v1/activities", map[string]any{"org_id": w.a.ID, "title": strings.Repeat("长", 101)}, nil},
		{coordA, "POST", "/api/v1/activities", map[string]any{"org_id": 999999}, nil},
		{coordA, "POST", "/api/v1/activities", map[string]any{"org_id": w.a.ID, "latitude": 1e308}, nil},
		{volunteer, "GET", "/api/v1/activities?near=north", nil, nil},
		{volunteer, "GET", "/api/v1/activities?near=91,0", nil, nil},
		{volunteer, "GET", "/api/v1/activities?limit=-1", nil, nil},
		{volunteer, "GET", "/api/v1/activities?limit=99999", nil, nil},
		{volunteer, "GET", "/api/v1/activities?cursor=%27;drop", nil, nil},
		{volunteer, "GET", "/api/v1/activities?org=0", nil, nil},
		{volunteer, "GET", "/api/v1/activities/0", nil, nil},
		{volunteer, "GET", "/api/v1/activities/99999999", nil, nil},
		{volunteer, "GET", "/api/v1/activities/99999999999999999999", nil, nil},
		{volunteer, "POST", act + "/signups", nil, nil},
		{volunteer, "DELETE", act + "/signups", nil, nil},
		{volunteer, "POST", "/api/v1/scans", `{"token":""}`, nil},
		{volunteer, "POST", "/api/v1/scans", `{"token":"x","position":{"lat":"north"}}`, nil},
		{volunteer, "POST", "/api/v1/scans", `{"token":"` + strings.Repeat("A", 5000) + `"}`, nil},
		{volunteer, "POST", "/api/v1/scans", `[]`, nil},
		{coordA, "POST", "/api/v1/attendances/verify", `{"ids":[],"action":"approve"}`, nil},
		{coordA, "POST", "/api/v1/attendances/verify", `{"ids":[-1],"action":"approve"}`, nil},
		{coordA, "POST", "/api/v1/attendances/verify", `{"ids":[1],"action":"approve","minutes":-5}`, nil},
		{coordA, "POST", "/api/v1/attendances/verify", `{"ids":[123456],"action":"approve"}`, nil},
		{coordA, "GET", act + "/attendances?after=x", nil, nil},
		{coordA, "GET", act + "/attendances?limit=5000", nil, nil},
		{coordA, "POST", act + "/manual-hours", `{"volunteer_no":"V000000000","minutes":30,"reason":"x"}`, nil},
		{adminA, "PUT", fmt.Sprintf("/api/v1/orgs/%d/activity-policy", w.a.ID), `{"rounding_unit_minutes":7}`, nil},
		{volunteer, "GET", "/api/v1/me/records?after=-3", nil, nil},
		{volunteer, "GET", "/api/v1/records/77777", nil, nil},
		{volunteer, "POST", "/api/v1/records/77777/disputes", `{"reason":"x"}`, nil},
		{coordA, "POST", "/api/v1/records/77777/amendments", `{"revision":1,"minutes":1,"reason":"x"}`, nil},
		{coordA, "POST", "/api/v1/disputes/77777/dismiss", `{"reason":"x"}`, nil},
		{volunteer, "POST", "/api/v1/transfers", `{"to":"family","amount":10}`, []string{"Idempotency-Key", "k1"}},
		{volunteer, "POST", "/api/v1/transfers", `{"to":"family","volunteer_no":"V999","name":"无此人","relationship":"child","amount":10}`, []string{"Idempotency-Key", "k2"}},
		{volunteer, "POST", "/api/v1/transfers", `{"to":"pool","amount":1e30}`, []string{"Idempotency-Key", "k3"}},
		{volunteer, "POST", "/api/v1/transfers", `{"to":"pool","amount":5}`, []string{"Idempotency-Key", "ключ"}},
	} {
		r := actDo(t, app, w.tokens[c.who], c.method, c.path, c.body, c.header...)
		if r.status < 400 || r.status >= 500 || r.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s %v: %s", c.method, c.path, c.body, r)
		}
	}
}
