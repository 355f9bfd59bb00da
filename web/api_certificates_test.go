package web

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/pkg/identity"
	who "timebank/pkg/principal"
	"timebank/web/api"
)

// certEarn records verified service through the recording service on the test's clock: an
// activity of the organization on actDay 09:00–12:00, the user scanning in at its start and out two
// hours later, the coordinator approving. It returns the record's minutes.
func certEarn(t *testing.T, d services, clk *actClock, orgID, userID int64, title string) int64 {
	t.Helper()
	ctx := context.Background()
	by := &who.Principal{Name: "张协调"}
	as, err := d.Activities.CreateActivities(ctx, by, activity.NewActivity{OrgID: orgID, Title: title, Category: "elderly",
		Content: "陪老人聊天、读报", Address: "海宁市硖石街道东山社区敬老院", StartsAt: actDay, EndsAt: actDay.Add(3 * time.Hour), LeaderName: "王队长"})
	if err != nil {
		t.Fatal(err)
	}
	var att int64
	for _, at := range []time.Time{actDay.Add(-5 * time.Minute), actDay.Add(2 * time.Hour)} {
		clk.Set(at)
		code, err := d.Activities.KioskCode(ctx, as[0].ID, at.After(actDay))
		if err != nil {
			t.Fatal(err)
		}
		res, err := d.Activities.ScanKiosk(ctx, userID, activity.Scan{Token: code.Token})
		if err != nil {
			t.Fatal(err)
		}
		att = res.Attendance.ID
	}
	vr, err := d.Activities.Verify(ctx, by, activity.VerifyRequest{IDs: []int64{att}, Action: "approve"})
	if err != nil {
		t.Fatal(err)
	}
	return vr[0].Record.Minutes
}

// certPerson registers a person holding role at the organization (none when role is empty) and
// returns their id and bearer token.
func certPerson(t *testing.T, d services, w *world, name string, role access.Role, orgID int64) (int64, string) {
	t.Helper()
	ctx := context.Background()
	u, err := d.Users.Register(ctx, identity.Registration{Phone: fmt.Sprintf("134%08d", w.next()), Password: testPassword, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if role != "" {
		if _, err := d.Users.Grant(ctx, identity.Change{Actor: who.Operator()}, u.ID, access.Grant{Role: role, Kind: access.Org, OrgID: orgID}); err != nil {
			t.Fatal(err)
		}
	}
	tok, err := d.Sessions.Create(ctx, u.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID, tok
}

// certCount counts the rows of a table of certificates.
func certCount(t *testing.T, d services, table string) int {
	t.Helper()
	var n int
	if err := d.DB.Get(&n, `SELECT count(*) FROM `+table); err != nil {
		t.Fatal(err)
	}
	return n
}

// tamper changes one character of a code in the middle, keeping it base64url.
func tamper(token string) string {
	b := []byte(token)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// The whole path of a certificate over HTTP: the volunteer asks (bad input refused, nothing kept),
// the coordinator of another organization and another volunteer are refused, the coordinator
// issues it with a 经办人, the volunteer and the coordinator read it and download its PDF, anyone
// verifies its code (a changed character is not genuine, through the API and the check page), the
// well-known key checks it offline, and a revocation shows on the check page with its reason.
func TestCertificateAPIFlow(t *testing.T) {
	t.Parallel()
	app, d, clk := newActivityApp(t)
	w := newWorld(t, d)
	coord := w.tokens[coordA]
	volID, vol := certPerson(t, d, w, "王秀英", access.Volunteer, w.a.ID)
	_, coordB := certPerson(t, d, w, "梧桐协调员", access.Coordinator, w.b.ID)
	_, stranger := certPerson(t, d, w, "别的志愿者", access.Volunteer, w.a.ID)
	minutes := certEarn(t, d, clk, w.a.ID, volID, "敬老院陪伴")
	if minutes <= 0 {
		t.Fatalf("earned %d minutes", minutes)
	}

	// Bad requests: 400 naming the field in the caller's language, or 422 for another organization's
	// service; nothing recorded.
	for _, c := range []struct {
		body   string
		status int
		slug   string
		field  string
	}{
		{`{"org":0,"purpose":"school"}`, 400, "invalid-request", "org"},
		{fmt.Sprintf(`{"org":%d,"purpose":"loan"}`, w.a.ID), 400, "invalid-request", "purpose"},
		{fmt.Sprintf(`{"org":%d,"purpose":"school","from":"2025-01-01"}`, w.a.ID), 400, "invalid-request", "to"},
		{fmt.Sprintf(`{"org":%d,"purpose":"school","from":"2025-12-01","to":"2025-01-01"}`, w.a.ID), 400, "invalid-request", "to"},
		{fmt.Sprintf(`{"org":%d,"purpose":"school","extra":1}`, w.a.ID), 400, "invalid-request", "extra"},
		{fmt.Sprintf(`{"org":%d,"purpose":"school"}`, w.b.ID), 422, "nothing-to-certify", ""},
	} {
		p := actDo(t, app, vol, "POST", "/api/v1/certificate-requests", c.body).isProblem(t, c.status, c.slug, true)
		if c.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != c.field || !containsHan(p.Errors[0].Message)) {
			t.Errorf("%s: errors %+v", c.body, p.Errors)
		}
	}
	actDo(t, app, vol, "POST", "/api/v1/certificate-requests", fmt.Sprintf(`{"org":%d,"purpose":"loan"}`, w.a.ID),
		"Accept-Language", "en").isProblem(t, 400, "invalid-request", false)
	if n := certCount(t, d, "certificate_requests"); n != 0 {
		t.Fatalf("%d requests after the refusals", n)
	}

	var req struct {
		ID     int64     `json:"id"`
		Status string    `json:"status"`
		DueAt  time.Time `json:"due_at"`
	}
	actDo(t, app, vol, "POST", "/api/v1/certificate-requests", fmt.Sprintf(`{"org":%d,"purpose":"school","purpose_note":"高校报名"}`, w.a.ID)).into(t, 201, &req)
	if req.Status != "requested" || !req.DueAt.After(time.Now()) {
		t.Fatalf("request: %+v", req)
	}
	actDo(t, app, vol, "POST", "/api/v1/certificate-requests", fmt.Sprintf(`{"org":%d,"purpose":"other"}`, w.a.ID)).isProblem(t, 409, "certificate-request-open", true)
	var queue api.CertificateRequestsPage
	actDo(t, app, coord, "GET", fmt.Sprintf("/api/v1/orgs/%d/certificate-requests?status=requested", w.a.ID), nil).into(t, 200, &queue)
	if len(queue.Requests) != 1 || queue.Requests[0].ID != req.ID || queue.Requests[0].PurposeNote != "高校报名" {
		t.Fatalf("queue: %+v", queue)
	}
	actDo(t, app, coordB, "GET", fmt.Sprintf("/api/v1/orgs/%d/certificate-requests", w.a.ID), nil).isProblem(t, 403, "forbidden", true)

	// Issue: refused to another organization's coordinator and to the volunteer; refused without a
	// 负责人 (none was named before), leaving the request waiting; then issued.
	issue := fmt.Sprintf("/api/v1/certificate-requests/%d/issue", req.ID)
	actDo(t, app, coordB, "POST", issue, `{"responsible_name":"李会长"}`).isProblem(t, 403, "forbidden", true)
	actDo(t, app, vol, "POST", issue, `{"responsible_name":"李会长"}`).isProblem(t, 403, "forbidden", true)
	p := actDo(t, app, coord, "POST", issue, `{"handler":"周经办"}`).isProblem(t, 400, "invalid-request", true)
	if len(p.Errors) != 1 || p.Errors[0].Field != "responsible_name" {
		t.Errorf("issue without a 负责人: %+v", p)
	}
	if n := certCount(t, d, "certificates"); n != 0 || certCount(t, d, "certificate_requests WHERE status = 'requested'") != 1 {
		t.Fatalf("%d certificates after the refusals", n)
	}
	var cert api.CertificateView
	r := actDo(t, app, coord, "POST", issue, `{"handler":"周经办","responsible_name":"李会长","notes":"仅供升学使用"}`)
	r.into(t, 201, &cert)
	year := time.Now().In(actCST).Year()
	if cert.Number != fmt.Sprintf("%d-%d-00001", year, w.a.ID) || cert.HandlerName != "周经办" || cert.TotalMinutes != minutes ||
		cert.VerifyURL != d.Config.BaseURL+"/c/"+cert.Token || cert.Hours == "" || len(cert.Records) != 1 || cert.UserID != volID {
		t.Fatalf("issued: %+v", cert)
	}
	if loc := r.header.Get("Location"); loc != fmt.Sprintf("/api/v1/certificates/%d", cert.ID) {
		t.Errorf("Location %q", loc)
	}
	actDo(t, app, coord, "POST", issue, `{}`).isProblem(t, 409, "certificate-request-closed", true)

	// Reading: the volunteer and the organization's coordinator; not another volunteer, nor another
	// organization's coordinator.
	self := fmt.Sprintf("/api/v1/certificates/%d", cert.ID)
	for _, tok := range []string{vol, coord} {
		var got api.CertificateView
		actDo(t, app, tok, "GET", self, nil).into(t, 200, &got)
		if got.Number != cert.Number || got.PersonName != cert.PersonName {
			t.Errorf("read: %+v", got)
		}
	}
	for _, tok := range []string{stranger, coordB} {
		actDo(t, app, tok, "GET", self, nil).isProblem(t, 403, "forbidden", true)
		actDo(t, app, tok, "GET", self+"/pdf", nil).isProblem(t, 403, "forbidden", true)
	}
	actDo(t, app, vol, "GET", "/api/v1/certificates/999999", nil).isProblem(t, 404, "certificate-not-found", true)
	certPDFHolds(t, app, vol, self+"/pdf", cert)

	// Verify: genuine; a changed character is not, through the API and on the check page.
	var check api.CertificateCheck
	actDo(t, app, "", "GET", "/api/v1/certificates/verify?token="+cert.Token, nil).into(t, 200, &check)
	if !check.Valid || check.Status != "issued" || check.Number != cert.Number || check.Organization != w.a.Name ||
		check.NameMasked != "王**" || check.Minutes != minutes || check.Hours != cert.Hours || check.IssuedAt != cert.IssueDate {
		t.Fatalf("verify: %+v", check)
	}
	bad := tamper(cert.Token)
	var forged api.CertificateCheck
	actDo(t, app, "", "GET", "/api/v1/certificates/verify?token="+bad, nil).into(t, 200, &forged)
	if forged.Valid || forged.Status != "invalid" || forged.Number != "" {
		t.Errorf("a tampered code: %+v", forged)
	}
	actDo(t, app, "", "GET", "/api/v1/certificates/verify", nil).isProblem(t, 400, "invalid-request", true)
	page := actDo(t, app, "", "GET", "/c/"+bad, nil)
	if page.status != 404 || !strings.Contains(string(page.raw), `data-testid="cert-not-genuine"`) || strings.Contains(string(page.raw), cert.Number) {
		t.Errorf("the check page of a tampered code: %d", page.status)
	}
	page = actDo(t, app, "", "GET", "/c/"+cert.Token, nil)
	if body := string(page.raw); page.status != 200 || !strings.Contains(body, `data-status="issued"`) || !strings.Contains(body, cert.Number) ||
		!strings.Contains(body, "王**") || strings.Contains(body, "王秀英") {
		t.Errorf("the check page: %d", page.status)
	}
	certOffline(t, app, cert.Token)

	// Revocation: a reason is required, nothing changes without one; refused to another
	// organization; then revoked, and the check page says so with the reason.
	revoke := self + "/revoke"
	actDo(t, app, coord, "POST", revoke, `{"reason":" "}`).isProblem(t, 400, "invalid-request", true)
	actDo(t, app, coordB, "POST", revoke, `{"reason":"开错了"}`).isProblem(t, 403, "forbidden", true)
	actDo(t, app, vol, "POST", revoke, `{"reason":"开错了"}`).isProblem(t, 403, "forbidden", true)
	if certCount(t, d, "certificates WHERE status = 'issued'") != 1 {
		t.Fatal("a refused revocation changed the certificate")
	}
	var revoked api.CertificateView
	actDo(t, app, coord, "POST", revoke, `{"reason":"服务期间填写有误"}`).into(t, 200, &revoked)
	if revoked.Status != "revoked" || revoked.StatusReason == nil || *revoked.StatusReason != "服务期间填写有误" {
		t.Fatalf("revoked: %+v", revoked)
	}
	actDo(t, app, coord, "POST", revoke, `{"reason":"再撤一次"}`).isProblem(t, 409, "certificate-not-in-force", true)
	actDo(t, app, "", "GET", "/api/v1/certificates/verify?token="+cert.Token, nil).into(t, 200, &check)
	if !check.Valid || check.Status != "revoked" || check.Reason != "服务期间填写有误" {
		t.Errorf("verify after the revocation: %+v", check)
	}
	page = actDo(t, app, "", "GET", "/c/"+cert.Token, nil)
	if body := string(page.raw); page.status != 200 || !strings.Contains(body, `data-status="revoked"`) || !strings.Contains(body, "服务期间填写有误") {
		t.Errorf("the check page after the revocation: %d", page.status)
	}
}

// certPDFHolds downloads a certificate's PDF and checks, with pdftotext, that it holds the name,
// the hours and the number.
func certPDFHolds(t *testing.T, app *fiber.App, token, path string, cert api.CertificateView) {
	t.Helper()
	r := actDo(t, app, token, "GET", path, nil)
	if r.status != 200 || r.header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.raw, []byte("%PDF-")) ||
		!strings.Contains(r.header.Get("Content-Disposition"), cert.Number) {
		t.Fatalf("PDF: %d %s %q", r.status, r.header.Get("Content-Type"), r.header.Get("Content-Disposition"))
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext not found: install poppler-utils (scripts/poppler.sh, run by make test)")
	}
	cmd := exec.Command(bin, "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(r.raw)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(out)), "")
	for _, want := range []string{cert.PersonName, cert.Number, "累计志愿服务时长" + cert.Hours + "小时"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, out)
		}
	}
}

// certOffline checks a code with the public key of /.well-known/timebank-certificates.json only,
// as a third party would, and refuses it once a byte changed.
func certOffline(t *testing.T, app *fiber.App, token string) {
	t.Helper()
	r := actDo(t, app, "", "GET", "/.well-known/timebank-certificates.json", nil)
	var doc struct {
		Keys []struct {
			ID        int    `json:"kid"`
			PublicKey string `json:"public_key"`
		} `json:"keys"`
	}
	if r.status != 200 || json.Unmarshal(r.raw, &doc) != nil || len(doc.Keys) == 0 {
		t.Fatalf("well-known: %s", r)
	}
	code, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(code) != 98 {
		t.Fatalf("code of %d bytes: %v", len(code), err)
	}
	var pub []byte
	for _, k := range doc.Keys {
		if k.ID == int(code[1]) {
			pub, _ = base64.RawURLEncoding.DecodeString(k.PublicKey)
		}
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, code[:34], code[34:]) {
		t.Fatal("the code does not verify with the published key")
	}
	code[20] ^= 1
	if ed25519.Verify(pub, code[:34], code[34:]) {
		t.Fatal("a changed byte still verifies")
	}
}
