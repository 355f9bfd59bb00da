package web

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"timebank/fields"
	"timebank/pkg/store"
	"timebank/web/api"
	"timebank/web/i18n"
	"timebank/web/problem"
)

// Malformed input to every store route is a 4xx, never a 5xx.
func TestStoreRoutesRefuseBadInput(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	admin := w.tokens[platform]
	sa := id(w.sa.ID)
	bodies := []string{"", malformed, `[]`, `{}`, `null`, `{"lines":[{"item":-1,"qty":1e9}]}`, `{"store":"x"}`,
		`{"name":"` + strings.Repeat("长", 300) + `","category":"food","unit":"袋","price":-1}`,
		`{"donor":{"kind":"anonymous","name":"张三"},"lines":[{"item":1,"qty":1,"best_before":"2024-13-45"}]}`,
		`{"token":"` + strings.Repeat("/q/", 1000) + `"}`, `{"token":"p\u0000x","store":` + sa + `}`,
		`{"reason":"lost","lines":[{"lot":99999999999,"qty":1}]}`, `{"store":` + sa + `,"member_token":"zzz","lines":[{"item":1,"qty":1}]}`,
		`{"lines":[{"item":1,"qty":0}]}`, `{"min_shelf_life_percent":101,"pickup_hours":0}`}
	paths := []string{"/api/v1/stores/" + sa + "/items", "/api/v1/stores/" + sa + "/items/1", "/api/v1/stores/" + sa + "/items/x",
		"/api/v1/stores/" + sa + "/policy", "/api/v1/stores/" + sa + "/donations", "/api/v1/stores/" + sa + "/donations/99",
		"/api/v1/stores/" + sa + "/writeoffs", "/api/v1/stores/" + sa + "/writeoffs/expired", "/api/v1/stores/" + sa + "/counts",
		"/api/v1/stores/999999/stock", "/api/v1/stores/0/catalog", "/api/v1/stores/abc/items",
		"/api/v1/stores/" + sa + "/journal?lot=x", "/api/v1/stores/" + sa + "/report?day=yesterday",
		"/api/v1/stores/" + sa + "/orders?status=lost", "/api/v1/stores/" + sa + "/catalog?limit=100000&q=" + strings.Repeat("x", 80),
		"/api/v1/orders", "/api/v1/orders?before=-3", "/api/v1/orders/99", "/api/v1/orders/99/cancel", "/api/v1/orders/99/fulfil",
		"/api/v1/counter/scan", "/api/v1/sales"}
	for _, p := range paths {
		for _, method := range []string{"GET", "POST", "PUT"} {
			for _, b := range bodies {
				for _, key := range [][]string{nil, idem(), {"Idempotency-Key", "ledger:x"}, {"Idempotency-Key", strings.Repeat("k", 300)}} {
					if a := storeReq(t, app, admin, method, p, b, key...); a.status >= 500 {
						t.Errorf("%s %s %q: %d %s", method, p, b, a.status, a.raw)
					}
				}
			}
		}
	}
	// Only people order: the operator is not one.
	if a := storeReq(t, app, d.Config.OperatorToken, "POST", "/api/v1/orders", `{"store":1,"lines":[{"item":1,"qty":1}]}`, idem()...); a.status != 403 {
		t.Errorf("the operator ordering: %d %s", a.status, a.raw)
	}
}

// Every error of the store maps to a listed problem slug with a status, and every slug and every
// reason the store produces has its message in both languages.
func TestStoreProblemsTranslated(t *testing.T) {
	t.Parallel()
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, s := range problemSlugs {
		listed[s] = true
	}
	for _, e := range []error{store.ErrInvalid, store.ErrStoreNotFound, store.ErrItemNotFound, store.ErrItemExists,
		store.ErrLotNotFound, store.ErrDonationNotFound, store.ErrOrderNotFound, store.ErrItemUnavailable,
		store.ErrOutOfStock, store.ErrOverLimit, store.ErrStarsRequired, store.ErrDonationRefused, store.ErrStockReserved,
		store.ErrOrderFulfilled, store.ErrOrderCancelled, store.ErrOrderExpired, store.ErrWrongStore, store.ErrCodeInvalid,
		store.ErrCodeExpired, store.ErrCodeUsed, store.ErrIdempotencyConflict, store.ErrHistoryImmutable} {
		status, slug := problem.Classify(fmt.Errorf("wrapped: %w", e))
		if status < 400 || status >= 500 || !listed[slug] {
			t.Errorf("%v: %d %s", e, status, slug)
		}
		for _, lang := range i18n.Languages {
			if msgs[lang]["problem."+slug] == "" {
				t.Errorf("%s: no problem.%s", lang, slug)
			}
		}
	}
	le := &store.LineError{Err: store.ErrOutOfStock, Line: 2, Item: 9, Field: "qty", Reason: store.ReasonOutOfStock}
	var fe *fields.Error
	wrapped := fmt.Errorf("x: %w", le)
	if status, _ := problem.Classify(wrapped); status != 409 || !errors.As(wrapped, &fe) || fe.Reason("lines[2].qty") != store.ReasonOutOfStock {
		t.Fatalf("line error: %d %v", status, fe)
	}

	// The reasons: the constants and every literal the store package assigns or passes as one.
	reasons := map[string]bool{}
	literal := []*regexp.Regexp{
		regexp.MustCompile(`bad\[[^\]]+\] = "([a-z_]+)"`),
		regexp.MustCompile(`invalid\([^,]+, "([a-z_]+)"\)`),
		regexp.MustCompile(`Reason: "([a-z_]+)"`),
		regexp.MustCompile(`Reason\w+\s+= "([a-z_]+)"`),
	}
	files, _ := filepath.Glob(filepath.Join("..", "pkg", "store", "*.go"))
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range literal {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				reasons[m[1]] = true
			}
		}
	}
	for _, must := range []string{"out_of_stock", "shelf_life_short", "medicine_refused", "nothing_handed_out", "day_format"} {
		if !reasons[must] {
			t.Fatalf("the reason patterns no longer find %q", must)
		}
	}
	for r := range reasons {
		for _, lang := range i18n.Languages {
			if msgs[lang]["reason."+r] == "" {
				t.Errorf("%s: no reason.%s", lang, r)
			}
		}
	}
}

// The store's OpenAPI schemas have the fields of the Go types they describe, with the same JSON
// types, and credit amounts say they are minutes.
func TestStoreOpenAPISchemas(t *testing.T) {
	t.Parallel()
	app := newTestServer(t)
	doc := fetchOpenAPI(t, app)
	schemas := obj(obj(doc["components"])["schemas"])
	types := map[string]reflect.Type{
		"StoreItem": reflect.TypeFor[store.Item](), "StoreNewItem": reflect.TypeFor[store.NewItem](),
		"StoreItemsPage": reflect.TypeFor[api.StoreItemsPage](), "StorePolicy": reflect.TypeFor[store.Policy](),
		"StoreLot": reflect.TypeFor[store.Lot](), "StoreStockItem": reflect.TypeFor[store.StockItem](),
		"StoreStockPage": reflect.TypeFor[api.StoreStockPage](), "StoreWarning": reflect.TypeFor[store.Warning](),
		"StoreWarnings": reflect.TypeFor[api.StoreWarnings](), "StoreMovement": reflect.TypeFor[store.Movement](),
		"StoreJournalPage": reflect.TypeFor[api.StoreJournalPage](), "StoreDayReport": reflect.TypeFor[store.DayReport](),
		"Donor": reflect.TypeFor[store.Donor](), "DonationLine": reflect.TypeFor[store.DonationLine](),
		"NewDonation": reflect.TypeFor[store.NewDonation](), "DonorView": reflect.TypeFor[store.DonorView](),
		"DonatedLine": reflect.TypeFor[store.DonatedLine](), "Acknowledgement": reflect.TypeFor[store.Acknowledgement](),
		"LotQty": reflect.TypeFor[store.LotQty](), "NewAdjustment": reflect.TypeFor[store.NewAdjustment](),
		"StockAdjustment": reflect.TypeFor[store.Adjustment](), "OrderLine": reflect.TypeFor[store.OrderLine](),
		"NewOrder": reflect.TypeFor[store.NewOrder](), "OrderedLine": reflect.TypeFor[store.OrderedLine](),
		"Order": reflect.TypeFor[store.Order](), "StoreOrdersPage": reflect.TypeFor[api.StoreOrdersPage](),
		"Handout": reflect.TypeFor[store.Handout](), "FulfilRequest": reflect.TypeFor[api.FulfilRequest](),
		"CounterScanRequest": reflect.TypeFor[api.CounterScanRequest](), "CounterMember": reflect.TypeFor[store.Member](),
		"CounterScanResult": reflect.TypeFor[store.ScanResult](), "NewSale": reflect.TypeFor[store.NewSale](),
		"Sale": reflect.TypeFor[store.Sale](), "StoreNewHousehold": reflect.TypeFor[store.NewHousehold](),
		"StoreHousehold": reflect.TypeFor[store.Household](), "StoreHouseholdsPage": reflect.TypeFor[api.StoreHouseholdsPage](),
		"StoreNewAid": reflect.TypeFor[store.NewAid](), "StoreAidLine": reflect.TypeFor[store.AidLine](),
		"StoreAid": reflect.TypeFor[store.Aid](), "StoreAidPage": reflect.TypeFor[api.StoreAidPage](),
	}
	minutes := map[string]bool{"price": true, "total": true, "charged": true, "credits_received": true}
	for name, typ := range types {
		props := obj(obj(schemas[name])["properties"])
		if props == nil {
			t.Errorf("schema %s missing", name)
			continue
		}
		seen := map[string]bool{}
		for i := range typ.NumField() {
			f := typ.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || tag == "-" {
				continue
			}
			seen[tag] = true
			p := obj(props[tag])
			if p == nil {
				t.Errorf("schema %s lacks %s", name, tag)
				continue
			}
			want := openAPIType(f.Type)
			got := schemaType(p)
			if got != want {
				t.Errorf("schema %s.%s is %q, the Go field %s wants %q", name, tag, got, f.Name, want)
			}
			if d, _ := p["description"].(string); minutes[tag] && !strings.Contains(d, "minutes") {
				t.Errorf("schema %s.%s does not say it is in minutes", name, tag)
			}
		}
		for prop := range props {
			if !seen[prop] {
				t.Errorf("schema %s has %s, which %s does not", name, prop, typ.Name())
			}
		}
	}
}
