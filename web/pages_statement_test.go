package web

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"timebank/pkg/activity"
	who "timebank/pkg/principal"
	"timebank/pkg/store"
	"timebank/web/i18n"
)

// The statement says what happened in the reader's language, from each transaction's kind and
// reference: the activity and day of an earning, what an amendment took back, the store and goods of
// an order. It shows no stored memo and no id, and a Chinese statement has no English words of ours.
func TestStatementNamesWhatHappened(t *testing.T) {
	t.Parallel()
	app, d, clk := newActivityApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	f := newHomeFixture(t, d, clk, w)
	if _, err := d.Activities.Amend(ctx, f.lead, f.record.ID, activity.Amendment{Revision: 1, Minutes: 60, Reason: "签到表核实"}); err != nil {
		t.Fatal(err)
	}
	rice := f.rice
	soap, err := d.Store.CreateItem(ctx, storeOperator, w.sa.ID, store.NewItem{Name: "硫磺皂", Category: "daily", Unit: "块", Price: 30})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []store.DonationLine{{Item: rice.ID, Qty: 3, BestBefore: bestBefore(300)}, {Item: soap.ID, Qty: 3}} {
		if _, err := d.Store.RecordDonation(ctx, storeOperator, w.sa.ID, fmt.Sprintf("statement-%d", w.next()),
			store.NewDonation{Donor: store.Donor{Kind: store.DonorAnonymous}, Lines: []store.DonationLine{l}}); err != nil {
			t.Fatal(err)
		}
	}
	vol, err := d.Users.ByID(ctx, w.users[volunteer])
	if err != nil {
		t.Fatal(err)
	}
	fund(t, d, w.a.AccountCode, vol, 600)
	o, err := d.Store.PlaceOrder(ctx, &who.Principal{UserID: vol.ID, Name: vol.Name}, "statement-order",
		store.NewOrder{Store: w.sa.ID, Lines: []store.OrderLine{{Item: rice.ID, Qty: 1}, {Item: soap.ID, Qty: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Store.Fulfil(ctx, storeOperator, o.ID, nil, ""); err != nil {
		t.Fatal(err)
	}

	phone := actSignIn(t, app, volunteer)
	page := phone.get("/me/balance")
	actWantPage(t, "the statement", page, 200, "服务时长：河道清洁（3月10日）", "撤回：服务时长：河道清洁（3月10日）",
		"硖石公益仓订单：五常大米 ×1，另有 1 种物品", "公益仓兑换", "冲正")
	statement := page.body[strings.Index(page.body, `id="statement"`):]
	for _, stored := range []string{"service record", "revision", "公益仓订单 ", "reversal of"} {
		if strings.Contains(statement, stored) {
			t.Errorf("the statement shows the stored memo %q", stored)
		}
	}
	if m := regexp.MustCompile(`<span class="memo">[^<]*[A-Za-z][^<]*</span>`).FindString(statement); m != "" {
		t.Errorf("English in the Chinese statement: %s", m)
	}
	phone.jar[i18n.CookieLang] = "en"
	actWantPage(t, "the statement in English", phone.get("/me/balance"), 200, "Service: 河道清洁, 10 Mar",
		"Taken back: Service: 河道清洁, 10 Mar", "Order at 硖石公益仓: 五常大米 ×1, with 1 more")
}
