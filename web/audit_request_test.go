package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"testing"
	"time"

	"timebank/web/observe"
)

// Every audited write made through an HTTP request carries the request's id, whichever area made
// it: the request-id middleware hands the id to the services through the request's context, so no
// handler has to pass it along (and none can forget to).
func TestAuditEntriesCarryTheRequestID(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	var mark int64
	if err := d.DB.GetContext(ctx, &mark, `SELECT coalesce(max(id), 0) FROM audit_log`); err != nil {
		t.Fatal(err)
	}

	start := time.Now().Add(24 * time.Hour).Truncate(time.Minute)
	roster := "姓名,手机号\n王秀英,13700000001\n"
	writes := []struct {
		action, who, method, path, body string
		upload                          bool // body is a roster file sent as multipart
	}{
		{"org.create", regionXS, "POST", "/api/v1/orgs",
			fmt.Sprintf(`{"name":"审计服务队","region_code":"%s","status":"filed","filed_by":"%s","parent_id":%d}`, w.regionIn, w.regionIn, w.a.ID), false},
		{"store.item_create", managerSA, "POST", fmt.Sprintf("/api/v1/stores/%d/items", w.sa.ID),
			`{"name":"肥皂","category":"daily","unit":"块","price":30}`, false},
		{"activity.create", coordA, "POST", "/api/v1/activities",
			fmt.Sprintf(`{"org_id":%d,"title":"新活动","category":"elderly","address":"社区","starts_at":%q,"ends_at":%q,"leader_name":"组长"}`,
				w.a.ID, start.Format(time.RFC3339), start.Add(2*time.Hour).Format(time.RFC3339)), false},
		{"activity.policy", adminA, "PUT", fmt.Sprintf("/api/v1/orgs/%d/activity-policy", w.a.ID),
			`{"rounding_unit_minutes":15,"grace_minutes":15,"minimum_minutes":30,"daily_cap_minutes":480,"credit_numerator":1,
"credit_denominator":1,"manual_earns_credits":false,"star_thresholds_hours":[100,300,600,1000,1500],"forgotten_checkout_grace_minutes":120}`, false},
		{"roster.import", adminA, "POST", fmt.Sprintf("/api/v1/orgs/%d/imports", w.a.ID), roster, true},
		{"device.create", managerSA, "POST", "/api/v1/device-tokens",
			fmt.Sprintf(`{"scope":"store:%d","role":"counter","label":"二号台"}`, w.sa.ID), false},
	}
	sent := map[string]string{} // request id → the action its request made
	for i, c := range writes {
		rid := fmt.Sprintf("audit-test-%d", i)
		sent[rid] = c.action
		req := httptest.NewRequest(c.method, c.path, bytes.NewBufferString(c.body))
		req.Header.Set("Content-Type", "application/json")
		if c.upload {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			fw, err := mw.CreateFormFile("file", "名单.csv")
			if err != nil {
				t.Fatal(err)
			}
			_, _ = fw.Write([]byte(c.body))
			_ = mw.Close()
			req = httptest.NewRequest(c.method, c.path, &buf)
			req.Header.Set("Content-Type", mw.FormDataContentType())
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Authorization", "Bearer "+w.tokens[c.who])
		req.Header.Set(observe.HeaderRequestID, rid)
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s as %s: %d %s", c.method, c.path, c.who, resp.StatusCode, body)
		}
	}

	var rows []struct {
		Action    string `db:"action"`
		RequestID string `db:"request_id"`
	}
	if err := d.DB.SelectContext(ctx, &rows, `SELECT action, coalesce(request_id, '') AS request_id
FROM audit_log WHERE id > $1 ORDER BY id`, mark); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rows {
		want, ok := sent[r.RequestID]
		if !ok {
			t.Errorf("audit entry %s carries request id %q, not one of the requests'", r.Action, r.RequestID)
			continue
		}
		if want == r.Action {
			seen[r.RequestID] = true
		}
	}
	for rid, action := range sent {
		if !seen[rid] {
			t.Errorf("no %s entry with request id %s", action, rid)
		}
	}
}
