package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	who "timebank/pkg/principal"
	"timebank/pkg/servicedesk"
)

// The API of 幸福管家 from the resident's phone to the record: bad input answers 4xx problems and
// writes nothing; a good request goes through once, and its confirmation, replayed, confirms once.
func TestAPIServiceRequests(t *testing.T) {
	t.Parallel()
	box := &texts{sent: map[string][]string{}}
	fapp, d := newTestAppWith(t, func(d services) { d.SMS = box })
	a := svcAPI{app: fapp}
	w := newWorld(t, d)
	code := deskCode(t, d, w)
	anon := []string{"Authorization", ""}
	as := func(who string) []string { return []string{"Authorization", "Bearer " + w.tokens[who]} }
	key := func(k string) []string { return append([]string{"Idempotency-Key", k}, anon...) }

	if r := a.do(t, "POST", "/api/v1/service-requests/sms-codes", `{"phone":"13812340000"}`, anon...); r.Status != fiber.StatusAccepted {
		t.Fatalf("sms code: %s", r)
	}
	sms := box.code("13812340000")
	good := map[string]any{"desk_code": code, "category": "meal", "wanted_at": time.Now().Add(24 * time.Hour).Format(time.RFC3339),
		"address": "东山路 18 号", "phone": "13812340000", "for_self": true, "sms_code": sms}
	body := func(change func(map[string]any)) string {
		m := map[string]any{}
		for k, v := range good {
			m[k] = v
		}
		if change != nil {
			change(m)
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	for name, c := range map[string]struct {
		body    string
		headers []string
		status  int
		slug    string
	}{
		"no key":           {body(nil), anon, 400, "invalid-request"},
		"not json":         {`{"desk_code":`, key("k1"), 400, "invalid-request"},
		"unknown category": {body(func(m map[string]any) { m["category"] = "massage" }), key("k1"), 400, "invalid-request"},
		"bad phone":        {body(func(m map[string]any) { m["phone"] = "12" }), key("k1"), 400, "invalid-request"},
		"far future":       {body(func(m map[string]any) { m["wanted_at"] = "2099-01-01T09:00:00+08:00" }), key("k1"), 400, "invalid-request"},
		"wrong sms code":   {body(func(m map[string]any) { m["sms_code"] = otherSMSCode(sms) }), key("k1"), 422, "sms-code-wrong"},
		"forged desk":      {body(func(m map[string]any) { m["desk_code"] = "d" + code[1:len(code)-2] + "xx" }), key("k1"), 422, "token-invalid"},
	} {
		r := a.do(t, "POST", "/api/v1/service-requests", c.body, c.headers...)
		if r.Status != c.status {
			t.Errorf("%s: %s, want %d %s", name, r, c.status, c.slug)
			continue
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" || !strings.HasSuffix(problemType(r), "/problems/"+c.slug) {
			t.Errorf("%s: %s, want problem %s", name, r, c.slug)
		}
	}
	var n int
	if err := d.DB.Get(&n, `SELECT count(*) FROM service_requests`); err != nil || n != 0 {
		t.Fatalf("%d requests after bad input (%v)", n, err)
	}

	// The good request, and its replay.
	r := a.do(t, "POST", "/api/v1/service-requests", body(nil), key("k2")...)
	if r.Status != fiber.StatusCreated {
		t.Fatalf("create: %s", r)
	}
	var created servicedesk.Created
	r.decode(t, &created)
	if again := a.do(t, "POST", "/api/v1/service-requests", body(nil), key("k2")...); again.Status != 200 ||
		again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %s", again)
	}
	id := strconv.FormatInt(created.Request.ID, 10)
	path := "/api/v1/service-requests/" + id
	visit, _ := d.ServiceDesk.VisitCode(context.Background(), created.Request.ID)
	for _, s := range []struct {
		who, path, body string
		status          int
	}{
		{coordA, path + "/take", "", 200},
		{volunteer, path + "/take", "", 409},
		{volunteer, path + "/start", `{"code":"` + visit.Token + `"}`, 409},
		{coordA, path + "/start", `{"code":"` + visit.Token + `"}`, 200},
		{coordA, path + "/finish", `{"note":"送餐完成"}`, 200},
	} {
		if r := a.do(t, "POST", s.path, s.body, as(s.who)...); r.Status != s.status {
			t.Fatalf("%s %s: %s, want %d", s.who, s.path, r, s.status)
		}
	}
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = a.do(t, "POST", path+"/confirm", `{"access":"`+created.Access+`"}`, anon...).Status
		}()
	}
	wg.Wait()
	for _, st := range statuses {
		if st != 200 {
			t.Fatalf("confirmations answered %v", statuses)
		}
	}
	if err := d.DB.Get(&n, `SELECT count(*) FROM service_records`); err != nil || n != 1 {
		t.Fatalf("%d records after replayed confirmations (%v)", n, err)
	}
	rate := `{"access":"` + created.Access + `","rating":5,"comment":"很好"}`
	if r := a.do(t, "POST", path+"/rate", rate, anon...); r.Status != 200 {
		t.Fatalf("rate: %s", r)
	}
	if r := a.do(t, "POST", path+"/rate", `{"access":"`+created.Access+`","rating":1}`, anon...); r.Status != 409 {
		t.Fatalf("rate again: %s", r)
	}
	if r := a.do(t, "GET", "/api/v1/service-requests/access", "", append([]string{"X-Access-Key", created.Access}, anon...)...); r.Status != 200 ||
		r.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("resident's view: %s", r)
	}
}

// otherSMSCode is a six-digit code other than the one sent.
func otherSMSCode(sent string) string {
	if sent == "000000" {
		return "111111"
	}
	return "000000"
}

// svcAPI sends requests to the app and reads the answers whole.
// deskCode opens a desk of the world's team for its community and returns the desk's printed code.
func deskCode(t *testing.T, d services, w *world) string {
	t.Helper()
	desk, err := d.ServiceDesk.CreateDesk(context.Background(), who.Operator(), servicedesk.NewDesk{OrgID: w.a.ID, RegionCode: w.regionIn, Name: "幸福管家"})
	if err != nil {
		t.Fatal(err)
	}
	code, err := d.ServiceDesk.Code(desk)
	if err != nil {
		t.Fatal(err)
	}
	return code.Token
}

type svcAPI struct{ app *fiber.App }

type svcReply struct {
	Status int
	Header http.Header
	Raw    []byte
}

func (r svcReply) String() string { return fmt.Sprintf("%d %s", r.Status, r.Raw) }

func (r svcReply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Raw, v); err != nil {
		t.Fatalf("%v: %s", err, r)
	}
}

func (a svcAPI) do(t *testing.T, method, path, body string, headers ...string) svcReply {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] != "" {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := a.app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return svcReply{Status: resp.StatusCode, Header: resp.Header, Raw: b}
}

func problemType(r svcReply) string {
	var p struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(r.Raw, &p)
	return p.Type
}
