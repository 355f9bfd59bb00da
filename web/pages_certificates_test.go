package web

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"

	"timebank/pkg/access"
	"timebank/pkg/certificate"
	"timebank/web/api"
	"timebank/web/i18n"
	"timebank/web/problem"
)

// formBody is a posted form, with its content type for actDo.
func formBody(kv ...string) (string, []string) {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode(), []string{"Content-Type", "application/x-www-form-urlencoded"}
}

// sealPNG draws a red ring on a transparent background, standing in for a scanned seal.
func sealPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 120, 120))
	for y := range 120 {
		for x := range 120 {
			if d := (x-60)*(x-60) + (y-60)*(y-60); d <= 56*56 && d >= 50*50 {
				img.Set(x, y, color.NRGBA{R: 210, A: 240})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sealForm is the multipart form of a seal upload.
func sealForm(t *testing.T, file []byte) (string, []string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("seal", "seal.png")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(file)
	mw.Close()
	return buf.String(), []string{"Content-Type", mw.FormDataContentType()}
}

// The organization's side in pages and API: a refusal needs a reason and shows on the volunteer's
// page; the queue shows the days left and is the organization's own; the request page issues with
// the 经办人 and leads to the printable certificate, which only the volunteer and the
// organization's readers see; a direct issue by volunteer number refuses bad input and changes
// nothing; the register pages and exports list both; a revocation without a reason changes nothing;
// a corrected certificate is reissued from the register and the old one's check leads to the new one; the seal is uploaded on the organization page.
func TestCertificatePagesAndRegister(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	coord := w.tokens[coordA]
	volID, vol := certPerson(t, d, w, "王秀英", access.Volunteer, w.a.ID)
	_, coordB := certPerson(t, d, w, "梧桐协调员", access.Coordinator, w.b.ID)
	_, stranger := certPerson(t, d, w, "别的志愿者", access.Volunteer, w.a.ID)
	rec := certRecord(t, d, w.a.ID, volID, "2025-06-01", "敬老院陪伴", 150)
	certRecord(t, d, w.a.ID, volID, "2025-07-01", "垃圾分类宣传", 60)
	u, err := d.Users.ByID(ctx, volID)
	if err != nil {
		t.Fatal(err)
	}
	apply := func() int64 {
		var r certificate.Request
		actDo(t, app, vol, "POST", "/api/v1/certificate-requests", fmt.Sprintf(`{"org":%d,"purpose":"employer"}`, w.a.ID)).into(t, 201, &r)
		return r.ID
	}

	// A refusal: a reason is required; another organization may not; the volunteer reads the reason.
	rid := apply()
	refuse := fmt.Sprintf("/api/v1/certificate-requests/%d/refuse", rid)
	actDo(t, app, coord, "POST", refuse, `{"reason":""}`).isProblem(t, 400, "invalid-request", true)
	actDo(t, app, coordB, "POST", refuse, `{"reason":"不归我们"}`).isProblem(t, 403, "forbidden", true)
	if certCount(t, d, "certificate_requests WHERE status = 'requested'") != 1 {
		t.Fatal("a refused refusal changed the request")
	}
	actDo(t, app, coord, "POST", refuse, `{"reason":"请先核对服务期间"}`).into(t, 200, &certificate.Request{})
	actDo(t, app, coord, "POST", refuse, `{"reason":"再拒一次"}`).isProblem(t, 409, "certificate-request-decided", true)
	mine := actDo(t, app, vol, "GET", "/me/certificates", nil)
	if mine.status != 200 || !strings.Contains(string(mine.raw), "请先核对服务期间") || !strings.Contains(string(mine.raw), `id="cert-request-form"`) {
		t.Fatalf("the volunteer's page after the refusal: %d", mine.status)
	}

	// The queue: the organization's own, with the days left; the request page issues.
	rid = apply()
	queue := actDo(t, app, coord, "GET", fmt.Sprintf("/orgs/%d/certificates/requests", w.a.ID), nil)
	if body := string(queue.raw); queue.status != 200 || !strings.Contains(body, "王秀英") || !strings.Contains(body, `data-testid="days-left"`) {
		t.Fatalf("the queue: %d", queue.status)
	}
	if st := actDo(t, app, coordB, "GET", fmt.Sprintf("/orgs/%d/certificates/requests", w.a.ID), nil).status; st != 403 {
		t.Errorf("another organization's coordinator opened the queue: %d", st)
	}
	reqPage := fmt.Sprintf("/orgs/%d/certificates/requests/%d", w.a.ID, rid)
	if p := actDo(t, app, coord, "GET", reqPage, nil); p.status != 200 || !strings.Contains(string(p.raw), `id="issue-form"`) {
		t.Fatalf("the request page: %d", p.status)
	}
	if st := actDo(t, app, coord, "GET", fmt.Sprintf("/orgs/%d/certificates/requests/%d", w.b.ID, rid), nil).status; st != 403 {
		t.Errorf("the request under another organization's path: %d", st)
	}
	body, h := formBody("handler", "周经办", "responsible_name", "")
	if p := actDo(t, app, coord, "POST", reqPage+"/issue", body, h...); p.status != 422 || !strings.Contains(string(p.raw), `id="f-responsible_name-error"`) {
		t.Fatalf("issue without a 负责人: %d", p.status)
	}
	if certCount(t, d, "certificates") != 0 {
		t.Fatal("a refused issue issued")
	}
	body, h = formBody("handler", "周经办", "responsible_name", "李会长")
	issued := actDo(t, app, coord, "POST", reqPage+"/issue", body, h...)
	loc := issued.header.Get("Location")
	if issued.status != 303 || !strings.HasPrefix(loc, "/certificates/") || !strings.HasSuffix(loc, "?done=issued") {
		t.Fatalf("issued from the page: %d %q", issued.status, loc)
	}
	printPath, _, _ := strings.Cut(loc, "?")
	for _, tok := range []string{vol, coord} {
		p := actDo(t, app, tok, "GET", printPath, nil)
		if body := string(p.raw); p.status != 200 || !strings.Contains(body, `data-testid="certificate"`) || !strings.Contains(body, "周经办") ||
			!strings.Contains(body, "累计志愿服务时长 3.5 小时") {
			t.Errorf("the printable certificate: %d", p.status)
		}
	}
	for _, tok := range []string{stranger, coordB} {
		if st := actDo(t, app, tok, "GET", printPath, nil).status; st != 403 {
			t.Errorf("the printable certificate opened by an outsider: %d", st)
		}
	}

	// A direct issue: a number nobody has, a missing purpose, a backwards period: refused, nothing issued.
	direct := fmt.Sprintf("/api/v1/orgs/%d/certificates", w.a.ID)
	actDo(t, app, coord, "POST", direct, `{"volunteer":"V9999999","purpose":"award"}`).isProblem(t, 404, "user-not-found", true)
	actDo(t, app, coord, "POST", direct, fmt.Sprintf(`{"volunteer":%q}`, u.VolunteerNo)).isProblem(t, 400, "invalid-request", true)
	actDo(t, app, coord, "POST", direct, fmt.Sprintf(`{"volunteer":%q,"purpose":"award","from":"2025-09-01","to":"2025-01-01"}`, u.VolunteerNo)).isProblem(t, 400, "invalid-request", true)
	actDo(t, app, coordB, "POST", fmt.Sprintf("/api/v1/orgs/%d/certificates", w.a.ID), fmt.Sprintf(`{"volunteer":%q,"purpose":"award"}`, u.VolunteerNo)).isProblem(t, 403, "forbidden", true)
	if certCount(t, d, "certificates") != 1 {
		t.Fatal("a refused direct issue issued")
	}
	var second api.CertificateView
	actDo(t, app, coord, "POST", direct, fmt.Sprintf(`{"volunteer":%q,"purpose":"award","from":"2025-06-01","to":"2025-06-30"}`, u.VolunteerNo)).into(t, 201, &second)
	if !strings.HasSuffix(second.Number, "-00002") || second.ResponsibleName != "李会长" || second.TotalMinutes != 150 {
		t.Fatalf("the direct issue: %+v", second)
	}

	// The register: paged, exported.
	var page certificate.Page
	actDo(t, app, coord, "GET", direct+"?limit=1", nil).into(t, 200, &page)
	if len(page.Certificates) != 1 || page.Next == 0 {
		t.Fatalf("the register's first page: %+v", page)
	}
	var last certificate.Page
	actDo(t, app, w.tokens[auditorHN], "GET", fmt.Sprintf("%s?after=%d", direct, page.Next), nil).into(t, 200, &last)
	if len(last.Certificates) != 1 || last.Next != 0 || last.Certificates[0].ID != second.ID {
		t.Fatalf("the register's second page: %+v", last)
	}
	csv := actDo(t, app, coord, "GET", direct+".csv", nil)
	if !bytes.HasPrefix(csv.raw, []byte("\uFEFF证明编号")) || !bytes.Contains(csv.raw, []byte(second.Number)) || !strings.HasPrefix(csv.header.Get("Content-Type"), "text/csv") {
		t.Errorf("the CSV export: %d %q", csv.status, csv.header.Get("Content-Type"))
	}
	if x := actDo(t, app, coord, "GET", direct+".xlsx", nil); x.status != 200 || !bytes.HasPrefix(x.raw, []byte("PK")) {
		t.Errorf("the Excel export: %d", x.status)
	}
	reg := actDo(t, app, coord, "GET", fmt.Sprintf("/orgs/%d/certificates", w.a.ID), nil)
	if body := string(reg.raw); reg.status != 200 || !strings.Contains(body, second.Number) || !strings.Contains(body, fmt.Sprintf(`id="revoke-%d"`, second.ID)) {
		t.Fatalf("the register page: %d", reg.status)
	}
	body, h = formBody("reason", "")
	if p := actDo(t, app, coord, "POST", fmt.Sprintf("/orgs/%d/certificates/%d/revoke", w.a.ID, second.ID), body, h...); p.status != 422 ||
		!strings.Contains(string(p.raw), `id="error-summary"`) || certCount(t, d, "certificates WHERE status = 'issued'") != 2 {
		t.Fatalf("a revocation without a reason: %d", p.status)
	}

	// A corrected record: the replacement's check is linked from the old one's.
	if _, err := d.DB.Exec(`WITH v AS (
    INSERT INTO service_record_revisions (record_id, revision, minutes, credits, day_dates, day_minutes, reason, created_by)
    SELECT id, revision + 1, 180, 0, ARRAY[service_date], ARRAY[180::bigint], '签退时间记错', 'user:1' FROM service_records WHERE id = $1
    RETURNING record_id, revision)
UPDATE service_records s SET revision = v.revision, minutes = 180 FROM v WHERE s.id = v.record_id`, rec); err != nil {
		t.Fatal(err)
	}
	reg = actDo(t, app, coord, "GET", fmt.Sprintf("/orgs/%d/certificates", w.a.ID), nil)
	if !strings.Contains(string(reg.raw), fmt.Sprintf(`id="supersede-%d"`, second.ID)) {
		t.Fatalf("the register does not offer to reissue the corrected certificate: %d", reg.status)
	}
	again := actDo(t, app, coord, "POST", fmt.Sprintf("/orgs/%d/certificates/%d/supersede", w.a.ID, second.ID), "")
	if again.status != 303 {
		t.Fatalf("reissue: %d %s", again.status, again.raw)
	}
	if p := actDo(t, app, coord, "POST", fmt.Sprintf("/orgs/%d/certificates/%d/supersede", w.a.ID, second.ID), ""); p.status != 409 {
		t.Errorf("a second reissue: %d", p.status)
	}
	latest, err := d.Certificates.OfUser(ctx, volID)
	if err != nil || len(latest) != 3 || latest[0].TotalMinutes != 180 {
		t.Fatalf("after the reissue: %+v %v", latest, err)
	}
	renewed := latest[0]
	old := actDo(t, app, "", "GET", "/c/"+second.Token, nil)
	if body := string(old.raw); old.status != 200 || !strings.Contains(body, `data-status="superseded"`) ||
		!strings.Contains(body, `href="/c/`+renewed.Token+`"`) || !strings.Contains(body, renewed.Number) {
		t.Errorf("the replaced certificate's check: %d", old.status)
	}

	// The seal: a PNG is kept and shown on the organization page; anything else is refused beside the field.
	body, h = sealForm(t, []byte("not a picture"))
	if p := actDo(t, app, coord, "POST", fmt.Sprintf("/orgs/%d/seal", w.a.ID), body, h...); p.status != 422 || !strings.Contains(string(p.raw), `id="f-seal-error"`) {
		t.Fatalf("a seal that is no PNG: %d", p.status)
	}
	body, h = sealForm(t, sealPNG(t))
	if p := actDo(t, app, coordB, "POST", fmt.Sprintf("/orgs/%d/seal", w.a.ID), body, h...); p.status != 403 {
		t.Errorf("another organization's coordinator set the seal: %d", p.status)
	}
	if p := actDo(t, app, coord, "POST", fmt.Sprintf("/orgs/%d/seal", w.a.ID), body, h...); p.status != 303 {
		t.Fatalf("the seal upload: %d %s", p.status, p.raw)
	}
	org := actDo(t, app, coord, "GET", fmt.Sprintf("/orgs/%d", w.a.ID), nil)
	if body := string(org.raw); !strings.Contains(body, `id="seal-img"`) || !strings.Contains(body, `id="to-cert-queue"`) {
		t.Errorf("the organization page after the seal: %d", org.status)
	}
	// The team's coordinator finds the 幸福管家 dispatch on the organization page; an auditor, who reads
	// the page but dispatches nothing, does not.
	if !strings.Contains(string(org.raw), `id="org-service"`) {
		t.Error("no link to the dispatch for the coordinator")
	}
	if p := actDo(t, app, w.tokens[auditorHN], "GET", fmt.Sprintf("/orgs/%d", w.a.ID), nil); p.status != 200 || strings.Contains(string(p.raw), `id="org-service"`) {
		t.Errorf("an auditor's organization page: %d, dispatch link %v", p.status, strings.Contains(string(p.raw), `id="org-service"`))
	}
	// A volunteer's own page leads to their service tasks and their paired visits.
	if p := actDo(t, app, vol, "GET", "/me", nil); p.status != 200 || !strings.Contains(string(p.raw), `href="/service/tasks"`) ||
		!strings.Contains(string(p.raw), `href="/me/care"`) {
		t.Errorf("the volunteer's page: %d, no links to tasks and visits", p.status)
	}
	if img, err := d.Certificates.Seal(ctx, w.a.ID); err != nil || !bytes.Equal(img, sealPNG(t)) {
		t.Errorf("the seal kept: %d bytes, %v", len(img), err)
	}
}

// Every error of the certificate service is a 4xx problem whose message exists in both languages,
// and so are the reasons of its field errors.
func TestCertificateProblemsTranslated(t *testing.T) {
	t.Parallel()
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	errs := []error{certificate.ErrInvalid, certificate.ErrOrgNotFound, certificate.ErrUserNotFound, certificate.ErrNothingToCertify,
		certificate.ErrRequestNotFound, certificate.ErrRequestOpen, certificate.ErrRequestDecided, certificate.ErrRequestNotAccepted,
		certificate.ErrNotFound, certificate.ErrNotIssued, certificate.ErrUnchanged, certificate.ErrBadToken, certificate.ErrBadSeal}
	for _, e := range errs {
		status, slug := problem.Classify(fmt.Errorf("wrapped: %w", e))
		if status < 400 || status > 499 {
			t.Errorf("%v: %d %s", e, status, slug)
		}
		for _, lang := range i18n.Languages {
			if m := msgs[lang]["problem."+slug]; m == "" {
				t.Errorf("%s lacks problem.%s", lang, slug)
			}
		}
	}
	for _, r := range []string{"required", "too_long", "invalid", "date", "before_from", "unknown", "range"} {
		for _, lang := range i18n.Languages {
			if msgs[lang]["reason."+r] == "" {
				t.Errorf("%s lacks reason.%s", lang, r)
			}
		}
	}
}
