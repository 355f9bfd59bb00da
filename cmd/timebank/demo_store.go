package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"timebank/pkg/app"
	"timebank/pkg/principal"
	"timebank/pkg/store"
)

// demoItem is a line of the demo catalogue of 硖石街道公益仓; prices are in credit minutes.
type demoItem struct {
	name, category, unit string
	price                int64
	limit                int
	period               store.Period
	stars, lowStock      int
}

// demoCatalogue is what a street's 公益仓 usually offers: grain and oil with a monthly limit, daily
// goods, and one small appliance kept for three-star volunteers.
var demoCatalogue = []demoItem{
	{"东北大米 5kg", "grain_oil", "袋", 180, 1, store.Month, 0, 5},
	{"菜籽油 5L", "grain_oil", "桶", 240, 1, store.Month, 0, 5},
	{"挂面 1kg", "grain_oil", "包", 30, 4, store.Month, 0, 10},
	{"土鸡蛋 30枚", "food", "盒", 90, 1, store.Week, 0, 5},
	{"纯牛奶 250ml×12", "food", "箱", 120, 1, store.Month, 0, 5},
	{"吐司面包", "food", "袋", 20, 2, store.Week, 0, 0},
	{"洗衣液 2kg", "daily", "瓶", 90, 2, store.Month, 0, 5},
	{"牙膏 120g", "daily", "支", 30, 0, "", 0, 10},
	{"纯棉毛巾", "daily", "条", 30, 0, "", 0, 10},
	{"抽纸 3包装", "daily", "提", 45, 2, store.Month, 0, 10},
	{"香皂", "daily", "块", 15, 0, "", 0, 10},
	{"保温杯 500ml", "daily", "个", 120, 1, store.Quarter, 0, 2},
	{"老人护膝", "clothing", "副", 60, 0, "", 0, 3},
	{"小学生书包", "stationery", "个", 90, 1, store.Quarter, 0, 3},
	{"电饭煲 3L", "appliance", "台", 600, 1, store.Quarter, 3, 2},
}

// demoDonation is a donation of the demo with its fixed idempotency key.
type demoDonation struct {
	key   string
	donor store.Donor
	note  string
	lines []demoLine
}

// demoLine is a donated line; best-before and production dates are days from today, 0 for none.
type demoLine struct {
	item           string
	qty            int
	bestBefore     int
	producedBefore int
	valueYuan      int64
}

// demoDonations come from a merchant, a resident who stays anonymous, the city's volunteers'
// federation and a bakery whose bread and eggs are near their date (so the stock page warns).
func demoDonations(world *demoWorld) []demoDonation {
	return []demoDonation{
		{"demo:donation:merchant", store.Donor{Kind: store.DonorMerchant, Name: "海宁市硖石邻里惠民超市", Phone: "13957312345"},
			"中秋节前爱心捐赠", []demoLine{
				{"东北大米 5kg", 40, 300, 0, 1400}, {"菜籽油 5L", 30, 400, 0, 2070}, {"挂面 1kg", 60, 240, 0, 540},
				{"纯牛奶 250ml×12", 20, 170, 10, 1100}, {"洗衣液 2kg", 24, 0, 0, 720}, {"牙膏 120g", 50, 700, 0, 600},
				{"抽纸 3包装", 40, 0, 0, 600}}},
		{"demo:donation:resident", store.Donor{Kind: store.DonorAnonymous}, "东山社区居民送来，不愿留名", []demoLine{
			{"纯棉毛巾", 30, 0, 0, 450}, {"香皂", 20, 0, 0, 100}, {"保温杯 500ml", 3, 0, 0, 180}}},
		{"demo:donation:org", store.Donor{Kind: store.DonorOrganization, Name: world.yigong.Name}, "义卖所得购置", []demoLine{
			{"电饭煲 3L", 2, 0, 0, 398}, {"小学生书包", 15, 0, 0, 900}, {"老人护膝", 10, 0, 0, 350}}},
		{"demo:donation:bakery", store.Donor{Kind: store.DonorMerchant, Name: "硖石老街面包房"}, "昨日未售完的面包（仍在保质期内）和土鸡蛋，请尽快兑换", []demoLine{
			{"吐司面包", 12, 4, 1, 120}, {"土鸡蛋 30枚", 20, 12, 2, 700}}},
	}
}

// demoStore stocks 硖石街道公益仓: its catalogue, donations with acknowledgements, an order of 王秀英
// handed out today and another waiting for pickup, and a walk-in sale to 李建国 at the counter.
// Items are looked up by name and the rest carries fixed idempotency keys, so a second run changes
// nothing.
func demoStore(ctx context.Context, d *app.Services, world *demoWorld) error {
	actor := func(key string) (*principal.Principal, error) {
		p, err := d.Users.Principal(ctx, world.users[key].ID)
		return p.Actor(), err
	}
	manager, err := actor("manager")
	if err != nil {
		return err
	}
	items, err := demoItems(ctx, d.Store, manager, world.store.ID)
	if err != nil {
		return err
	}
	clerk, err := actor("clerk")
	if err != nil {
		return err
	}
	day := time.Now()
	date := func(days int) string {
		if days == 0 {
			return ""
		}
		return day.AddDate(0, 0, days).Format(time.DateOnly)
	}
	for _, dn := range demoDonations(world) {
		n := store.NewDonation{Donor: dn.donor, Note: dn.note}
		for _, l := range dn.lines {
			n.Lines = append(n.Lines, store.DonationLine{Item: items[l.item], Qty: l.qty, BestBefore: date(l.bestBefore),
				ProducedOn: date(-l.producedBefore), ValueFen: l.valueYuan * 100})
		}
		// The dates follow the day of the run: a run on a later day finds the key taken by the
		// first run's donation (a conflict) and leaves it as it is.
		_, err := d.Store.RecordDonation(ctx, clerk, world.store.ID, dn.key, n)
		if err != nil && !errors.Is(err, store.ErrIdempotencyConflict) {
			return fmt.Errorf("demo donation %s: %w", dn.key, err)
		}
	}
	if err := demoOrders(ctx, d, world, clerk, items); err != nil {
		return err
	}
	return demoAid(ctx, d.Store, manager, world.store.ID, items)
}

// demoHouseholds are the households in hardship the demo registers (their names are kept masked:
// 王*芳, 李*华, 陈*英), with the consent their registration needs.
var demoHouseholds = []store.NewHousehold{
	{Tier: store.TierTekun, Name: "王小芳", Phone: "13957300001", Note: "独居老人，行动不便，可送货上门", Consent: true},
	{Tier: store.TierDibao, Name: "李建华", Note: "家有一名在读小学生", Consent: true},
	{Tier: store.TierBianyuan, Name: "陈桂英", Consent: true},
}

// demoAid registers the households, unless the store has some already, and gives the first its
// mid-autumn goods under a fixed idempotency key, so a second run changes nothing.
func demoAid(ctx context.Context, s *store.Service, manager *principal.Principal, storeID int64, items map[string]int64) error {
	have, err := s.Households(ctx, storeID, store.HouseholdFilter{Limit: 1})
	if err != nil {
		return err
	}
	if len(have) == 0 {
		for i, n := range demoHouseholds {
			h, err := s.RegisterHousehold(ctx, manager, storeID, fmt.Sprintf("demo:household:%d", i+1), n)
			if err != nil {
				return fmt.Errorf("demo household: %w", err)
			}
			have = append(have, h)
		}
	}
	_, err = s.Allocate(ctx, manager, "demo:aid:mid-autumn", store.NewAid{Store: storeID, Household: have[0].ID, Note: "中秋慰问",
		Lines: []store.OrderLine{{Item: items["东北大米 5kg"], Qty: 1}, {Item: items["菜籽油 5L"], Qty: 1}, {Item: items["纯牛奶 250ml×12"], Qty: 1}}})
	if err != nil && !errors.Is(err, store.ErrIdempotencyConflict) {
		return fmt.Errorf("demo allocation: %w", err)
	}
	return nil
}

// demoItems returns the demo catalogue's item ids by name, creating the items the store lacks.
func demoItems(ctx context.Context, s *store.Service, manager *principal.Principal, storeID int64) (map[string]int64, error) {
	have, err := s.Items(ctx, storeID, store.ItemFilter{Limit: store.MaxLimit})
	if err != nil {
		return nil, err
	}
	ids := map[string]int64{}
	for _, it := range have {
		ids[it.Name] = it.ID
	}
	for _, c := range demoCatalogue {
		if ids[c.name] != 0 {
			continue
		}
		it, err := s.CreateItem(ctx, manager, storeID, store.NewItem{Name: c.name, Category: c.category, Unit: c.unit,
			Price: c.price, LimitQty: c.limit, LimitPeriod: c.period, MinStars: c.stars, LowStock: c.lowStock})
		if err != nil {
			return nil, fmt.Errorf("demo item %s: %w", c.name, err)
		}
		ids[c.name] = it.ID
	}
	return ids, nil
}

// demoOrders places 王秀英's two online orders, hands the first out at the counter, and sells to
// 李建国 at the counter with his member code, unless he bought there before.
func demoOrders(ctx context.Context, d *app.Services, world *demoWorld, clerk *principal.Principal, items map[string]int64) error {
	volunteer, err := d.Users.Principal(ctx, world.users["volunteer"].ID)
	if err != nil {
		return err
	}
	st := world.store.ID
	handed, err := d.Store.PlaceOrder(ctx, volunteer.Actor(), "demo:order:handed-out", store.NewOrder{Store: st,
		Lines: []store.OrderLine{{Item: items["东北大米 5kg"], Qty: 1}, {Item: items["挂面 1kg"], Qty: 2}}})
	if err != nil {
		return fmt.Errorf("demo order: %w", err)
	}
	if handed.Status == store.StatusPending {
		if _, err := d.Store.Fulfil(ctx, clerk, handed.ID, nil, ""); err != nil {
			return fmt.Errorf("demo hand-out: %w", err)
		}
	}
	_, err = d.Store.PlaceOrder(ctx, volunteer.Actor(), "demo:order:waiting", store.NewOrder{Store: st,
		Lines: []store.OrderLine{{Item: items["菜籽油 5L"], Qty: 1}, {Item: items["牙膏 120g"], Qty: 1}}})
	if err != nil {
		return fmt.Errorf("demo order: %w", err)
	}
	buyer := world.users["volunteer2"]
	orders, err := d.Store.OrdersOf(ctx, buyer.ID, store.OrderFilter{Status: store.StatusFulfilled, Limit: store.MaxLimit})
	if err != nil {
		return err
	}
	for _, o := range orders {
		if o.Channel == store.ChannelCounter && o.StoreID == st {
			return nil
		}
	}
	code, err := d.Activities.MemberCode(buyer.ID)
	if err != nil {
		return err
	}
	_, err = d.Store.Sell(ctx, clerk, "demo:sale:walk-in", store.NewSale{Store: st, MemberToken: code.Token,
		Lines: []store.OrderLine{{Item: items["洗衣液 2kg"], Qty: 1}, {Item: items["纯棉毛巾"], Qty: 1}}})
	if err != nil {
		return fmt.Errorf("demo sale: %w", err)
	}
	return nil
}
