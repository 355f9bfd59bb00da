package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"timebank/fields"
	"timebank/pkg/principal"
	"timebank/pkg/store"
)

// household registers a household with consent at the env's store.
func (e *env) household(name string) store.Household {
	e.t.Helper()
	h, err := e.svc.RegisterHousehold(context.Background(), e.manager, e.storeID, "",
		store.NewHousehold{Tier: store.TierDibao, Name: name, Phone: "13812345678", Consent: true})
	if err != nil {
		e.t.Fatalf("register %s: %v", name, err)
	}
	return h
}

func TestMaskHouseholdName(t *testing.T) {
	for in, want := range map[string]string{"王小芳": "王*芳", "李四": "李*", "欧阳小芳": "欧**芳", "张": "张",
		" 王 小芳 ": "王*芳", "Li Na": "L**a", "": ""} {
		if got := store.MaskHouseholdName(in); got != want {
			t.Errorf("MaskHouseholdName(%q) = %q, want %q", in, got, want)
		}
	}
}

// A household is kept masked, numbered without gaps, registered only with consent, and never
// named in the audit log; the database refuses a name that is not masked and any change but one
// deactivation.
func TestHouseholdsAreMaskedAndNeedConsent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()

	_, err := e.svc.RegisterHousehold(ctx, e.manager, e.storeID, "", store.NewHousehold{Tier: store.TierTekun, Name: "王小芳"})
	var ve *fields.Error
	if !errors.As(err, &ve) || ve.Fields()["consent"] != "consent_required" {
		t.Fatalf("without consent: %v", err)
	}
	for _, c := range []struct {
		n     store.NewHousehold
		field string
	}{
		{store.NewHousehold{Tier: "rich", Name: "王小芳", Consent: true}, "tier"},
		{store.NewHousehold{Tier: store.TierDibao, Name: "  ", Consent: true}, "name"},
		{store.NewHousehold{Tier: store.TierDibao, Name: "王*芳", Consent: true}, "name"},
		{store.NewHousehold{Tier: store.TierDibao, Name: "王小芳", Phone: "12345", Consent: true}, "phone"},
		{store.NewHousehold{Tier: store.TierDibao, Name: "王小芳", Note: strings.Repeat("注", 201), Consent: true}, "note"},
	} {
		if _, err := e.svc.RegisterHousehold(ctx, e.manager, e.storeID, "", c.n); !errors.As(err, &ve) || ve.Fields()[c.field] == "" {
			t.Errorf("%+v: %v, want %s refused", c.n, err, c.field)
		}
	}
	var n int
	if err := e.db.Get(&n, `SELECT count(*) FROM store_households`); err != nil || n != 0 {
		t.Fatalf("refused registrations wrote %d households (%v)", n, err)
	}

	h, err := e.svc.RegisterHousehold(ctx, e.manager, e.storeID, "", store.NewHousehold{Tier: store.TierTekun, Name: "王小芳",
		Phone: "138 1234 5678", Note: "独居老人", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	if h.Number != 1 || h.No() != "0001" || h.NameMasked != "王*芳" || h.PhoneMasked != "138****5678" || !h.Active ||
		h.ConsentBy != e.manager.Label() || h.ConsentAt.IsZero() || h.Tier != store.TierTekun {
		t.Fatalf("registered: %+v", h)
	}
	h2 := e.household("李四")
	if h2.Number != 2 || h2.NameMasked != "李*" {
		t.Fatalf("second: %+v", h2)
	}
	var stored string
	if err := e.db.Get(&stored, `SELECT string_agg(name_masked || coalesce(phone_masked, '') || note, '|') FROM store_households`); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, "王小芳") || strings.Contains(stored, "李四") || strings.Contains(stored, "12345678") {
		t.Errorf("a full name or phone was stored: %q", stored)
	}
	var logged string
	if err := e.db.Get(&logged, `SELECT coalesce(string_agg(action || target || coalesce(after::text, ''), '|'), '')
FROM audit_log WHERE action LIKE 'store.household%'`); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logged, "store.household_register") || strings.Contains(logged, "王") ||
		strings.Contains(logged, "tekun") || strings.Contains(logged, "dibao") {
		t.Errorf("audit entries: %q", logged)
	}

	for _, c := range []struct{ name, sql string }{
		{"a full name", `INSERT INTO store_households (store_id, number, tier, name_masked, consent_by, consent_at, created_by)
		                 VALUES ($1, 99, 'dibao', '王小芳', 'x', now(), 'x')`},
		{"no consent", `INSERT INTO store_households (store_id, number, tier, name_masked, created_by)
		                 VALUES ($1, 98, 'dibao', '王*芳', 'x')`},
		{"a full phone", `INSERT INTO store_households (store_id, number, tier, name_masked, phone_masked, consent_by, consent_at, created_by)
		                 VALUES ($1, 97, 'dibao', '王*芳', '13812345678', 'x', now(), 'x')`},
		{"a changed tier", `UPDATE store_households SET tier = 'dibao' WHERE store_id = $1`},
		{"a deletion", `DELETE FROM store_households WHERE store_id = $1`},
	} {
		if _, err := e.db.ExecContext(ctx, c.sql, e.storeID); err == nil {
			t.Errorf("%s: the database accepted it", c.name)
		}
	}

	d, err := e.svc.DeactivateHousehold(ctx, e.manager, e.storeID, h.ID)
	if err != nil || d.Active {
		t.Fatalf("deactivate: %+v %v", d, err)
	}
	if d, err := e.svc.DeactivateHousehold(ctx, e.manager, e.storeID, h.ID); err != nil || d.Active {
		t.Fatalf("deactivate again: %+v %v", d, err)
	}
	if _, err := e.svc.DeactivateHousehold(ctx, e.manager, e.storeID, 999999); !errors.Is(err, store.ErrHouseholdNotFound) {
		t.Errorf("deactivate an unknown household: %v", err)
	}
	all, err := e.svc.Households(ctx, e.storeID, store.HouseholdFilter{})
	if err != nil || len(all) != 2 {
		t.Fatalf("households: %+v %v", all, err)
	}
	active, err := e.svc.Households(ctx, e.storeID, store.HouseholdFilter{ActiveOnly: true})
	if err != nil || len(active) != 1 || active[0].ID != h2.ID {
		t.Fatalf("active households: %+v %v", active, err)
	}
}

// A registration form sent twice, even at the same moment from many connections, registers the
// household once under one number; the same key with another registration is a conflict, and the
// database keeps the key as it was registered.
func TestRegisterHouseholdIsIdempotent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	n := store.NewHousehold{Tier: store.TierTekun, Name: "赵小兰", Phone: "13912345678", Consent: true}

	const racers = 12
	var wg sync.WaitGroup
	got := make([]store.Household, racers)
	errs := make([]error, racers)
	start := make(chan struct{})
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			got[i], errs[i] = e.svc.RegisterHousehold(ctx, e.manager, e.storeID, "form-7f3a", n)
		}()
	}
	close(start)
	wg.Wait()
	replays := 0
	for i := range racers {
		if errs[i] != nil || got[i].ID != got[0].ID || got[i].Number != 1 {
			t.Fatalf("racer %d: %+v %v (first %+v)", i, got[i], errs[i], got[0])
		}
		if got[i].Replayed {
			replays++
		}
	}
	if replays != racers-1 {
		t.Errorf("%d of %d registrations were replays, want %d", replays, racers, racers-1)
	}
	var households, audited int
	if err := e.db.Get(&households, `SELECT count(*) FROM store_households WHERE store_id = $1`, e.storeID); err != nil {
		t.Fatal(err)
	}
	if err := e.db.Get(&audited, `SELECT count(*) FROM audit_log WHERE action = 'store.household_register' AND store_id = $1`,
		e.storeID); err != nil {
		t.Fatal(err)
	}
	if households != 1 || audited != 1 {
		t.Fatalf("%d households, %d registrations audited, want 1 and 1", households, audited)
	}

	// Another registration under the same key is refused and writes nothing; the next number is 2,
	// as the refused one gave its number back.
	other := n
	other.Name = "钱大勇"
	if _, err := e.svc.RegisterHousehold(ctx, e.manager, e.storeID, "form-7f3a", other); !errors.Is(err, store.ErrIdempotencyConflict) {
		t.Fatalf("another registration under the same key: %v", err)
	}
	var ve *fields.Error
	if _, err := e.svc.RegisterHousehold(ctx, e.manager, e.storeID, "a key with spaces", other); !errors.As(err, &ve) ||
		ve.Fields()["idempotency_key"] == "" {
		t.Fatalf("a malformed key: %v", err)
	}
	h2, err := e.svc.RegisterHousehold(ctx, e.manager, e.storeID, "form-8b21", other)
	if err != nil || h2.Number != 2 || h2.Replayed {
		t.Fatalf("the next registration: %+v %v", h2, err)
	}
	if _, err := e.db.ExecContext(ctx, `UPDATE store_households SET idem_key = 'changed' WHERE id = $1`, h2.ID); err == nil {
		t.Error("the database let a household's key change")
	}
}

// An allocation takes free stock first-expiring-first, keeps the journal equal to the lots, moves
// no credits, is idempotent, and shows in the day report without naming the household.
func TestAllocateTakesStockFirstExpiringFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	rice := e.item(store.NewItem{Name: "大米 5kg", Category: "grain_oil", Unit: "袋", Price: 120})
	soap := e.item(store.NewItem{Name: "肥皂", Price: 30, Active: new(bool)}) // off the catalogue, kept for aid
	late := e.stock(rice.ID, 5, e.day(400)).Lines[0].LotID
	early := e.stock(rice.ID, 3, e.day(200)).Lines[0].LotID
	e.stock(soap.ID, 4, "")
	vol := e.volunteer(10_000)
	if _, err := e.svc.PlaceOrder(ctx, as(vol), e.key(), store.NewOrder{Store: e.storeID,
		Lines: []store.OrderLine{{Item: rice.ID, Qty: 2}}}); err != nil {
		t.Fatal(err)
	}
	// 2 of the early lot reserved: 1 free there, 5 in the late one.
	h := e.household("王小芳")
	var postings int
	if err := e.db.Get(&postings, `SELECT count(*) FROM ledger_postings`); err != nil {
		t.Fatal(err)
	}

	key := e.key()
	n := store.NewAid{Store: e.storeID, Household: h.ID, Note: "春节慰问",
		Lines: []store.OrderLine{{Item: rice.ID, Qty: 3}, {Item: soap.ID, Qty: 2}}}
	a, err := e.svc.Allocate(ctx, e.manager, key, n)
	if err != nil {
		t.Fatal(err)
	}
	if a.HouseholdNumber != 1 || a.NameMasked != "王*芳" || len(a.Lines) != 2 || a.Lines[0].ItemName != "大米 5kg" ||
		a.Lines[0].Qty != 3 || a.Units() != 5 || a.HandlerName != "王店长" || a.Replayed {
		t.Fatalf("allocation: %+v", a)
	}
	j, err := e.svc.Journal(ctx, e.storeID, store.JournalFilter{ItemID: rice.ID})
	if err != nil {
		t.Fatal(err)
	}
	var moved []string
	for _, m := range j {
		if m.Kind == store.MoveAllocated {
			moved = append(moved, fmt.Sprintf("%d:%d:%s", m.LotID, m.OnHandDelta, m.Ref))
		}
	}
	ref := fmt.Sprintf("aid:%d", a.ID)
	if want := []string{fmt.Sprintf("%d:-1:%s", early, ref), fmt.Sprintf("%d:-2:%s", late, ref)}; fmt.Sprint(moved) != fmt.Sprint(want) {
		t.Errorf("allocated movements %v, want %v (the early lot's free unit first)", moved, want)
	}
	if it := e.itemNow(rice.ID); it.OnHand != 5 || it.Reserved != 2 {
		t.Errorf("rice after: %+v", it)
	}
	if it := e.itemNow(soap.ID); it.OnHand != 2 {
		t.Errorf("soap after: %+v", it)
	}
	var after int
	if err := e.db.Get(&after, `SELECT count(*) FROM ledger_postings`); err != nil || after != postings {
		t.Errorf("postings %d → %d: an allocation moved credits", postings, after)
	}

	again, err := e.svc.Allocate(ctx, e.manager, key, n)
	if err != nil || again.ID != a.ID || !again.Replayed {
		t.Fatalf("replay: %+v %v", again, err)
	}
	other := &principal.Principal{UserID: e.volunteer(0).ID, Name: "李店长"}
	if again, err := e.svc.Allocate(ctx, other, key, n); err != nil || again.ID != a.ID {
		t.Fatalf("the key is the store's: %+v %v", again, err)
	}
	n2 := n
	n2.Lines = []store.OrderLine{{Item: rice.ID, Qty: 1}}
	if _, err := e.svc.Allocate(ctx, e.manager, key, n2); !errors.Is(err, store.ErrIdempotencyConflict) {
		t.Fatalf("the key with another allocation: %v", err)
	}
	if it := e.itemNow(rice.ID); it.OnHand != 5 {
		t.Errorf("rice after the replays: %+v", it)
	}

	list, err := e.svc.Allocations(ctx, e.storeID, store.AidFilter{Household: h.ID})
	if err != nil || len(list) != 1 || list[0].ID != a.ID || len(list[0].Lines) != 2 {
		t.Fatalf("allocations: %+v %v", list, err)
	}
	hh, err := e.svc.Household(ctx, e.storeID, h.ID)
	if err != nil || hh.LastAidAt == nil {
		t.Errorf("last allocation: %+v %v", hh, err)
	}
	r, err := e.svc.DayReport(ctx, e.storeID, e.svc.Today())
	if err != nil || r.Allocations != 1 || r.UnitsAllocated != 5 || r.UnitsHandedOut != 0 {
		t.Errorf("day report: %+v %v", r, err)
	}
	var logged string
	if err := e.db.Get(&logged, `SELECT after::text FROM audit_log WHERE action = 'store.aid_allocate' AND target = $1`, ref); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logged, fmt.Sprintf(`"household": %d`, h.ID)) || !strings.Contains(logged, `"units": 5`) ||
		strings.Contains(logged, "王") || strings.Contains(logged, "dibao") {
		t.Errorf("audit entry: %s", logged)
	}
	for _, sql := range []string{`UPDATE store_aid SET note = 'x'`, `DELETE FROM store_aid_lines`, `DELETE FROM store_aid`} {
		if _, err := e.db.ExecContext(ctx, sql); err == nil {
			t.Errorf("%s: accepted", sql)
		}
	}
	e.consistent()
}
