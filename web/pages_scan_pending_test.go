package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// A kiosk code opened signed out is checked at once: a forged or expired one is refused there and
// then and nothing is held; a good one is held in the browser (never in a URL) and made once after
// signing in. The held scan, copied back into the browser or into another person's, does nothing.
func TestHeldScanIsMadeOnce(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	clk := &actClock{}
	clk.Set(d.Activities.Now())
	act := newWalkInActivity(t, d, clk, w.a.ID, "河道清洁")
	code, err := d.Activities.KioskCode(context.Background(), act.ID, false)
	if err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, app)
	forged := code.Token[:len(code.Token)-3] + "AAA"
	for _, token := range []string{forged, "i", "o" + strings.Repeat("A", 40)} {
		if r := b.get("/q/" + token); r.status < 400 || r.status >= 500 || b.jar[cookieScanForTest] != "" {
			t.Errorf("a bad code %q: status %d, held %v", token, r.status, b.jar[cookieScanForTest] != "")
		}
	}

	r := b.get("/q/" + code.Token)
	if r.status != 303 || r.location() != "/login?next=/scan" || b.jar[cookieScanForTest] == "" {
		t.Fatalf("a good code signed out: %d → %q, held %v", r.status, r.location(), b.jar[cookieScanForTest] != "")
	}
	if strings.Contains(r.location(), b.jar[cookieScanForTest]) {
		t.Error("the held scan is in the URL")
	}
	held := b.jar[cookieScanForTest]
	if r := b.get("/login?next=/scan"); !strings.Contains(r.body, `id="scan-pending"`) || !strings.Contains(r.body, "河道清洁") {
		t.Errorf("the sign-in page does not tell of the held scan:\n%s", r.body)
	}
	r = b.submit("/login", url.Values{"phone": {worldPhoneOf(volunteer)}, "password": {testPassword}, "next": {"/scan"}})
	if r.status != 303 || r.location() != "/scan" {
		t.Fatalf("signing in: %d → %q", r.status, r.location())
	}
	if r := b.get("/scan"); r.status != 200 || !strings.Contains(r.body, `action="/scan"`) || !strings.Contains(r.body, `id="scan-held"`) {
		t.Fatalf("the held scan's step: %d\n%s", r.status, r.body)
	}
	if r := b.submit("/scan", url.Values{}); r.status != 200 || !strings.Contains(r.body, `data-action="checked_in"`) {
		t.Fatalf("making the held scan: %d\n%s", r.status, r.body)
	}
	if b.jar[cookieScanForTest] != "" {
		t.Error("the held scan was kept after it was made")
	}
	if r := b.submit("/scan", url.Values{}); r.status != 404 || !strings.Contains(r.body, "没有待完成的扫码") {
		t.Errorf("again without a held scan: %d", r.status)
	}

	// The same held scan put back, here and in another volunteer's browser: spent.
	b.jar[cookieScanForTest] = held
	if r := b.submit("/scan", url.Values{}); r.status != 409 || strings.Contains(r.body, `data-ok="true"`) {
		t.Errorf("the held scan made twice: %d", r.status)
	}
	other := newBrowser(t, app)
	if r := other.submit("/login", url.Values{"phone": {worldPhoneOf(coordA)}, "password": {testPassword}}); r.status != 303 {
		t.Fatalf("signing in the other: %d", r.status)
	}
	other.jar[cookieScanForTest] = held
	if r := other.submit("/scan", url.Values{}); r.status != 409 {
		t.Errorf("the held scan in another browser: %d", r.status)
	}
	var n int
	if err := d.DB.Get(&n, `SELECT count(*) FROM attendances WHERE activity_id = $1`, act.ID); err != nil || n != 1 {
		t.Errorf("attendances: %d (%v), want the one", n, err)
	}
}

// cookieScanForTest is the cookie the held scan is kept in.
const cookieScanForTest = "tb_scan"

// An ID number is taken only with consent to the privacy notice; the consent's time and the
// notice's version are kept. Without an ID number the API registers as before.
func TestRegistrationConsent(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	id := residentID("33048119900101123")
	status, body := apiCall(t, app, "", "POST", "/api/v1/register",
		`{"phone":"13900001111","password":"lantern-west-lake-9","name":"陆","resident_id":"`+id+`","code":"`+regCode(t, d, "13900001111")+`"}`)
	if status != 400 || !strings.Contains(fmt.Sprint(body), "privacy_consent") {
		t.Fatalf("an ID number without consent: %d %v", status, body)
	}
	var n int
	if err := d.DB.Get(&n, `SELECT count(*) FROM users WHERE phone = '13900001111'`); err != nil || n != 0 {
		t.Fatalf("refused yet stored: %d %v", n, err)
	}
	status, body = apiCall(t, app, "", "POST", "/api/v1/register",
		`{"phone":"13900001111","password":"lantern-west-lake-9","name":"陆","resident_id":"`+id+`","privacy_consent":true,"code":"`+regCode(t, d, "13900001111")+`"}`)
	if status != 201 {
		t.Fatalf("with consent: %d %v", status, body)
	}
	var notice string
	if err := d.DB.Get(&notice, `SELECT privacy_notice FROM users WHERE phone = '13900001111' AND privacy_consent_at IS NOT NULL`); err != nil || notice == "" {
		t.Errorf("the consent was not kept: %q %v", notice, err)
	}
	if status, body = apiCall(t, app, "", "POST", "/api/v1/register",
		`{"phone":"13900002222","password":"lantern-west-lake-9","name":"周","code":"`+regCode(t, d, "13900002222")+`"}`); status != 201 {
		t.Errorf("without an ID number: %d %v", status, body)
	}
}
