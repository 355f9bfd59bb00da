package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"timebank/pkg/identity"
)

// regCode is the registration code the service sends to the number now: a test reads it here
// instead of from an SMS.
func regCode(t *testing.T, d services, phone string) string {
	t.Helper()
	p, err := identity.NormalizePhone(phone)
	if err != nil {
		t.Fatal(err)
	}
	return d.Users.RegistrationCode(p, time.Now())
}

// wrongCode is a code that is not the number's, now nor in the ten minutes before.
func wrongCode(t *testing.T, d services, phone string) string {
	t.Helper()
	for n := 0; ; n++ {
		c := fmt.Sprintf("%06d", n)
		if d.Users.CheckRegistrationCode(phone, c, time.Now()) != nil {
			return c
		}
	}
}

// Registration tells nobody but the number's holder whether the number is registered: asking a
// code for a registered number and for a new one gets the same answer (status, headers, body) and
// the same page; the new number is sent its code and the registered one a notice with the way to
// reset the password, never a code; registering either with a code that is not theirs gets the
// same refusal. Only the new number's holder, with its code, registers.
func TestRegistrationSaysNothingOfTheNumber(t *testing.T) {
	t.Parallel()
	box := &texts{sent: map[string][]string{}}
	app, d := newTestAppWith(t, func(d services) { d.SMS = box })
	const taken, fresh = "13712340001", "13712340002"
	if _, err := d.Users.Register(context.Background(), identity.Registration{Phone: taken, Name: "甲", Password: testPass}); err != nil {
		t.Fatal(err)
	}
	call := func(path, body string) (int, string, string) {
		t.Helper()
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", "zh-CN")
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(raw)
	}
	s1, ct1, b1 := call("/api/v1/register/code", `{"phone":"`+taken+`"}`)
	s2, ct2, b2 := call("/api/v1/register/code", `{"phone":"`+fresh+`"}`)
	if s1 != 202 || s1 != s2 || ct1 != ct2 || b1 != b2 {
		t.Fatalf("asking a code tells the numbers apart: %d %s %s / %d %s %s", s1, ct1, b1, s2, ct2, b2)
	}
	code := box.code(fresh)
	if code == "" || code != regCode(t, d, fresh) {
		t.Fatalf("the new number's code: %q in %v", code, box.sent[fresh])
	}
	notice := box.sent[taken]
	if len(notice) != 1 || box.code(taken) != "" || !strings.Contains(notice[0], "/password/forgot") ||
		!strings.Contains(notice[0], "已注册") {
		t.Fatalf("the registered number's notice: %v", notice)
	}

	// Registering with a code that is not the number's: the same refusal, field for field.
	register := func(phone, code string) (int, string, map[string]any) {
		t.Helper()
		s, ct, raw := call("/api/v1/register", fmt.Sprintf(`{"phone":%q,"password":"quiet-harbour-2026","name":"乙","code":%q}`, phone, code))
		var p map[string]any
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			t.Fatalf("%d %s", s, raw)
		}
		delete(p, "instance") // the request's own id
		delete(p, "request_id")
		return s, ct, p
	}
	s1, ct1, p1 := register(taken, wrongCode(t, d, taken))
	s2, ct2, p2 := register(fresh, wrongCode(t, d, fresh))
	if s1 != 400 || s1 != s2 || ct1 != ct2 || fmt.Sprint(p1) != fmt.Sprint(p2) ||
		!strings.HasSuffix(fmt.Sprint(p1["type"]), "/problems/registration-code") {
		t.Fatalf("a wrong code tells the numbers apart: %d %v / %d %v", s1, p1, s2, p2)
	}
	if s, _, raw := call("/api/v1/register", `{"phone":"`+fresh+`","password":"quiet-harbour-2026","name":"乙","code":"`+code+`"}`); s != 201 {
		t.Fatalf("the new number with its code: %d %s", s, raw)
	}

	// The pages say no more than the API: the second step looks the same for both numbers.
	b := newBrowser(t, app)
	page := func(phone string) (int, string) {
		r := b.submit("/register/code", url.Values{"phone": {phone}})
		return r.status, strings.NewReplacer(phone, "PHONE", identity.MaskPhone(phone), "MASKED").Replace(r.body)
	}
	const other = "13712340003"
	st1, page1 := page(taken)
	st2, page2 := page(other)
	if st1 != 200 || st1 != st2 || page1 != page2 || !strings.Contains(page1, `name="code"`) {
		t.Errorf("the code step tells the numbers apart: %d / %d\n%s\n---\n%s", st1, st2, page1, page2)
	}
}
