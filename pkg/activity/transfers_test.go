package activity_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"timebank/ledger"
	"timebank/pkg/activity"
)

// earn gives the volunteer minutes of credits by a verified record of a fresh activity.
func (e *env) earn(t *testing.T, userID int64, minutes int) {
	t.Helper()
	a := e.newActivity(t, func(n *activity.NewActivity) { n.EndsAt = n.StartsAt.Add(4 * time.Hour) })
	e.approved(t, a, userID, day10, day10.Add(time.Duration(minutes)*time.Minute))
}

// Transfers to family and donations to the pool, within the limits: per transfer, per year, and
// the recipient's cap with the overflow to the pool. The relationship is recorded and kept.
func TestTransfers(t *testing.T) {
	limits := activity.CreditLimits{MaxTransferMinutes: 120, MaxYearMinutes: 250, AccountCapMinutes: 200, PoolAccount: "pool:xiashi"}
	e := newEnv(t, limits)
	ctx := context.Background()
	mother, son, stranger := e.volunteer(t, "林淑芬"), e.volunteer(t, "林浩"), e.volunteer(t, "路人甲")
	e.earn(t, mother.ID, 180)
	e.earn(t, son.ID, 150)
	e.clock.Set(day10.Add(24 * time.Hour))
	family := func(amount int64) activity.TransferRequest {
		return activity.TransferRequest{To: activity.ToFamily, VolunteerNo: son.VolunteerNo, Name: son.Name,
			Relationship: "child", Amount: amount}
	}
	for _, c := range []struct {
		name string
		req  activity.TransferRequest
		want error
	}{
		{"over the per-transfer limit", family(121), activity.ErrInvalid},
		{"zero", family(0), activity.ErrInvalid},
		{"unknown relationship", activity.TransferRequest{To: "family", VolunteerNo: son.VolunteerNo, Name: son.Name, Relationship: "friend", Amount: 10}, activity.ErrInvalid},
		{"right number, wrong name", activity.TransferRequest{To: "family", VolunteerNo: son.VolunteerNo, Name: "林某", Relationship: "child", Amount: 10}, activity.ErrRecipientNotFound},
		{"to oneself", activity.TransferRequest{To: "family", VolunteerNo: mother.VolunteerNo, Name: mother.Name, Relationship: "child", Amount: 10}, activity.ErrInvalid},
		{"nowhere", activity.TransferRequest{To: "moon", Amount: 10}, activity.ErrInvalid},
	} {
		if _, _, err := e.svc.Transfer(ctx, mother.ID, "refused-"+strings.ReplaceAll(c.name, " ", "-"), c.req); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// 150 + 100 would pass the son's cap of 200: 50 arrive, 50 go to the pool.
	tr, replayed, err := e.svc.Transfer(ctx, mother.ID, "gift-1", family(100))
	if err != nil || replayed {
		t.Fatalf("transfer: %v replayed %v", err, replayed)
	}
	if tr.Overflow != 50 || tr.Relationship == nil || *tr.Relationship != "child" {
		t.Errorf("transfer: %+v", tr)
	}
	if a, b, p := e.balance(t, mother.AccountCode), e.balance(t, son.AccountCode), e.balance(t, "pool:xiashi"); a != 80 || b != 200 || p != 50 {
		t.Errorf("balances mother %d son %d pool %d; want 80, 200, 50", a, b, p)
	}
	again, replayed, err := e.svc.Transfer(ctx, mother.ID, "gift-1", family(100))
	if err != nil || !replayed || again.ID != tr.ID {
		t.Errorf("same key, same request: %v replayed %v", err, replayed)
	}
	if _, _, err := e.svc.Transfer(ctx, mother.ID, "gift-1", family(90)); !errors.Is(err, ledger.ErrIdempotencyConflict) {
		t.Errorf("same key, other request: %v", err)
	}
	other := family(10)
	other.Relationship = "spouse"
	if _, _, err := e.svc.Transfer(ctx, mother.ID, "gift-2", other); !errors.Is(err, activity.ErrRelationshipMismatch) {
		t.Errorf("another relationship than the one recorded: %v", err)
	}
	if _, _, err := e.svc.Transfer(ctx, mother.ID, "gift-3", family(81)); !errors.Is(err, ledger.ErrInsufficientFunds) {
		t.Errorf("more than the balance: %v", err)
	}
	// The yearly limit counts donations too: 100 sent, 80 donated, then 120 more is over 250.
	if _, _, err := e.svc.Transfer(ctx, mother.ID, "don-1", activity.TransferRequest{To: "pool", Amount: 80}); err != nil {
		t.Fatal(err)
	}
	e.earn(t, mother.ID, 240)
	if _, _, err := e.svc.Transfer(ctx, mother.ID, "don-2", activity.TransferRequest{To: "pool", Amount: 120}); !errors.Is(err, activity.ErrYearlyLimit) {
		t.Errorf("over the yearly limit: %v", err)
	}
	if _, _, err := e.svc.Transfer(ctx, mother.ID, "don-3", activity.TransferRequest{To: "pool", Amount: 120, Name: "x"}); !errors.Is(err, activity.ErrInvalid) {
		t.Errorf("a donation naming a recipient: %v", err)
	}
	fam, err := e.svc.Family(ctx, mother.ID)
	if err != nil || len(fam) != 1 || fam[0].UserID != son.ID || fam[0].Relationship != "child" {
		t.Errorf("family: %v %+v", err, fam)
	}
	if _, _, err := e.svc.Transfer(ctx, stranger.ID, "x", activity.TransferRequest{To: "pool", Amount: 1}); !errors.Is(err, ledger.ErrInsufficientFunds) {
		t.Errorf("donation from an empty account: %v", err)
	}
	for _, key := range []string{"", "with space", "ключ", strings.Repeat("k", 201)} {
		if _, _, err := e.svc.Transfer(ctx, mother.ID, key, activity.TransferRequest{To: "pool", Amount: 1}); !errors.Is(err, activity.ErrInvalid) {
			t.Errorf("idempotency key %q: %v", key, err)
		}
	}
	e.verifyLedger(t)
}

// 20 concurrent requests with one idempotency key move the credits once.
func TestConcurrentTransferOnce(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	a, b := e.volunteer(t, "宋佳"), e.volunteer(t, "宋宇")
	e.earn(t, a.ID, 120)
	req := activity.TransferRequest{To: activity.ToFamily, VolunteerNo: b.VolunteerNo, Name: b.Name, Relationship: "sibling", Amount: 60}
	var wg sync.WaitGroup
	const n = 20
	ids := make([]int64, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr, _, err := e.svc.Transfer(ctx, a.ID, "once", req)
			ids[i], errs[i] = tr.ID, err
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Fatalf("request %d: transfer %d, %v", i, ids[i], errs[i])
		}
	}
	if a, b := e.balance(t, a.AccountCode), e.balance(t, b.AccountCode); a != 60 || b != 60 {
		t.Errorf("balances %d and %d, want 60 and 60", a, b)
	}
	e.verifyLedger(t)
}

// Above the account cap, earnings go to the pool: the record keeps the full time, the account
// stops at the cap.
func TestEarningAboveTheCap(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{AccountCapMinutes: 100, PoolAccount: "pool:cap"})
	v := e.volunteer(t, "高远")
	a := e.newActivity(t)
	rec := e.approved(t, a, v.ID, day10, day10.Add(2*time.Hour))
	if rec.Minutes != 120 || rec.Credits != 100 {
		t.Errorf("record: %d minutes, %d credits; want 120 and 100", rec.Minutes, rec.Credits)
	}
	if b, p := e.balance(t, v.AccountCode), e.balance(t, "pool:cap"); b != 100 || p != 20 {
		t.Errorf("volunteer %d, pool %d; want 100 and 20", b, p)
	}
	e.verifyLedger(t)
}
