package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"timebank/pkg/activity"
	"timebank/pkg/store"
)

// The catalogue tells a signed-in volunteer, before they order, what they can take: the units left
// under an item's limit this period (and the quantity field goes no higher), the limit reached
// (the field closed), and the stars an item needs that they do not have.
func TestCatalogueShowsAllowance(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	rice, soap := storeItems(t, d, w.sa.ID)
	oil, err := d.Store.CreateItem(ctx, storeOperator, w.sa.ID, store.NewItem{Name: "花生油", Category: "grain_oil", Unit: "桶",
		Price: 120, MinStars: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Store.RecordDonation(ctx, storeOperator, w.sa.ID, "stock", store.NewDonation{Donor: store.Donor{Kind: store.DonorAnonymous},
		Lines: []store.DonationLine{{Item: rice.ID, Qty: 5, BestBefore: bestBefore(300)}, {Item: soap.ID, Qty: 5}, {Item: oil.ID, Qty: 5, BestBefore: bestBefore(300)}}}); err != nil {
		t.Fatal(err)
	}
	vol, _ := d.Users.ByID(ctx, w.users[volunteer])
	fund(t, d, w.a.AccountCode, vol, 600)
	sa := "/stores/" + id(w.sa.ID)

	if r := newBrowser(t, app).get(sa); strings.Contains(r.body, `id="item-`+id(rice.ID)+`-left"`) {
		t.Error("a visitor is told a personal allowance")
	}
	phone := signedInAs(t, app, volunteer)
	cat := phone.get(sa)
	want(t, "catalogue", cat, 200, "本期您还可兑换 2 袋", "需 1 星级志愿者（您现在 0 星）",
		`id="qty-`+id(rice.ID)+`" name="qty-`+id(rice.ID)+`" type="number" inputmode="numeric" min="0" max="2"`)
	if !strings.Contains(cat.body, `id="qty-`+id(oil.ID)+`" name="qty-`+id(oil.ID)+`" type="number" inputmode="numeric" min="0" max="0" step="1" value="" disabled`) {
		t.Error("the starred item can be put in the cart")
	}
	if strings.Contains(cat.body, `id="item-`+id(soap.ID)+`-left"`) {
		t.Error("an item without a limit shows an allowance")
	}
	want(t, "order", phone.submit(sa+"/order", url.Values{"key": {valueOf(t, cat.body, "key")}, "qty-" + id(rice.ID): {"1"}}), 303)
	want(t, "after one", phone.get(sa), 200, "本期您还可兑换 1 袋", `max="1"`)
	cat = phone.get(sa)
	want(t, "order", phone.submit(sa+"/order", url.Values{"key": {valueOf(t, cat.body, "key")}, "qty-" + id(rice.ID): {"1"}}), 303)
	cat = phone.get(sa)
	want(t, "after two", cat, 200, "本期您已达兑换上限")
	if !strings.Contains(cat.body, `id="qty-`+id(rice.ID)+`" name="qty-`+id(rice.ID)+`" type="number" inputmode="numeric" min="0" max="0" step="1" value="" disabled`) {
		t.Error("the rice can still be put in the cart past its limit")
	}
	phone.submit("/lang", url.Values{"lang": {"en"}, "next": {sa}})
	want(t, "in English", phone.get(sa), 200, "You have reached this period&#39;s limit", "Needs a 1-star volunteer (you have 0)")
}

// Where the store's organization asks for verified service before a first exchange, the catalogue
// tells a volunteer below it how much is asked and how much they have, and closes every quantity
// field, before they order; without the minimum (or with enough service) nothing is said.
func TestCatalogueShowsFirstRedemptionMinimum(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	_, soap := storeItems(t, d, w.sa.ID)
	if _, err := d.Store.RecordDonation(ctx, storeOperator, w.sa.ID, "stock", store.NewDonation{Donor: store.Donor{Kind: store.DonorAnonymous},
		Lines: []store.DonationLine{{Item: soap.ID, Qty: 5}}}); err != nil {
		t.Fatal(err)
	}
	vol, _ := d.Users.ByID(ctx, w.users[volunteer])
	fund(t, d, w.a.AccountCode, vol, 600) // credits, but no verified service
	setMinimum := func(hours int64) {
		t.Helper()
		if _, err := d.Activities.SetCreditPolicy(ctx, storeOperator, activity.CreditScope{Kind: activity.ScopeOrg, OrgID: w.a.ID},
			activity.CreditPolicy{MinRedeemHours: &hours}); err != nil {
			t.Fatal(err)
		}
	}
	sa := "/stores/" + id(w.sa.ID)
	phone := signedInAs(t, app, volunteer)
	if r := phone.get(sa); strings.Contains(r.body, `id="catalog-first-redemption"`) {
		t.Fatal("a minimum is shown where the organization asks none")
	}
	setMinimum(10)
	cat := phone.get(sa)
	want(t, "below the minimum", cat, 200, `id="catalog-first-redemption"`, "已核实的志愿服务满 10 小时，您现在有 0 分钟",
		`id="item-`+id(soap.ID)+`-left" data-testid="item-`+id(soap.ID)+`-left">需先满足上方的服务时长要求`)
	if !strings.Contains(cat.body, `id="qty-`+id(soap.ID)+`" name="qty-`+id(soap.ID)+`" type="number" inputmode="numeric" min="0" max="0" step="1" value="" disabled`) {
		t.Error("an item can be put in the cart below the minimum")
	}
	if r := newBrowser(t, app).get(sa); strings.Contains(r.body, `id="catalog-first-redemption"`) {
		t.Error("a visitor is told a personal minimum")
	}
	phone.submit("/lang", url.Values{"lang": {"en"}, "next": {sa}})
	want(t, "in English", phone.get(sa), 200, "asks for 10 h of verified volunteer service before a first exchange; you have 0 min")
	setMinimum(0)
	if r := phone.get(sa); strings.Contains(r.body, `id="catalog-first-redemption"`) ||
		strings.Contains(r.body, `id="qty-`+id(soap.ID)+`" name="qty-`+id(soap.ID)+`" type="number" inputmode="numeric" min="0" max="0"`) {
		t.Error("the minimum is still shown once the organization asks none")
	}
}
