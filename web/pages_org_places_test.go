package web

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"timebank/pkg/access"
	"timebank/pkg/audit"
	"timebank/pkg/org"
	who "timebank/pkg/principal"
	"timebank/web/pages"
)

// The region page shows the path from the province (linked only where the caller may go), the
// regions below, and the organizations anywhere below with their standing, filtered and paged.
func TestRegionPage(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	op := &access.Principal{Principal: who.Principal{Name: "operator"}, Grants: []access.Grant{{Role: access.PlatformAdmin, Kind: access.Platform}}}
	if _, err := d.Orgs.CreateRegion(ctx, op.Actor(), org.NewRegion{Code: "330481001001", Name: "东山社区"}); err != nil {
		t.Fatal(err)
	}
	reg, err := d.Orgs.CreateOrg(ctx, op.Actor(), org.NewOrg{Name: "海宁市慈善总会", RegionCode: "330481001001", Status: org.Registered,
		CreditCode: "91330100799655058B"})
	if err != nil {
		t.Fatal(err)
	}
	xs := browserAs(t, app, regionXS)
	r := xs.get("/regions/330481001000")
	if r.status != 200 {
		t.Fatalf("region admin on its street: %d\n%s", r.status, r.body)
	}
	for _, want := range []string{"浙江省", "嘉兴市", "海宁市", `<span aria-current="page">硖石街道</span>`, "街道 / 乡镇",
		`href="/regions/330481001001"`, "东山社区", w.a.Name, w.subA.Name, reg.Name, "登记", "备案", "91330100799655058B",
		`href="/orgs/` + id(w.a.ID) + `"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the street's page lacks %q", want)
		}
	}
	// Above its street the region admin may not go: the breadcrumb names those nodes without links.
	if strings.Contains(r.body, `href="/regions/330481000000"`) || strings.Contains(r.body, w.b.Name) {
		t.Error("the breadcrumb links above the caller's scope, or the page lists another county's organization")
	}
	if r = xs.get("/regions/330481000000"); r.status != 403 {
		t.Errorf("region admin of a street on its county: %d", r.status)
	}
	r = xs.get("/regions/330481001000?status=registered")
	// The filter narrows the list of organizations; the figures above it still name every one.
	listed := r.body[strings.Index(r.body, `id="orgs"`):]
	if !strings.Contains(listed, reg.Name) || strings.Contains(listed, w.a.Name) {
		t.Error("the registered filter")
	}
	if r = xs.get("/regions/330481001000?status=nonsense"); r.status != 400 {
		t.Errorf("an unknown status: %d", r.status)
	}

	// The county's auditor sees the county with its street linked; fifty organizations a page.
	for i := range pages.RegionPageSize + 3 {
		if _, err := d.Orgs.CreateOrg(ctx, op.Actor(), org.NewOrg{Name: fmt.Sprintf("东山志愿队%02d", i), RegionCode: "330481001001",
			Status: org.Filed, FiledBy: "330481001000"}); err != nil {
			t.Fatal(err)
		}
	}
	au := browserAs(t, app, auditorHN)
	r = au.get("/regions/330481000000")
	if !strings.Contains(r.body, `href="/regions/330481001000"`) || !strings.Contains(r.body, `id="page-next"`) {
		t.Fatal("the county page lacks its street or the next page")
	}
	first := regexp.MustCompile(`<li id="org-(\d+)">`).FindAllStringSubmatch(r.body, -1)
	next := regexp.MustCompile(`href="(/regions/330481000000\?after=\d+)#orgs"`).FindStringSubmatch(r.body)
	if len(first) != pages.RegionPageSize || next == nil {
		t.Fatalf("first page: %d organizations, next %v", len(first), next)
	}
	r = au.get(next[1])
	second := regexp.MustCompile(`<li id="org-(\d+)">`).FindAllStringSubmatch(r.body, -1)
	if len(second) != 3+3 || strings.Contains(r.body, `id="page-next"`) || !strings.Contains(r.body, `id="page-first"`) {
		t.Errorf("second page: %d organizations (want the 6 left)", len(second))
	}
	for _, a := range first {
		for _, b := range second {
			if a[1] == b[1] {
				t.Errorf("organization %s on both pages", a[1])
			}
		}
	}
}

// The index pages list the places the caller's roles reach.
func TestOrgAndRegionIndexes(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	for _, c := range []struct {
		who, path string
		want      []string
		never     []string
	}{
		{adminA, "/orgs", []string{`href="/orgs/` + id(w.a.ID) + `"`, w.a.Name}, []string{w.b.Name, "/regions/"}},
		{coordA, "/orgs", []string{w.a.Name}, []string{w.b.Name}},
		{regionXS, "/orgs", []string{`href="/regions/330481001000#orgs"`, "硖石街道"}, []string{w.a.Name}},
		{platform, "/orgs", []string{`href="/regions"`}, nil},
		{regionXS, "/regions", []string{`href="/regions/330481001000"`}, []string{"浙江省"}},
		{auditorHN, "/regions", []string{`href="/regions/330481000000"`}, nil},
		{platform, "/regions", []string{`href="/regions/330000000000"`, "浙江省"}, nil},
	} {
		r := browserAs(t, app, c.who).get(c.path)
		if r.status != 200 {
			t.Errorf("%s on %s: %d", c.who, c.path, r.status)
		}
		for _, s := range c.want {
			if !strings.Contains(r.body, s) {
				t.Errorf("%s on %s: lacks %q", c.who, c.path, s)
			}
		}
		for _, s := range c.never {
			if strings.Contains(r.body, s) {
				t.Errorf("%s on %s: shows %q", c.who, c.path, s)
			}
		}
	}
	// The menu offers each page to those who may open it.
	for who, want := range map[string][]string{
		volunteer: nil, coordA: {"orgs"}, adminA: {"orgs", "audit"}, managerSA: {"audit"},
		auditorHN: {"orgs", "regions", "audit"}, regionXS: {"orgs", "regions", "audit"},
	} {
		body := browserAs(t, app, who).get("/").body
		for _, nav := range []string{"orgs", "regions", "audit"} {
			has := strings.Contains(body, `id="nav-`+nav+`"`)
			if has != strings.Contains(strings.Join(want, ","), nav) {
				t.Errorf("%s: menu entry %s shown: %v", who, nav, has)
			}
		}
	}
}

// The audit page lists, newest first and fifty at a time, the entries of the caller's scopes only.
func TestAuditPage(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	for i := range pages.AuditPageSize + 5 {
		if err := audit.Record(ctx, d.DB, audit.Entry{Actor: "user:1", Action: "test.a", Target: fmt.Sprintf("org:%d", w.a.ID),
			OrgID: w.a.ID, After: map[string]any{"n": i, "phone": "13812345678"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := audit.Record(ctx, d.DB, audit.Entry{Actor: "user:1", Action: "test.b", Target: fmt.Sprintf("org:%d", w.b.ID),
		OrgID: w.b.ID}); err != nil {
		t.Fatal(err)
	}
	b := browserAs(t, app, adminA)
	r := b.get("/audit")
	if r.status != 200 {
		t.Fatalf("audit page: %d", r.status)
	}
	entries := regexp.MustCompile(`<li id="audit-\d+">`).FindAllString(r.body, -1)
	next := regexp.MustCompile(`href="(/audit\?after=\d+)"`).FindStringSubmatch(r.body)
	if len(entries) != pages.AuditPageSize || next == nil {
		t.Fatalf("first page: %d entries, next %v", len(entries), next)
	}
	if strings.Contains(r.body, "test.b") || strings.Contains(r.body, "13812345678") || !strings.Contains(r.body, "138****5678") {
		t.Error("the audit page shows another organization's entry or a phone number in full")
	}
	if !strings.Contains(r.body, "&#34;n&#34;: 54") { // the newest first, indented
		t.Error("the newest entry is not first")
	}
	r = b.get(next[1])
	if n := len(regexp.MustCompile(`<li id="audit-\d+">`).FindAllString(r.body, -1)); n < 5 || strings.Contains(r.body, "test.b") {
		t.Errorf("second page: %d entries", n)
	}
	if r = b.get("/audit?after=x"); r.status != 400 {
		t.Errorf("a bad cursor: %d", r.status)
	}
	if r = browserAs(t, app, platform).get("/audit"); !strings.Contains(r.body, "test.b") {
		t.Error("the platform administrator does not see B's entry")
	}
	if r = browserAs(t, app, coordA).get("/audit"); r.status != 403 {
		t.Errorf("a coordinator on the audit page: %d", r.status)
	}
}
