package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"timebank/pkg/care"
	"timebank/pkg/store"
)

// The registry through the API: a person registered by the street's administrator is masked to
// every reader; unmasked, they are refused to a reader outside the community (the county's auditor)
// and shown, audited, to the coordinator of an organization there; the audit entry holds no name or
// phone. A household in hardship linked to the person shows the goods it received on the person's
// page, beside the visits. Registering and pairing take an idempotency key: sent again, they answer
// the first.
func TestCareAPIUnmaskAndLinkedHousehold(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	h, err := d.Store.RegisterHousehold(ctx, storeOperator, w.sa.ID, "", store.NewHousehold{Tier: store.TierTekun, Name: "王小芳", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	rice, _ := aidStock(t, w)
	if _, err := d.Store.Allocate(ctx, storeOperator, "care-aid-1", store.NewAid{Store: w.sa.ID, Household: h.ID,
		Lines: []store.OrderLine{{Item: rice.ID, Qty: 2}}}); err != nil {
		t.Fatal(err)
	}
	var p care.Person
	body := fmt.Sprintf(`{"region_code":"%s","categories":["alone","tekun"],
		"colour":"red","name":"王小芳","address":"东山路 8 号","phone":"13812345678","consent":true,"consent_of":"guardian","household_id":%d}`,
		w.regionIn, h.ID)
	storeReq(t, app, w.tokens[regionXS], "POST", "/api/v1/care/people", body).problem(t, 400, "invalid-request") // no key
	key := idem()
	first := storeReq(t, app, w.tokens[regionXS], "POST", "/api/v1/care/people", body, key...)
	first.ok(t, 201, &p)
	// Sent again under the key: the same person, the same body; another body under it is refused.
	if again := storeReq(t, app, w.tokens[regionXS], "POST", "/api/v1/care/people", body, key...); again.status != 200 ||
		string(again.raw) != string(first.raw) {
		t.Fatalf("the registration sent again: %d %s", again.status, again.raw)
	}
	storeReq(t, app, w.tokens[regionXS], "POST", "/api/v1/care/people", strings.Replace(body, "王小芳", "李建国", 1), key...).
		problem(t, 409, "idempotency-conflict")
	pairing := fmt.Sprintf(`{"person_id":%d,"org_id":%d}`, p.ID, w.a.ID)
	pkey := idem()
	var pr, pr2 care.Pairing
	storeReq(t, app, w.tokens[regionXS], "POST", "/api/v1/care/pairings", pairing, pkey...).ok(t, 201, &pr)
	storeReq(t, app, w.tokens[regionXS], "POST", "/api/v1/care/pairings", pairing, pkey...).ok(t, 200, &pr2)
	if pr2.ID != pr.ID {
		t.Fatalf("the pairing sent again made another: %d, %d", pr.ID, pr2.ID)
	}
	var people, pairings int
	if err := d.DB.Get(&people, `SELECT count(*) FROM audit_log WHERE action = 'care.register' AND target = $1`, "care_person:"+id(p.ID)); err != nil {
		t.Fatal(err)
	}
	if err := d.DB.Get(&pairings, `SELECT count(*) FROM audit_log WHERE action = 'care.pair' AND target = $1`, "care_pairing:"+id(pr.ID)); err != nil {
		t.Fatal(err)
	}
	if people != 1 || pairings != 1 {
		t.Fatalf("%d registrations, %d pairings audited, want 1 and 1", people, pairings)
	}
	if p.NameMasked != "王*芳" || p.Name != "" || p.Phone != "" || p.ConsentOf != "guardian" || p.ConsentBy != "user:"+id(w.users[regionXS]) {
		t.Fatalf("registered %+v", p)
	}
	path := "/api/v1/care/people/" + id(p.ID)
	var masked care.Person
	storeReq(t, app, w.tokens[auditorHN], "GET", path, "").ok(t, 200, &masked)
	if masked.Unmasked || masked.Name != "" || masked.Address != "" {
		t.Fatalf("the auditor's masked read %+v", masked)
	}
	storeReq(t, app, w.tokens[auditorHN], "GET", path+"?unmask=true", "").problem(t, 403, "care-not-permitted")
	storeReq(t, app, w.tokens[clerkSA], "GET", path+"?unmask=true", "").problem(t, 403, "care-not-permitted")
	var reads int
	count := func() int {
		t.Helper()
		if err := d.DB.Get(&reads, `SELECT count(*) FROM audit_log WHERE action = 'care.read_unmasked'`); err != nil {
			t.Fatal(err)
		}
		return reads
	}
	if count() != 0 {
		t.Fatalf("refused reads were audited: %d", reads)
	}
	var full care.Person
	storeReq(t, app, w.tokens[coordA], "GET", path+"?unmask=true", "").ok(t, 200, &full)
	if !full.Unmasked || full.Name != "王小芳" || full.Phone != "13812345678" || full.Address != "东山路 8 号" {
		t.Fatalf("the coordinator's unmasked read %+v", full)
	}
	if count() != 1 {
		t.Fatalf("unmasked reads audited: %d, want 1", reads)
	}
	var entry string
	if err := d.DB.Get(&entry, `SELECT actor || ' ' || target || ' ' || coalesce(after::text, '') FROM audit_log WHERE action = 'care.read_unmasked'`); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(entry, "user:"+id(w.users[coordA])+" care_person:"+id(p.ID)) || strings.Contains(entry, "王小芳") || strings.Contains(entry, "13812345678") {
		t.Fatalf("audit entry %q", entry)
	}

	// The person's page shows the goods the linked household received.
	page := storeReq(t, app, w.tokens[coordA], "GET", "/care/people/"+id(p.ID), "")
	status, body := page.status, string(page.raw)
	if status != 200 || !strings.Contains(body, "五常大米 × 2") || !strings.Contains(body, "王*芳") || strings.Contains(body, "13812345678") {
		t.Fatalf("the person's page (%d): %s", status, body)
	}
}
