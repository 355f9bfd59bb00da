package web

import (
	"context"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"timebank/pkg/certificate"
	"timebank/web/api"
	"timebank/web/guard"
)

// 公示 over HTTP: a coordinator publishes a certificate through the API (bad days are a 400, a
// second time a 409, another organization's coordinator is refused); anyone reads the notice, by API
// and on the page, with the masked name only; anyone objects on the page with a contact, which the
// public page never shows and the register shows to the issuers; a decision without the note an
// upheld objection needs is refused (422, the form again) and changes nothing, and then it is decided once.
func TestCertificatePublicity(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	coord := w.tokens[coordA]
	volID, _ := certPerson(t, d, w, "王秀英", "volunteer", w.a.ID)
	certRecord(t, d, w.a.ID, volID, "2025-06-01", "敬老院陪伴", 150)
	u, err := d.Users.ByID(context.Background(), volID)
	if err != nil {
		t.Fatal(err)
	}
	var cert api.CertificateView
	actDo(t, app, coord, "POST", fmt.Sprintf("/api/v1/orgs/%d/certificates", w.a.ID),
		fmt.Sprintf(`{"volunteer":%q,"purpose":"school","responsible_name":"李会长"}`, u.VolunteerNo)).into(t, 201, &cert)

	publish := fmt.Sprintf("/api/v1/certificates/%d/publish", cert.ID)
	actDo(t, app, coord, "POST", publish, `{"days":3}`).isProblem(t, 400, "invalid-request", true)
	actDo(t, app, w.tokens[adminA], "POST", publish, `{"days":"seven"}`).isProblem(t, 400, "invalid-request", true)
	var e certificate.PublicEntry
	actDo(t, app, coord, "POST", publish, `{"days":14}`).into(t, 201, &e)
	if e.Number != cert.Number || e.MaskedName != "王**" || e.Hours != "2.5" {
		t.Errorf("published: %+v", e)
	}
	actDo(t, app, coord, "POST", publish, `{}`).isProblem(t, 409, "certificate-published", true)

	var pub api.Publicity
	actDo(t, app, "", "GET", fmt.Sprintf("/api/v1/orgs/%d/publicity", w.a.ID), nil).into(t, 200, &pub)
	if len(pub.Certificates) != 1 || pub.Certificates[0].Number != cert.Number || pub.Certificates[0].MaskedName != "王**" {
		t.Errorf("the public notice: %+v", pub)
	}
	anyone := newBrowser(t, app)
	page := fmt.Sprintf("/orgs/%d/publicity", w.a.ID)
	if r := anyone.get(page); r.status != 200 || !strings.Contains(r.body, cert.Number) || !strings.Contains(r.body, "王**") || strings.Contains(r.body, "王秀英") {
		t.Fatalf("the public page: %d", r.status)
	}
	if r := anyone.submit(page, url.Values{"number": {cert.Number}, "contact": {""}, "body": {"时长有误"}}); r.status != 422 || !strings.Contains(r.body, "error-summary") {
		t.Errorf("an objection without a contact: %d", r.status)
	}
	if r := anyone.submit(page, url.Values{"number": {cert.Number}, "contact": {"13900001111"}, "body": {"那天她不在场"}}); r.status != 303 {
		t.Fatalf("an objection: %d %s", r.status, r.body)
	}
	if r := anyone.get(page); strings.Contains(r.body, "13900001111") {
		t.Error("the public page shows an objector's contact")
	}
	register := actDo(t, app, coord, "GET", fmt.Sprintf("/orgs/%d/certificates", w.a.ID), nil)
	if body := string(register.raw); !strings.Contains(body, "13900001111") || !strings.Contains(body, `data-testid="published"`) {
		t.Fatalf("the register: %d", register.status)
	}
	var objID int64
	if err := d.DB.Get(&objID, `SELECT id FROM certificate_objections`); err != nil {
		t.Fatal(err)
	}
	decide := fmt.Sprintf("/orgs/%d/certificates/objections/%d", w.a.ID, objID)
	body, h := formBody("status", "upheld", "note", "")
	if r := actDo(t, app, coord, "POST", decide, body, h...); r.status != 422 {
		t.Errorf("upheld without a note: %d", r.status)
	}
	body, h = formBody("status", "dismissed", "note", "签到记录为证")
	if r := actDo(t, app, coord, "POST", decide, body, h...); r.status != 303 {
		t.Fatalf("dismissed: %d", r.status)
	}
	if r := actDo(t, app, coord, "POST", decide, body, h...); r.status != 409 {
		t.Errorf("decided twice: %d", r.status)
	}
	var status string
	if err := d.DB.Get(&status, `SELECT status FROM certificate_objections WHERE id = $1`, objID); err != nil || status != "dismissed" {
		t.Errorf("the objection is %q, %v", status, err)
	}
	// One address sends at most guard.ObjectionsPerAddr objections an hour (the one refused for its
	// missing contact counted too); the next is refused and writes nothing.
	for i := 2; i < guard.ObjectionsPerAddr; i++ {
		if r := anyone.submit(page, url.Values{"number": {cert.Number}, "contact": {"13900001111"}, "body": {"再次异议"}}); r.status != 303 {
			t.Fatalf("objection %d: %d", i+1, r.status)
		}
	}
	if r := anyone.submit(page, url.Values{"number": {cert.Number}, "contact": {"13900001111"}, "body": {"一再异议"}}); r.status != 429 {
		t.Errorf("an objection past the limit: %d", r.status)
	}
	var n int
	if err := d.DB.Get(&n, `SELECT count(*) FROM certificate_objections`); err != nil || n != guard.ObjectionsPerAddr-1 {
		t.Errorf("%d objections kept, want %d (%v)", n, guard.ObjectionsPerAddr-1, err)
	}
}

// The schemas of 公示 have exactly the JSON fields of their Go types.
func TestPublicityOpenAPISchemas(t *testing.T) {
	t.Parallel()
	schemas := obj(obj(fetchOpenAPI(t, newTestServer(t))["components"])["schemas"])
	checkSchemas(t, schemas, map[string]reflect.Type{
		"PublishRequest": reflect.TypeFor[api.PublishRequest](),
		"PublicEntry":    reflect.TypeFor[certificate.PublicEntry](),
		"Publicity":      reflect.TypeFor[api.Publicity](),
	})
}
