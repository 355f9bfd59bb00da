package web

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/activity"
	"timebank/pkg/store"
)

// rulesClock is the activity service's clock in these tests, so that what is missing does not
// depend on the day the tests run.
type rulesClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *rulesClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *rulesClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// newRulesApp is the test app with the activity service on the clock.
func newRulesApp(t *testing.T, clock *rulesClock) (*fiber.App, services) {
	t.Helper()
	return newTestAppWith(t, func(d services) {
		d.Activities = activity.NewService(d.DB, d.Ledger, d.Redis, d.Codes, activity.Options{BaseURL: d.Config.BaseURL,
			RedisPrefix: d.Config.RedisPrefix, Logger: d.Logger, Notify: d.Notify, Now: clock.Now})
		d.Activities.CacheCreditPolicies(d.Invalidation) // as app.New does: a policy changed here is news to every cache
	})
}

var cstZone = time.FixedZone("CST", 8*3600)

// The holidays API: anyone signed in reads a year, a platform administrator enters one; a wrong list
// is refused in the caller's language, field by field, and changes nothing.
func TestHolidaysAPI(t *testing.T) {
	t.Parallel()
	clock := &rulesClock{t: time.Date(2026, 12, 2, 10, 0, 0, 0, cstZone)}
	app, d := newRulesApp(t, clock)
	w := newWorld(t, d)
	var y activity.HolidayYear
	storeReq(t, app, w.tokens[volunteer], "GET", "/api/v1/holidays/2026", "").ok(t, 200, &y)
	if !y.Entered || len(y.Days) != 39 || y.Days[0].Date != "2026-01-01" {
		t.Fatalf("2026: %+v", y)
	}
	storeReq(t, app, w.tokens[volunteer], "GET", "/api/v1/holidays/2027", "").ok(t, 200, &y)
	if y.Entered || len(y.Days) != 0 {
		t.Fatalf("2027 before it is entered: %+v", y)
	}
	storeReq(t, app, w.tokens[volunteer], "GET", "/api/v1/holidays/abc", "").problem(t, 400, "invalid-request")
	storeReq(t, app, w.tokens[regionXS], "PUT", "/api/v1/holidays/2027", `{"days":[]}`).problem(t, 403, "forbidden")

	for body, field := range map[string]string{
		`{"days":[]}`: "days",
		`{"days":[{"date":"2027-01-04","kind":"workday","name":"调休"}]}`:                                                   "days[0].kind",
		`{"days":[{"date":"2027-01-01","kind":"holiday","name":"元旦"},{"date":"2026-12-31","kind":"holiday","name":"x"}]}`: "days[1].date",
		`{"days":[{"date":"2027-01-01","kind":"holiday"}]}`:                                                               "days[0].name",
	} {
		ans := storeReq(t, app, w.tokens[platform], "PUT", "/api/v1/holidays/2027", body, "Accept-Language", "zh-CN")
		p := ans.problem(t, 400, "invalid-request")
		if len(p.Errors) != 1 || p.Errors[0].Field != field || p.Errors[0].Message == "" || strings.ContainsAny(p.Errors[0].Message, "abcdefghijklmnopqrstuvwxyz") {
			t.Errorf("%s: %+v", body, p.Errors)
		}
	}
	storeReq(t, app, w.tokens[platform], "PUT", "/api/v1/holidays/2027", `{"days":`).problem(t, 400, "invalid-request")
	storeReq(t, app, w.tokens[volunteer], "GET", "/api/v1/holidays/2027", "").ok(t, 200, &y)
	if y.Entered {
		t.Fatalf("2027 entered by refused requests: %+v", y)
	}

	storeReq(t, app, w.tokens[platform], "PUT", "/api/v1/holidays/2027",
		`{"days":[{"date":"2027-01-01","kind":"holiday","name":"元旦"},{"date":"2027-02-20","kind":"workday","name":"春节调休"}]}`).ok(t, 200, &y)
	if !y.Entered || len(y.Days) != 2 || y.UpdatedAt == nil {
		t.Fatalf("2027 entered: %+v", y)
	}
}

// From 1 December the administrators of regions and the platform are warned on their home page,
// and on the holidays page, that next year is not entered; nobody else is, and the warning goes
// once the year is entered through the page.
func TestHolidaysMissingWarning(t *testing.T) {
	t.Parallel()
	clock := &rulesClock{t: time.Date(2026, 11, 30, 18, 0, 0, 0, cstZone)}
	app, d := newRulesApp(t, clock)
	newWorld(t, d)
	region, admin, coord := signedInAs(t, app, regionXS), signedInAs(t, app, platform), signedInAs(t, app, coordA)
	warned := func(b *browser, path string) bool {
		t.Helper()
		r := b.get(path)
		if r.status != 200 {
			t.Fatalf("%s: %d", path, r.status)
		}
		return strings.Contains(r.body, `data-testid="holidays-missing"`)
	}
	if warned(region, "/") || warned(admin, "/") {
		t.Error("warned on 30 November")
	}
	clock.Set(time.Date(2026, 12, 1, 8, 0, 0, 0, cstZone))
	if !warned(region, "/") || !warned(admin, "/") || !warned(admin, "/admin/holidays") || warned(coord, "/") {
		t.Error("on 1 December: region and platform administrators warned, the coordinator not")
	}
	if home := region.get("/").body; !strings.Contains(home, "2027年的节假日安排尚未录入") || strings.Contains(home, "home-enter-holidays") {
		t.Error("the region administrator's warning names 2027 and offers no page they may not open")
	}
	if r := region.get("/admin/holidays"); r.status != 403 {
		t.Errorf("region administrator on the holidays page: %d", r.status)
	}

	page := admin.get("/admin/holidays?year=2027")
	if !strings.Contains(page.body, "2027年尚未录入") {
		t.Fatalf("the page of 2027 does not say it is missing")
	}
	// A bad line is refused with its number, and nothing is entered.
	r := admin.submit("/admin/holidays", map[string][]string{"year": {"2027"},
		"days": {"2027-01-01 放假 元旦\n2027-01-04 上班 调休"}})
	if r.status != 422 || !strings.Contains(r.body, "第2行") {
		t.Fatalf("a weekday worked: %d", r.status)
	}
	if !warned(admin, "/") {
		t.Fatal("a refused list entered the year")
	}
	r = admin.submit("/admin/holidays", map[string][]string{"year": {"2027"},
		"days": {"2027-01-01 放假 元旦\n2027-02-06..2027-02-13 放假 春节\n2027-02-20 上班 春节调休\n"}})
	if r.status != 303 || r.location() != "/admin/holidays?year=2027&notice=holidays-saved" {
		t.Fatalf("save 2027: %d %s", r.status, r.location())
	}
	y, err := d.Activities.Calendar().Year(context.Background(), 2027)
	if err != nil || len(y.Days) != 10 || y.Days[9].Kind != activity.DayWorkday {
		t.Fatalf("2027 as entered: %+v %v", y, err)
	}
	if warned(region, "/") || warned(admin, "/") {
		t.Error("still warned once 2027 is entered")
	}
	if page := admin.get("/admin/holidays?year=2027").body; !strings.Contains(page, "2027-02-06..2027-02-13 放假 春节") {
		t.Error("the form does not show the days as ranges")
	}
}

// An organization's credit policy through the API, and its minimum of verified service before a
// first redemption at its store: refused with a clear problem and nothing ordered, then allowed.
func TestCreditPolicyAPIAndFirstRedemption(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	path := "/api/v1/orgs/" + id(w.a.ID) + "/credit-policy"
	var v activity.CreditPolicyView
	storeReq(t, app, w.tokens[coordA], "GET", path, "").ok(t, 200, &v)
	if v.Own.MinRedeemHours != nil || *v.Effective.AccountCapHours != 1500 || *v.Effective.MinRedeemHours != 0 {
		t.Fatalf("default policy: %+v", v)
	}
	p := storeReq(t, app, w.tokens[adminA], "PUT", path, `{"min_redeem_hours":-1,"max_transfer_hours":0}`, "Accept-Language", "en").problem(t, 400, "invalid-request")
	if len(p.Errors) != 2 || p.Errors[0].Field != "max_transfer_hours" || p.Errors[0].Message != "out of the allowed range" {
		t.Fatalf("refused policy: %+v", p.Errors)
	}
	storeReq(t, app, w.tokens[adminA], "PUT", path, `{"min_redeem_hours":1,"color":"red"}`).problem(t, 400, "invalid-request")
	storeReq(t, app, w.tokens[adminA], "GET", path, "").ok(t, 200, &v)
	if v.Own != (activity.CreditPolicy{}) {
		t.Fatalf("refused requests changed the policy: %+v", v.Own)
	}
	storeReq(t, app, w.tokens[regionXS], "GET", "/api/v1/regions/330481001999/credit-policy", "").problem(t, 404, "region-not-found")

	var soap store.Item
	storeReq(t, app, w.tokens[managerSA], "POST", "/api/v1/stores/"+id(w.sa.ID)+"/items", `{"name":"肥皂","category":"daily","unit":"块","price":30}`).ok(t, 201, &soap)
	storeReq(t, app, w.tokens[clerkSA], "POST", "/api/v1/stores/"+id(w.sa.ID)+"/donations",
		fmt.Sprintf(`{"donor":{"kind":"anonymous"},"lines":[{"item":%d,"qty":10}]}`, soap.ID), idem()...).ok(t, 201, nil)
	user, err := d.Users.ByPhone(ctx, worldPhone(volunteer))
	if err != nil {
		t.Fatal(err)
	}
	fund(t, d, w.a.AccountCode, user, 500) // credits, but no verified service

	storeReq(t, app, w.tokens[adminA], "PUT", path, `{"min_redeem_hours":1}`).ok(t, 200, &v)
	order := fmt.Sprintf(`{"store":%d,"lines":[{"item":%d,"qty":1}]}`, w.sa.ID, soap.ID)
	ans := storeReq(t, app, w.tokens[volunteer], "POST", "/api/v1/orders", order, append(idem(), "Accept-Language", "zh-CN")...)
	if p := ans.problem(t, 422, "minimum-hours"); !strings.Contains(p.Title, "首次兑换") {
		t.Errorf("refusal in Chinese: %+v", p)
	}
	var orders int
	if err := d.DB.Get(&orders, `SELECT count(*) FROM store_orders`); err != nil || orders != 0 {
		t.Fatalf("%d orders after the refusal (%v)", orders, err)
	}
	storeReq(t, app, w.tokens[adminA], "PUT", path, `{"min_redeem_hours":0}`).ok(t, 200, &v)
	storeReq(t, app, w.tokens[volunteer], "POST", "/api/v1/orders", order, idem()...).ok(t, 201, nil)
	// The minimum is about a first redemption: raised again, it does not stop the next one.
	storeReq(t, app, w.tokens[adminA], "PUT", path, `{"min_redeem_hours":1}`).ok(t, 200, &v)
	storeReq(t, app, w.tokens[volunteer], "POST", "/api/v1/orders", order, idem()...).ok(t, 201, nil)
}
