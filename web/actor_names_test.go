package web

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"timebank/pkg/access"
	"timebank/pkg/activity"
	"timebank/pkg/identity"
	who "timebank/pkg/principal"
	"timebank/web/i18n"
)

// revisionCell returns the "who" cell of a revision's row on the record page.
func revisionCell(t *testing.T, body string, n int) string {
	t.Helper()
	row := regexp.MustCompile(`(?s)<tr id="revision-` + id(int64(n)) + `".*?</tr>`).FindString(body)
	cells := regexp.MustCompile(`<td>([^<]*)<br>`).FindAllStringSubmatch(row, -1)
	if len(cells) == 0 {
		t.Fatalf("no row or who cell of revision %d in the page\n%s", n, body)
	}
	return cells[0][1]
}

// The record history names who made each revision: a device by its kind and name, the operator as
// the system administrator, a person by name, in the reader's language; never by the raw label.
func TestRecordHistoryActorNames(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	f := actFixturesOf(t, w)
	ctx := context.Background()
	gate, _, err := d.Users.CreateDevice(ctx, identity.Change{Actor: who.Operator()}, access.Kiosk, w.a.ID, 0, "东门")
	if err != nil {
		t.Fatal(err)
	}
	rec := f.rec[0]
	for i, by := range []*who.Principal{
		{DeviceID: gate.ID},
		who.Operator(),
		{UserID: w.users[coordA], Name: coordA},
	} {
		am := activity.Amendment{Revision: i + 1, Minutes: int64(30 + i), Reason: "签到表核实"}
		if _, err := d.Activities.Amend(ctx, by, rec, am); err != nil {
			t.Fatalf("amendment by %s: %v", by.Label(), err)
		}
	}

	for _, c := range []struct{ lang, device, operator string }{
		{"zh-CN", "签到设备 · 东门", "系统管理员"},
		{"en", "Kiosk · 东门", "Operator"},
	} {
		b := browserAs(t, app, coordA)
		b.jar[i18n.CookieLang] = c.lang // the log-in set the person's language
		r := b.get("/records/" + id(rec))
		if r.status != 200 {
			t.Fatalf("%s: record page: %d\n%s", c.lang, r.status, r.body)
		}
		for n, want := range map[int]string{2: c.device, 3: c.operator, 4: coordA} {
			if got := revisionCell(t, r.body, n); got != want {
				t.Errorf("%s: revision %d is by %q, want %q", c.lang, n, got, want)
			}
		}
		if strings.Contains(r.body, "device:"+id(gate.ID)) || strings.Contains(r.body, ">operator<") {
			t.Errorf("%s: the page shows a raw actor label", c.lang)
		}
	}
}
