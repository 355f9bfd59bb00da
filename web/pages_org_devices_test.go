package web

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"timebank/pkg/access"
	"timebank/pkg/identity"
	"timebank/web/pages"
)

var deviceTokenShown = regexp.MustCompile(`<code class="token" id="device-token" data-testid="device-token">([^<]+)</code>`)

// A device token is shown once, right after it is created, and works at once for its scope; the
// page never shows it again; revoking it stops it. A store of another organization, or no label,
// is refused next to its field.
func TestOrgPageDevices(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	path := pages.OrgPath(w.a.ID)
	b := browserAs(t, app, adminA)

	for _, c := range []struct {
		scope string
		role  access.Role
		org   int64
		store int64
	}{
		{"org", access.Kiosk, w.a.ID, 0},
		{"store:" + id(w.sa.ID), access.Counter, 0, w.sa.ID},
	} {
		r := b.submit(path+"/devices", url.Values{"scope": {c.scope}, "label": {"一楼 " + c.scope}})
		m := deviceTokenShown.FindStringSubmatch(r.body)
		if r.status != 201 || m == nil {
			t.Fatalf("create %s: %d\n%s", c.scope, r.status, r.body)
		}
		if r.header.Get("Cache-Control") != "no-store" {
			t.Error("the page with the token may be cached")
		}
		p, err := d.Users.DevicePrincipal(ctx, m[1])
		if err != nil || len(p.Grants) != 1 || p.Grants[0].Role != c.role || p.Grants[0].OrgID != c.org || p.Grants[0].StoreID != c.store {
			t.Fatalf("the token of %s: %+v %v", c.scope, p, err)
		}
		page := b.get(path)
		if strings.Contains(page.body, m[1]) || !strings.Contains(page.body, "一楼 "+c.scope) {
			t.Errorf("%s: the page shows the token again, or not the device", c.scope)
		}
		if !strings.Contains(page.body, "由 "+adminA+" 创建") || strings.Contains(page.body, "由 user:") {
			t.Errorf("%s: the device's creator is not shown by name", c.scope)
		}

		// Revoking the device stops the token at once.
		r = b.submit(fmt.Sprintf("%s/devices/%d/revoke", path, p.DeviceID), url.Values{})
		if r.status != 303 || r.location() != path+"?notice=device-revoked#devices" {
			t.Fatalf("revoke: %d %q", r.status, r.location())
		}
		if _, err := d.Users.DevicePrincipal(ctx, m[1]); !errors.Is(err, identity.ErrDeviceNotFound) {
			t.Errorf("a revoked token still works: %v", err)
		}
		if r = b.get(r.location()); !strings.Contains(r.body, "已吊销") {
			t.Error("the list does not say the device was revoked")
		}
	}

	for _, c := range []struct {
		name, scope, label, field string
	}{
		{"a store of another organization", "store:" + id(w.sb.ID), "收银台", "scope"},
		{"no such store", "store:999999", "收银台", "scope"},
		{"a scope that means nothing", "region:1", "收银台", "scope"},
		{"no label", "org", "", "label"},
	} {
		r := b.submit(path+"/devices", url.Values{"scope": {c.scope}, "label": {c.label}})
		if r.status < 400 || r.status >= 500 || !strings.Contains(r.body, `data-testid="error-`+c.field+`"`) || deviceTokenShown.MatchString(r.body) {
			t.Errorf("%s: %d, want the error next to %s and no token", c.name, r.status, c.field)
		}
	}

	// A device of organization B through A's page: not found here, and it keeps working.
	devB := w.deviceFresh(t, w.sb.ID)
	if r := browserAs(t, app, platform).submit(fmt.Sprintf("%s/devices/%d/revoke", path, devB), url.Values{}); r.status != 422 {
		t.Errorf("revoking B's device through A's page: %d", r.status)
	}
	if dv, err := d.Users.DeviceByID(ctx, devB); err != nil || dv.RevokedAt != nil {
		t.Errorf("B's device: %+v %v", dv, err)
	}
}
