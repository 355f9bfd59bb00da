package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"timebank/pkg/store"
)

// A store's rules page: the manager finds it in the store's menu, reads the rules in words and
// changes them (a number out of range refused beside its field, nothing changed); a clerk reads them
// without a form and cannot post one; the manager of one store cannot change another's.
func TestStoreRulesPage(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	manager, clerk := signedInAs(t, app, managerSA), signedInAs(t, app, clerkSA)
	page := "/stores/" + id(w.sa.ID) + "/rules"
	want(t, "the store's menu", manager.get("/stores/"+id(w.sa.ID)+"/stock"), 200, `href="`+page+`"`)
	r := manager.get(page)
	want(t, "the rules page", r, 200, "受赠食品须剩余至少 60% 的保质期，或至少 183 天", "网上订单保留 72 小时待取",
		`id="rules-form"`, `value="183"`, `name="_csrf"`)
	inputsLabelled(t, "store rules", r.body)
	for _, english := range []string{"Pickup", "Save", "shelf life"} {
		if strings.Contains(r.body, english) {
			t.Errorf("English %q on the Chinese page", english)
		}
	}
	good := url.Values{"min_shelf_life_percent": {"50"}, "min_shelf_life_days": {"90"}, "pickup_hours": {"48"}, "near_expiry_days": {"10"}}
	bad := url.Values{"min_shelf_life_percent": {"150"}, "min_shelf_life_days": {"九十"}, "pickup_hours": {"48"}, "near_expiry_days": {"10"}}
	r = manager.submit(page, bad)
	want(t, "a refused form", r, 422, `data-testid="error-min_shelf_life_days"`, "必须是正整数", `value="九十"`)
	bad.Set("min_shelf_life_days", "90")
	r = manager.submit(page, bad)
	want(t, "a share over 100", r, 422, `data-testid="error-min_shelf_life_percent"`, "数值超出允许范围", `value="150"`)
	if p, err := d.Store.Policy(ctx, w.sa.ID); err != nil || p != store.DefaultPolicy() {
		t.Fatalf("a refused form changed the rules: %+v %v", p, err)
	}

	want(t, "a clerk's page", clerk.get(page), 200, "网上订单保留 72 小时待取", `id="rules-readonly"`)
	if strings.Contains(clerk.get(page).body, `id="rules-form"`) {
		t.Error("a clerk is shown the form")
	}
	want(t, "a clerk's post", clerk.submit(page, good), 403)
	want(t, "another store's manager", manager.submit("/stores/"+id(w.sb.ID)+"/rules", good), 403)
	if p, _ := d.Store.Policy(ctx, w.sb.ID); p != store.DefaultPolicy() {
		t.Fatalf("another store's rules changed: %+v", p)
	}

	r = manager.submit(page, good)
	want(t, "saved", r, 303)
	if r.location() != page+"?notice=rules-saved" {
		t.Fatalf("saved to %q", r.location())
	}
	want(t, "after saving", manager.get(r.location()), 200, "门店规则已保存", "网上订单保留 48 小时待取")
	if p, _ := d.Store.Policy(ctx, w.sa.ID); p != (store.Policy{MinShelfLifePercent: 50, MinShelfLifeDays: 90, PickupHours: 48, NearExpiryDays: 10}) {
		t.Fatalf("saved rules: %+v", p)
	}

	want(t, "switching to English", manager.submit("/lang", url.Values{"lang": {"en"}, "next": {"/"}}), 303)
	want(t, "in English", manager.get(page), 200, "Online orders wait 48 hours for pickup", "Save rules")
	r = manager.submit(page, url.Values{"min_shelf_life_percent": {"50"}, "min_shelf_life_days": {"90"}, "pickup_hours": {"0"}, "near_expiry_days": {"10"}})
	want(t, "an English refusal", r, 422, `data-testid="error-pickup_hours"`, "out of the allowed range")
}

// The store's rules page in a browser at 360 px and 1366 px, in Chinese and English: the manager
// opens it from the store's menu, a pickup time of 0 is refused beside its field, and the page
// needs no sideways scrolling.
func TestBrowserStoreRules(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d := browserApp(t)
	w := newWorld(t, d)
	ctx := newChrome(t)
	signInWith(t, ctx, base, tablePhone(t, managerSA), testPassword)
	for _, width := range []int{phoneWidth, 1366} {
		for _, lang := range []string{"zh-CN", "en"} {
			useWidth(t, ctx, width)
			useLang(t, ctx, base, lang)
			visit(t, ctx, fmt.Sprintf("%s/stores/%d/rules", base, w.sa.ID))
			fill(t, ctx, "f-pickup_hours", "0")
			submitAndWait(t, ctx, "rules-save", "error-summary")
			step(t, ctx, "the field's error", chromedp.WaitVisible(chromedp.ID("f-pickup_hours-error")))
			fitsWidth(t, ctx, "the rules page", width)
			screenshot(t, ctx, fmt.Sprintf("refused-%s-%d", lang, width))
		}
	}
}
