package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"timebank/pkg/activity"
	who "timebank/pkg/principal"
	"timebank/pkg/store"
)

// What needs each person, looked at as they would, on a 360 px phone and a 1366 px screen, in
// Chinese and English: a coordinator's home with what waits and what is due soon, a clerk's home
// with orders and low stock, a volunteer's home and statement in words, and a newcomer's catalogue
// that says the service asked before a first exchange.
func TestBrowserHomeAndStatement(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	for _, width := range []int64{phoneWidth, 1366} {
		t.Run(map[int64]string{phoneWidth: "phone", 1366: "pc"}[width], func(t *testing.T) {
			app, d, clk := newActivityApp(t)
			base := serve(t, app)
			w := newWorld(t, d)
			newHomeFixture(t, d, clk, w)
			ctx := context.Background()
			soap, err := d.Store.CreateItem(ctx, storeOperator, w.sa.ID, store.NewItem{Name: "硫磺皂", Category: "daily", Unit: "块", Price: 30})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.Store.RecordDonation(ctx, storeOperator, w.sa.ID, fmt.Sprintf("home-%d", w.next()),
				store.NewDonation{Donor: store.Donor{Kind: store.DonorAnonymous}, Lines: []store.DonationLine{{Item: soap.ID, Qty: 8}}}); err != nil {
				t.Fatal(err)
			}
			vol := w.users[volunteer]
			o, err := d.Store.PlaceOrder(ctx, &who.Principal{UserID: vol, Name: "志愿者"}, "home-order",
				store.NewOrder{Store: w.sa.ID, Lines: []store.OrderLine{{Item: soap.ID, Qty: 2}}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.Store.Fulfil(ctx, storeOperator, o.ID, nil, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Store.PlaceOrder(ctx, &who.Principal{UserID: vol, Name: "志愿者"}, "home-order-2",
				store.NewOrder{Store: w.sa.ID, Lines: []store.OrderLine{{Item: soap.ID, Qty: 1}}}); err != nil {
				t.Fatal(err)
			}
			minHours := int64(10)
			if _, err := d.Activities.SetCreditPolicy(ctx, storeOperator, activity.CreditScope{Kind: activity.ScopeOrg, OrgID: w.a.ID},
				activity.CreditPolicy{MinRedeemHours: &minHours}); err != nil {
				t.Fatal(err)
			}
			clk.Set(time.Date(2025, 3, 21, 10, 0, 0, 0, actCST)) // the records are due on Monday

			a, sa := id(w.a.ID), id(w.sa.ID)
			// person signs in with the phone number and looks at each page in Chinese, then English:
			// path, screenshot name, the test id of the part to read, and "zh|en" text it must hold.
			person := func(name, phoneNumber string, shots ...[4]string) {
				t.Helper()
				tab := newChrome(t)
				if width == phoneWidth {
					phone(t, tab)
				} else {
					step(t, tab, "a 1366 px screen", chromedp.EmulateViewport(1366, pcHeight))
				}
				signInWith(t, tab, base, phoneNumber, testPassword)
				for _, lang := range []string{"zh", "en"} {
					if lang == "en" {
						step(t, tab, "switch to English", inMenu("lang-en"), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #page-title`)))
					}
					for _, s := range shots {
						visit(t, tab, base+s[0])
						wants := strings.SplitN(s[3], "|", 2)
						want := wants[0]
						if lang == "en" {
							want = wants[1]
						}
						if got := textAt(t, tab, `[data-testid="`+s[2]+`"]`); !strings.Contains(got, want) {
							t.Errorf("%s, %s in %s: %q, want %q in it", name, s[1], lang, got, want)
						}
						screenshot(t, tab, name+"-"+s[1]+"-"+lang)
					}
				}
			}
			person("coordinator", worldPhone(coordA), [4]string{"/", "home", "need-org-" + a, "即将到期 1 条|due soon: 1"})
			person("clerk", worldPhone(clerkSA), [4]string{"/", "home", "need-store-" + sa, "待取货的订单：1 个|Orders to hand out: 1"})
			person("volunteer", worldPhone(volunteer),
				[4]string{"/", "home", "need-mine", "可用时间币|Time credits available"},
				[4]string{"/me/balance", "statement", "statement", "硖石公益仓订单：硫磺皂 ×2|Order at 硖石公益仓: 硫磺皂 ×2"})
			person("newcomer", w.spare.Phone, [4]string{"/stores/" + sa, "catalogue", "catalog-first-redemption", "满 10 小时|10 h of verified"})
		})
	}
}
