package web

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// The header on a phone is one row (the service's name, the bell and a menu button); the menu
// opens the language, the person with sign-out, and the navigation. On a counter PC everything is
// in the bar and there is no menu button. Screenshots in both languages at both widths.
func TestBrowserPhoneHeader(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d := browserApp(t)
	newWorld(t, d)
	tab := newChrome(t)
	phone(t, tab)
	signInWith(t, tab, base, worldPhone(volunteer), testPassword)
	oneRow := `document.querySelector('header.top').getBoundingClientRect().height < 1.8 * document.getElementById('menu-button').getBoundingClientRect().height`
	for _, lang := range []string{"zh", "en"} {
		if lang == "en" {
			step(t, tab, "switch to English", inMenu("lang-en"), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #page-title`)))
		}
		waitFor(t, tab, "the header is one row", oneRow)
		if n := evalNumber(t, tab, "visible nav links", `Array.from(document.querySelectorAll('#nav a')).filter(a => a.offsetParent !== null).length`); n != 0 {
			t.Errorf("%s: %v navigation links show in the closed header", lang, n)
		}
		screenshot(t, tab, "phone-"+lang)
		step(t, tab, "open the menu", chromedp.Click(chromedp.ID("menu-button")), chromedp.WaitVisible(chromedp.ID("nav-balance")),
			chromedp.WaitVisible(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("lang-zh")))
		if got := attrAt(t, tab, "#menu-button", "aria-expanded"); got != "true" {
			t.Errorf("%s: the open menu's button says aria-expanded=%q", lang, got)
		}
		screenshot(t, tab, "phone-menu-"+lang)
		step(t, tab, "close the menu", chromedp.Click(chromedp.ID("menu-button")))
		waitFor(t, tab, "the menu closes", `document.getElementById('nav-balance').offsetParent === null`)
	}

	pc := newChrome(t)
	signInWith(t, pc, base, worldPhone(volunteer), testPassword)
	waitFor(t, pc, "the bar shows everything", `document.getElementById('nav-balance').offsetParent !== null && `+
		`document.getElementById('logout').offsetParent !== null && document.getElementById('menu-button').offsetParent === null`)
	screenshot(t, pc, "pc-en")
	step(t, pc, "switch to Chinese", inMenu("lang-zh"), chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"] #page-title`)))
	screenshot(t, pc, "pc-zh")
}
