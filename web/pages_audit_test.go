package web

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/pkg/audit"
	"timebank/pkg/identity"
	who "timebank/pkg/principal"
	"timebank/web/i18n"
	"timebank/web/pages"
	"timebank/web/webtest"
)

// The audit page names each known action in the reader's language, keeping its code beside it for
// the record, and shows an unknown one by its code; actors are named as the record pages name them.
func TestAuditPageActionNames(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	gate, _, err := d.Users.CreateDevice(ctx, identity.Change{Actor: who.Operator()}, access.Counter, 0, w.sa.ID, "东门")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []audit.Entry{
		{Actor: "device:" + id(gate.ID), Action: "store.item_photo_set", Target: "item:1", OrgID: w.a.ID},
		{Actor: "operator", Action: "test.not_known", Target: "item:2", OrgID: w.a.ID},
		{Actor: "resident", Action: "service_request.cancel", Target: "service_request:1", OrgID: w.a.ID},
	} {
		if err := audit.Record(ctx, d.DB, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ lang, action, device, operator, resident string }{
		{"zh-CN", "上传物品照片", "收银设备 · 东门", "系统管理员", "服务对象本人"},
		{"en", "Item photo uploaded", "Counter · 东门", "Operator", "The resident"},
	} {
		b := browserAs(t, app, adminA)
		b.jar[i18n.CookieLang] = c.lang // the log-in set the person's language
		r := b.get("/audit")
		if r.status != 200 {
			t.Fatalf("%s: audit page: %d", c.lang, r.status)
		}
		for _, want := range []string{
			`data-action="store.item_photo_set">` + c.action + `<`,
			`<code class="action">test.not_known</code>`,
			c.device + ` <code>device:` + id(gate.ID) + `</code>`,
			c.operator + ` <code>operator</code>`,
			c.resident + ` <code>resident</code>`,
			`data-action="device.create"`, // the world's devices, named
		} {
			if !strings.Contains(r.body, want) {
				t.Errorf("%s: the audit page lacks %s", c.lang, want)
			}
		}
		if strings.Contains(r.body, `<code class="action">store.item_photo_set</code>`) ||
			strings.Contains(r.body, `<code class="action">device.create</code>`) {
			t.Errorf("%s: the audit page shows a known action by its code", c.lang)
		}
	}
}

// Every action the services record has its name on the audit page: an action added without one
// fails here. The actions are read from the sources of pkg/; the attendance decisions are built
// from the decision's name.
func TestAuditActionsNamed(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob(filepath.Join("..", "pkg", "*"))
	if err != nil {
		t.Fatal(err)
	}
	recorded := regexp.MustCompile(`Action:\s*"([a-z_]+\.[a-z_.]+)"`)
	found := map[string]bool{}
	for _, dir := range dirs {
		if names, _ := filepath.Glob(filepath.Join(dir, "*.go")); len(names) == 0 {
			continue
		}
		for _, src := range webtest.ReadSources(t, dir) {
			for _, m := range recorded.FindAllStringSubmatch(src, -1) {
				found[m[1]] = true
			}
		}
	}
	for _, a := range []string{activity.ActionApprove, activity.ActionAdjust, activity.ActionReject} {
		found["attendance."+a] = true
	}
	// The pattern must still see actions known to be recorded, or this test checks nothing.
	for _, must := range []string{"device.create", "store.item_photo_set", "record.amend"} {
		if !found[must] {
			t.Fatalf("the pattern no longer finds %q: fix the test", must)
		}
	}
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range sortedKeys(found) {
		key, ok := pages.AuditActions[a]
		if !ok {
			t.Errorf("audit action %q has no page key in pages.AuditActions", a)
			continue
		}
		for _, lang := range i18n.Languages {
			if msgs[lang][key] == "" {
				t.Errorf("i18n/locales/%s lacks %s", lang, key)
			}
		}
	}
}
