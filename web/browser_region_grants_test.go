package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"timebank/pkg/access"
)

// A street's administrator, on a phone and at a 1366 px screen, in Chinese and then English: from
// the street's page opens its people and roles, types a number nobody registered with (told so
// beside the field), grants a registered person the grid worker's role (the number shown masked
// after), and revokes it after the question. On the phone the grant button is above the fold, and
// no page is wider than the screen.
func TestBrowserRegionGrants(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	for _, width := range []int{phoneWidth, 1366} {
		t.Run(map[int]string{phoneWidth: "phone", 1366: "pc"}[width], func(t *testing.T) {
			base, d := browserApp(t)
			w := newWorld(t, d)
			regionPerson(t, d, "13700000007", "徐海燕", access.RegionAdmin, w.regionIn)
			regionPerson(t, d, "13700000001", "李建国", "", "")
			regionPerson(t, d, "13700000002", "Wang Fang", "", "")
			ctx := newChrome(t)
			if width == phoneWidth {
				phone(t, ctx)
			} else {
				step(t, ctx, "a 1366 px screen", chromedp.EmulateViewport(1366, pcHeight))
			}
			checkFold := func(what string) {
				t.Helper()
				fitsWidth(t, ctx, what, width)
				if width == phoneWidth {
					waitFor(t, ctx, "the grant button above the fold", `document.getElementById('grant-submit').getBoundingClientRect().bottom <= window.innerHeight`)
				}
			}
			signInWith(t, ctx, base, "13700000007", testPassword)
			visit(t, ctx, base+"/regions/"+w.regionIn)
			submitAndWait(t, ctx, "region-roles", "grant-form")
			checkFold("the roles page")
			if got := textOf(t, ctx, "holders"); !strings.Contains(got, "徐海燕") || !strings.Contains(got, "（您本人）") {
				t.Errorf("the list: %q", got)
			}
			screenshot(t, ctx, "1-roles-zh")

			grant := func(number, role, next string) {
				t.Helper()
				fill(t, ctx, "f-phone", number)
				step(t, ctx, "choose "+role, chromedp.SetValue(chromedp.ID("f-role"), role))
				submitAndWait(t, ctx, "grant-submit", next)
			}
			grant("13799999999", "grid_worker", "f-phone-error")
			if got := textOf(t, ctx, "f-phone-error"); !strings.Contains(got, "这个手机号还没有注册") {
				t.Errorf("an unregistered number: %q", got)
			}
			screenshot(t, ctx, "2-unregistered-zh")
			grant("13700000001", "grid_worker", "notice")
			if got := textOf(t, ctx, "notice"); got != "已将“网格员”角色授予 李建国（137****0001）。" {
				t.Errorf("after the grant: %q", got)
			}
			if got := textAt(t, ctx, "li.just-granted"); !strings.Contains(got, "网格员") || !strings.Contains(got, "由徐海燕授予") {
				t.Errorf("the new line: %q", got)
			}
			checkFold("the page after a grant")
			screenshot(t, ctx, "3-granted-zh")
			step(t, ctx, "open the question", chromedp.Click(chromedp.CSS("li.just-granted a[data-testid=revoke]")),
				chromedp.WaitVisible(chromedp.ID("revoke-form")))
			fitsWidth(t, ctx, "the question", width)
			if got := textOf(t, ctx, "revoke-question"); !strings.Contains(got, "确定撤销 李建国 在硖石街道的“网格员”角色吗？") {
				t.Errorf("the question: %q", got)
			}
			screenshot(t, ctx, "4-revoke-question-zh")
			submitAndWait(t, ctx, "revoke-confirm", "notice")
			if got := textOf(t, ctx, "holders"); strings.Contains(got, "李建国") {
				t.Errorf("the revoked role is still listed: %q", got)
			}
			screenshot(t, ctx, "5-revoked-zh")

			step(t, ctx, "switch to English", inMenu("lang-en"),
				chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #grant-form`)))
			// The revocation's notice is still on the page: take it away, so that the wait after the
			// click is for the next page's notice, not for this one.
			step(t, ctx, "take the revocation's notice away", func(c context.Context, tg *chromedp.Target) (chromedp.Void, error) {
				_, err := chromedp.Evaluate[bool](`document.getElementById('notice')?.remove(); true`)(c, tg)
				return chromedp.Void{}, err
			})
			grant("13700000002", "region_admin", "notice")
			if got := textOf(t, ctx, "notice"); got != "Wang Fang (137****0002) now holds the role “Region admin”." {
				t.Errorf("after the grant in English: %q", got)
			}
			checkFold("the English page")
			screenshot(t, ctx, "6-granted-en")
			step(t, ctx, "open the question in English", chromedp.Click(chromedp.CSS("li.just-granted a[data-testid=revoke]")),
				chromedp.WaitVisible(chromedp.ID("revoke-form")))
			if got := textOf(t, ctx, "revoke-question"); !strings.HasPrefix(got, "Revoke Wang Fang's role") {
				t.Errorf("the English question: %q", got)
			}
			screenshot(t, ctx, "7-revoke-question-en")
			submitAndWait(t, ctx, "revoke-cancel", "grant-form")
			if got := textOf(t, ctx, "holders"); !strings.Contains(got, "Wang Fang") {
				t.Errorf("cancelling revoked the role: %q", got)
			}
		})
	}
}
