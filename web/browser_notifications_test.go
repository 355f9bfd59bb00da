package web

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"timebank/pkg/identity"
	"timebank/pkg/notify"
)

// headerOneRowPC is true when the counter PC's bar (language switch, name and sign-out, bell) is
// one row and there is no menu button.
const headerOneRowPC = `(() => {
  const tops = Array.from(document.querySelectorAll('.top .tools > *, #header-notices')).map(e => e.getBoundingClientRect().top);
  return tops.length === 3 && Math.max(...tops) - Math.min(...tops) < 8 &&
    document.getElementById('menu-button').offsetParent === null;
})()`

// headerOneRow is true when the phone's header is one row, the bell in it beside the menu button,
// and the page is no wider than the screen.
const headerOneRow = `(() => {
  const bell = document.getElementById('header-notices').getBoundingClientRect();
  const menu = document.getElementById('menu-button').getBoundingClientRect();
  const header = document.querySelector('header.top').getBoundingClientRect();
  return bell.height > 0 && Math.abs(bell.top + bell.height / 2 - (menu.top + menu.height / 2)) < 8 &&
    header.height < 1.8 * menu.height && document.documentElement.scrollWidth <= window.innerWidth;
})()`

// badgeIs is true when the header's count shows n (hidden for 0).
func badgeIs(n int) string {
	if n == 0 {
		return `document.getElementById('header-unread').hidden === true`
	}
	return fmt.Sprintf(`(() => { const c = document.getElementById('header-unread');
  return !c.hidden && c.textContent.trim() === '%d'; })()`, n)
}

// A volunteer on a phone sees the unread count in the header of every page, opens the inbox, and
// a notice delivered meanwhile comes in live (the count and the list, without a reload); opening a
// notice marks it read, and "mark all read" clears the count. In both languages, on a 360 px phone
// and a 1366 px PC, the header stays one row.
// It runs alone, not beside the other browser tests: on a loaded machine its live inbox refresh was
// seen to miss the new notice twice in six runs (the count arrived, the list did not); see the note.
func TestBrowserNotifications(t *testing.T) {
	t.Parallel()
	base, d := browserApp(t)
	ctx := newChrome(t)
	phone(t, ctx)
	const number = "13757579876"
	u, err := d.Users.Register(context.Background(), identity.Registration{Phone: number, Name: "沈小燕", Password: testPass})
	if err != nil {
		t.Fatal(err)
	}
	tell(t, d, noticeOf(u.ID, notify.HoursVerified, "record:1:rev:1"))
	tell(t, d, noticeOf(u.ID, notify.OrderReady, "order:1:ready"))
	signInWith(t, ctx, base, number, testPass)
	waitFor(t, ctx, "the balance page's header counts 2 unread", badgeIs(2))
	waitFor(t, ctx, "the phone header is one row", headerOneRow)
	screenshot(t, ctx, "1-header-phone-zh")

	step(t, ctx, "open the inbox from the bell", chromedp.Click(chromedp.ID("header-notices")),
		chromedp.WaitVisible(chromedp.ID("inbox-list")))
	waitFor(t, ctx, "two notices, both unread", `document.querySelectorAll('#inbox-list .inbox-item.unread').length === 2`)
	step(t, ctx, "mark the page", script(`window.notReloaded = true`))
	tell(t, d, noticeOf(u.ID, notify.ActivityCancelled, "activity:1:cancelled"))
	waitFor(t, ctx, "the count goes to 3 without a reload", `window.notReloaded === true && `+badgeIs(3))
	waitFor(t, ctx, "the new notice heads the list without a reload", `window.notReloaded === true &&
  document.querySelectorAll('#inbox-list .inbox-item').length === 3 &&
  document.querySelector('#inbox-list .inbox-item').textContent.includes('敬老院探访')`)
	if got := textOf(t, ctx, "inbox-unread"); got != "3 条未读" {
		t.Errorf("the inbox says %q", got)
	}
	screenshot(t, ctx, "2-inbox-phone-zh")

	step(t, ctx, "switch to English", inMenu("lang-en"),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #inbox-list`)))
	waitFor(t, ctx, "the English notices", `document.querySelector('#inbox-list .inbox-item').textContent.includes('has been cancelled')`)
	waitFor(t, ctx, "the English phone header is one row", headerOneRow)
	screenshot(t, ctx, "3-inbox-phone-en")

	step(t, ctx, "a counter PC's screen", chromedp.EmulateViewport(1366, 768))
	visit(t, ctx, base+"/me/notifications")
	waitFor(t, ctx, "the PC header is one row", headerOneRowPC)
	screenshot(t, ctx, "4-inbox-pc-en")
	step(t, ctx, "switch to Chinese", inMenu("lang-zh"),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"] #inbox-list`)))
	screenshot(t, ctx, "5-inbox-pc-zh")

	// Opening the cancelled activity's notice leads to the person's activities and marks it read.
	step(t, ctx, "open the newest notice: it leads to my activities", chromedp.Click(chromedp.CSS(`#inbox-list .inbox-item a`)),
		chromedp.WaitVisible(chromedp.ID("mine-upcoming")))
	for i := 0; ; i++ {
		visit(t, ctx, base+"/me/notifications")
		if evalIn[bool](t, ctx, "unread count", badgeIs(2)) {
			break
		}
		if i == 20 {
			t.Fatal("the opened notice is still unread")
		}
	}
	waitFor(t, ctx, "the opened notice is no longer highlighted",
		`!document.querySelector('#inbox-list .inbox-item').classList.contains('unread')`)

	step(t, ctx, "mark all read", chromedp.Click(chromedp.ID("inbox-read-all")),
		chromedp.WaitNotPresent(chromedp.ID("inbox-read-all")), chromedp.WaitVisible(chromedp.CSS(`#inbox-list`)))
	waitFor(t, ctx, "the count is gone", badgeIs(0)+` && document.querySelectorAll('.inbox-item.unread').length === 0`)
	if got := textOf(t, ctx, "inbox-unread"); got != "没有未读通知" {
		t.Errorf("after reading all the inbox says %q", got)
	}
	screenshot(t, ctx, "6-inbox-read-pc-zh")
	visit(t, ctx, base+"/")
	tell(t, d, noticeOf(u.ID, notify.OrderReady, "order:2:ready"))
	waitFor(t, ctx, "a new notice on the home page shows at once", badgeIs(1))
	screenshot(t, ctx, "7-home-pc-zh")
}
