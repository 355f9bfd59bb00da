package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"timebank/pkg/activity"
)

// The credit policy pages of the platform and of a region: linked from the regions pages for those
// who may set them, a wrong number refused beside its field with nothing changed, and saved; the
// region's staff change their region's defaults only.
func TestCreditDefaultsPages(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	newWorld(t, d)
	ctx := context.Background()
	admin, staff := signedInAs(t, app, platform), signedInAs(t, app, regionXS)
	want(t, "the platform's regions page", admin.get("/regions"), 200, `href="/admin/credit-policy"`)
	if strings.Contains(staff.get("/regions").body, `href="/admin/credit-policy"`) {
		t.Error("region staff are shown the platform's credit policy")
	}
	r := admin.get("/admin/credit-policy")
	want(t, "the platform's page", r, 200, "平台时间币规则", "不填则用系统默认", `id="credits-form"`, `name="_csrf"`)
	inputsLabelled(t, "platform credits", r.body)
	if strings.Contains(r.body, "Save") {
		t.Error("English on the Chinese page")
	}
	r = admin.submit("/admin/credit-policy", url.Values{"min_redeem_hours": {"两小时"}})
	want(t, "a refused form", r, 422, `data-testid="error-min_redeem_hours"`, "必须是正整数", `value="两小时"`)
	platformScope := activity.CreditScope{Kind: activity.ScopePlatform}
	if v, err := d.Activities.CreditPolicy(ctx, platformScope); err != nil || v.Own != (activity.CreditPolicy{}) {
		t.Fatalf("a refused form changed the policy: %+v %v", v.Own, err)
	}
	r = admin.submit("/admin/credit-policy", url.Values{"min_redeem_hours": {"2"}})
	want(t, "saved", r, 303)
	if r.location() != "/admin/credit-policy?notice=policy-saved" {
		t.Fatalf("saved to %q", r.location())
	}
	want(t, "after saving", admin.get(r.location()), 200, "规则已保存", `value="2"`)
	if v, _ := d.Activities.CreditPolicy(ctx, platformScope); v.Own.MinRedeemHours == nil || *v.Own.MinRedeemHours != 2 {
		t.Fatalf("saved platform policy: %+v", v.Own)
	}

	region := "/regions/330481001000"
	want(t, "the region's page", staff.get(region), 200, `href="`+region+`/credit-policy"`)
	want(t, "the region's policy page", staff.get(region+"/credit-policy"), 200, "不填则沿用上级：2小时")
	r = staff.submit(region+"/credit-policy", url.Values{"max_transfer_hours": {"0"}})
	want(t, "a transfer cap of 0", r, 422, `data-testid="error-max_transfer_hours"`)
	want(t, "another region", staff.submit("/regions/330483000000/credit-policy", url.Values{"min_redeem_hours": {"4"}}), 403)
	want(t, "saved region", staff.submit(region+"/credit-policy", url.Values{"min_redeem_hours": {"3"}}), 303)
	v, err := d.Activities.CreditPolicy(ctx, activity.CreditScope{Kind: activity.ScopeRegion, Region: "330481001000"})
	if err != nil || v.Own.MinRedeemHours == nil || *v.Own.MinRedeemHours != 3 || v.Own.MaxTransferHours != nil {
		t.Fatalf("saved region policy: %+v %v", v.Own, err)
	}

	want(t, "switching to English", staff.submit("/lang", url.Values{"lang": {"en"}, "next": {"/"}}), 303)
	want(t, "in English", staff.get(region+"/credit-policy"), 200, "Time credit rules of", "Empty: 2 h")
}

// The platform's credit policy page in a browser at 360 px and 1366 px, in Chinese and English: a
// wrong number is refused beside its field and the page needs no sideways scrolling.
func TestBrowserCreditDefaults(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d := browserApp(t)
	newWorld(t, d)
	ctx := newChrome(t)
	signInWith(t, ctx, base, tablePhone(t, platform), testPassword)
	for _, width := range []int{phoneWidth, 1366} {
		for _, lang := range []string{"zh-CN", "en"} {
			useWidth(t, ctx, width)
			useLang(t, ctx, base, lang)
			visit(t, ctx, base+"/admin/credit-policy")
			fill(t, ctx, "f-min_redeem_hours", "ten")
			submitAndWait(t, ctx, "credits-save", "error-summary")
			step(t, ctx, "the field's error", chromedp.WaitVisible(chromedp.ID("f-min_redeem_hours-error")))
			fitsWidth(t, ctx, "the credit policy page", width)
			screenshot(t, ctx, fmt.Sprintf("refused-%s-%d", lang, width))
		}
	}
}
