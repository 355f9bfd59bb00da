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
// page, beside the visits.
func TestCareAPIUnmaskAndLinkedHousehold(t *testing.T) {
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
	storeReq(t, app, w.tokens[regionXS], "POST", "/api/v1/care/people", fmt.Sprintf(`{"region_code":"%s","categories":["alone","tekun"],
		"colour":"red","name":"王小芳","address":"东山路 8 号","phone":"13812345678","consent":true,"consent_of":"guardian","household_id":%d}`,
		w.regionIn, h.ID)).ok(t, 201, &p)
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
