package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A platform administrator, on a phone and at a 1366 px screen, in Chinese and English: warned on
// 2 December that 2027 is not entered, enters it on the holidays page, and sets an organization's
// credit rules on its policy page (a wrong number refused beside its field first). On the phone the
// holidays page's save button, and the policy page's first field, are above the fold.
func TestBrowserRulesPages(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	for _, width := range []int64{phoneWidth, 1366} {
		t.Run(map[int64]string{phoneWidth: "phone", 1366: "pc"}[width], func(t *testing.T) {
			clock := &rulesClock{t: time.Date(2026, 12, 2, 10, 0, 0, 0, cstZone)}
			app, d := newRulesApp(t, clock)
			base := serve(t, app)
			w := newWorld(t, d)
			ctx := newChrome(t)
			if width == phoneWidth {
				phone(t, ctx)
			} else {
				step(t, ctx, "a 1366 px screen", chromedp.EmulateViewport(1366, pcHeight))
			}
			aboveFold := func(id string) {
				t.Helper()
				if width == phoneWidth {
					waitFor(t, ctx, id+" above the fold", `document.getElementById('`+id+`').getBoundingClientRect().bottom <= window.innerHeight`)
				}
			}
			signInWith(t, ctx, base, tablePhone(t, platform), testPassword)
			visit(t, ctx, base+"/")
			if got := textAt(t, ctx, `[data-testid="holidays-missing"]`); !strings.Contains(got, "2027年的节假日安排尚未录入") {
				t.Errorf("the home page's warning: %q", got)
			}
			submitAndWait(t, ctx, "home-enter-holidays", "holidays-form")
			aboveFold("holidays-save")
			screenshot(t, ctx, "1-holidays-missing-zh")
			setText(t, ctx, "f-days", "2027-01-01 放假 元旦\n2027-01-04 上班 调休\n")
			submitAndWait(t, ctx, "holidays-save", "error-summary")
			if got := textOf(t, ctx, "error-summary"); !strings.Contains(got, "第2行") || !strings.Contains(got, "周六或周日") {
				t.Errorf("a weekday worked: %q", got)
			}
			screenshot(t, ctx, "2-holidays-refused-zh")
			setText(t, ctx, "f-days", "2027-01-01 放假 元旦\n2027-02-06..2027-02-13 放假 春节\n2027-02-20 上班 春节调休\n")
			submitAndWait(t, ctx, "holidays-save", "notice")
			if got := textOf(t, ctx, "holidays-status"); !strings.Contains(got, "2027年已录入") {
				t.Errorf("after saving: %q", got)
			}
			screenshot(t, ctx, "3-holidays-saved-zh")
			step(t, ctx, "switch to English", inMenu("lang-en"),
				chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #holidays-form`)))
			if got := textAt(t, ctx, `[data-testid="holiday-days"] li.workday`); !strings.Contains(got, "Make-up working day") {
				t.Errorf("the English list: %q", got)
			}
			screenshot(t, ctx, "4-holidays-en")

			visit(t, ctx, base+"/orgs/"+id(w.a.ID)+"/policy")
			aboveFold("f-min_redeem_hours") // a long form: it starts above the fold
			fill(t, ctx, "f-min_redeem_hours", "ten")
			submitAndWait(t, ctx, "credits-save", "error-summary")
			if got := textOf(t, ctx, "f-min_redeem_hours-error"); got == "" || strings.ContainsAny(got, "须必") {
				t.Errorf("the English error: %q", got)
			}
			screenshot(t, ctx, "5-policy-refused-en")
			fill(t, ctx, "f-min_redeem_hours", "10")
			submitAndWait(t, ctx, "credits-save", "notice")
			screenshot(t, ctx, "6-policy-saved-en")
			step(t, ctx, "switch to Chinese", inMenu("lang-zh"),
				chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"] #credits-form`)))
			if got := textOf(t, ctx, "effective-title"); got != "现行时间币规则" {
				t.Errorf("the Chinese page: %q", got)
			}
			screenshot(t, ctx, "7-policy-zh")
			if v, err := d.Activities.MinRedeemMinutes(context.Background(), w.a.ID); err != nil || v != 600 {
				t.Errorf("saved minimum: %d %v", v, err)
			}
		})
	}
}

// setText replaces the text of a textarea (typing into an empty one leaves chromedp nothing to clear).
func setText(t *testing.T, ctx context.Context, id, text string) {
	t.Helper()
	step(t, ctx, "set "+id, chromedp.WaitVisible(chromedp.ID(id)), chromedp.SetValue(chromedp.ID(id), text))
}
