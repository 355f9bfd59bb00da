package web

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"timebank/pkg/sms"
)

// texts is an SMS sender that keeps what it was asked to send, for the test to read the codes.
type texts struct {
	mu   sync.Mutex
	sent map[string][]string // phone → messages
}

func (x *texts) Send(_ context.Context, phone, text string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.sent[phone] = append(x.sent[phone], text)
	return nil
}

// code returns the code of the last message sent to the phone, "" for none.
func (x *texts) code(phone string) string {
	x.mu.Lock()
	defer x.mu.Unlock()
	m := x.sent[phone]
	if len(m) == 0 {
		return ""
	}
	return regexp.MustCompile(`\d{6}`).FindString(m[len(m)-1])
}

// Self-service reset by SMS: a registered number and an unknown one get the same answer, only the
// registered one gets a code, the code sets a new password once and signs the person out
// everywhere, and a wrong code is refused.
func TestPasswordResetBySMS(t *testing.T) {
	t.Parallel()
	box := &texts{sent: map[string][]string{}}
	app, d := newTestAppWith(t, func(d services) { d.SMS = box })
	w := newWorld(t, d)
	phone := worldPhoneOf(volunteer)

	s1, known := apiCall(t, app, "", "POST", "/api/v1/password-resets", `{"phone":"`+phone+`"}`)
	s2, unknown := apiCall(t, app, "", "POST", "/api/v1/password-resets", `{"phone":"13711112222"}`)
	if s1 != 202 || s2 != 202 || fmt.Sprint(known) != fmt.Sprint(unknown) {
		t.Fatalf("the answers tell the numbers apart: %d %v / %d %v", s1, known, s2, unknown)
	}
	code := box.code(phone)
	if code == "" || box.code("13711112222") != "" {
		t.Fatalf("codes sent: %v", box.sent)
	}
	if s, _ := apiCall(t, app, "", "POST", "/api/v1/password-resets/confirm",
		`{"phone":"`+phone+`","code":"000000","new_password":"a-new-morning-2027"}`); s != 400 || code == "000000" {
		t.Errorf("a wrong code: %d", s)
	}
	if s, body := apiCall(t, app, "", "POST", "/api/v1/password-resets/confirm",
		`{"phone":"`+phone+`","code":"`+code+`","new_password":"a-new-morning-2027"}`); s != 204 {
		t.Fatalf("the right code: %d %v", s, body)
	}
	if s, _ := apiCall(t, app, w.tokens[volunteer], "GET", "/api/v1/me", ""); s != 401 {
		t.Errorf("the old session after a reset: %d, want 401", s)
	}
	if s, _ := apiCall(t, app, "", "POST", "/api/v1/login", `{"phone":"`+phone+`","password":"a-new-morning-2027"}`); s != 200 {
		t.Errorf("signing in with the new password: %d", s)
	}
	if s, _ := apiCall(t, app, "", "POST", "/api/v1/password-resets/confirm",
		`{"phone":"`+phone+`","code":"`+code+`","new_password":"another-evening-2027"}`); s != 400 {
		t.Errorf("the code used twice: %d", s)
	}
	if s, _ := apiCall(t, app, "", "POST", "/api/v1/password-resets", `{"phone":`); s != 400 {
		t.Errorf("malformed: %d", s)
	}
}

// Without a gateway in production nothing is sent, and every number gets the same 503.
func TestPasswordResetWithoutSMS(t *testing.T) {
	t.Parallel()
	app, d := newTestAppWith(t, func(d services) { d.SMS = sms.Off{} })
	newWorld(t, d)
	for _, phone := range []string{worldPhoneOf(volunteer), "13711112222"} {
		if s, body := apiCall(t, app, "", "POST", "/api/v1/password-resets", `{"phone":"`+phone+`"}`); s != 503 || body["type"] == nil ||
			!strings.HasSuffix(fmt.Sprint(body["type"]), "/sms-unavailable") {
			t.Errorf("%s: %d %v", phone, s, body)
		}
	}
}

// The staff's reset code: a coordinator issues one to a volunteer of the organization, shown once;
// not to the organization's admin (a role the coordinator may not manage), nor to someone who is
// not a member; the admin may reset the coordinator. The person sets a new password with it.
func TestStaffResetCodeAPI(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	path := func(o, u int64) string { return fmt.Sprintf("/api/v1/orgs/%d/members/%d/password-reset", o, u) }
	s, body := apiCall(t, app, w.tokens[coordA], "POST", path(w.a.ID, w.users[volunteer]), "")
	if s != 201 || body["code"] == nil || body["expires_at"] == nil {
		t.Fatalf("the coordinator resets a volunteer: %d %v", s, body)
	}
	if s, body := apiCall(t, app, w.tokens[coordA], "POST", path(w.a.ID, w.users[adminA]), ""); s != 403 ||
		!strings.HasSuffix(fmt.Sprint(body["type"]), "/reset-above") {
		t.Errorf("the coordinator resets the admin: %d %v", s, body)
	}
	if s, _ := apiCall(t, app, w.tokens[coordA], "POST", path(w.a.ID, w.spare.ID), ""); s != 404 {
		t.Errorf("a person who is not a member: %d", s)
	}
	if s, _ := apiCall(t, app, w.tokens[coordA], "POST", path(w.b.ID, w.users[volunteer]), ""); s != 403 {
		t.Errorf("at another organization: %d", s)
	}
	if s, _ := apiCall(t, app, w.tokens[adminA], "POST", path(w.a.ID, w.users[coordA]), ""); s != 201 {
		t.Errorf("the admin resets the coordinator: %d", s)
	}
	var audited int
	if err := d.DB.Get(&audited, `SELECT count(*) FROM audit_log WHERE action = 'user.reset_issue'`); err != nil || audited != 2 {
		t.Errorf("audited issues: %d (%v)", audited, err)
	}
	if s, _ := apiCall(t, app, "", "POST", "/api/v1/password-resets/confirm", `{"phone":"`+worldPhoneOf(volunteer)+
		`","code":"`+strings.ToLower(fmt.Sprint(body["code"]))+`","new_password":"hangzhou-spring-2027"}`); s != 204 {
		t.Errorf("the volunteer uses the staff's code: %d", s)
	}
}

// The pages: sign-in links to recovery, the forgot page sends and goes on to the reset form either
// way, the reset form keeps what was typed when the passwords differ, and a coordinator's
// organization page offers a reset code that is shown once.
func TestPasswordResetPages(t *testing.T) {
	t.Parallel()
	box := &texts{sent: map[string][]string{}}
	app, d := newTestAppWith(t, func(d services) { d.SMS = box })
	w := newWorld(t, d)
	b := newBrowser(t, app)
	if r := b.get("/login"); !strings.Contains(r.body, `href="/password/forgot"`) {
		t.Error("the sign-in page does not link to recovery")
	}
	for _, phone := range []string{worldPhoneOf(volunteer), "13711112222"} {
		if r := b.submit("/password/forgot", url.Values{"phone": {phone}}); r.status != 303 || r.location() != "/password/reset?notice=reset-sent" {
			t.Errorf("forgot %s: %d → %q", phone, r.status, r.location())
		}
	}
	r := b.submit("/password/reset", url.Values{"phone": {worldPhoneOf(volunteer)}, "code": {"123456"},
		"new_password": {"one-long-password-1"}, "confirm_password": {"two-long-password-2"}})
	if r.status != 422 || !strings.Contains(r.body, `id="f-confirm_password-error"`) || !strings.Contains(r.body, `value="123456"`) {
		t.Errorf("mismatched passwords: %d", r.status)
	}
	r = b.submit("/password/reset", url.Values{"phone": {worldPhoneOf(volunteer)}, "code": {box.code(worldPhoneOf(volunteer))},
		"new_password": {"one-long-password-1"}, "confirm_password": {"one-long-password-1"}})
	if r.status != 303 || r.location() != "/login?notice=password-reset" {
		t.Fatalf("reset: %d → %q\n%s", r.status, r.location(), r.body)
	}

	coord := newBrowser(t, app)
	if r := coord.submit("/login", url.Values{"phone": {worldPhoneOf(coordA)}, "password": {testPassword}}); r.status != 303 {
		t.Fatalf("coordinator sign-in: %d", r.status)
	}
	page := coord.get(fmt.Sprintf("/orgs/%d", w.a.ID))
	if !strings.Contains(page.body, fmt.Sprintf(`data-testid="reset-%d"`, w.users[volunteer])) {
		t.Fatal("the organization page offers the coordinator no reset")
	}
	r = coord.submit(fmt.Sprintf("/orgs/%d/members/%d/reset", w.a.ID, w.users[volunteer]), url.Values{})
	code := regexp.MustCompile(`id="issued-code"[^>]*>([^<]+)<`).FindStringSubmatch(r.body)
	if r.status != 200 || code == nil || strings.Contains(r.body, worldPhoneOf(volunteer)) {
		t.Fatalf("the issued code: %d\n%s", r.status, r.body)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("the code's page may be cached: %q", r.header.Get("Cache-Control"))
	}
}
