package activity_test

import (
	"context"
	"testing"
	"time"

	"timebank/pkg/activity"
)

// Credits of an organization whose policy expires them after 12 months: the volunteer is told 30
// days before, what is left of the oldest earning expires first as one `expire` transaction, a
// second run posts nothing more, and service records are never touched.
func TestCreditExpiry(t *testing.T) {
	e := newEnv(t, activity.CreditLimits{})
	ctx := context.Background()
	if _, err := e.svc.SetCreditPolicy(ctx, platformAdmin, activity.CreditScope{Kind: activity.ScopeOrg, OrgID: e.orgID},
		activity.CreditPolicy{ExpiryMonths: hours(12)}); err != nil {
		t.Fatal(err)
	}
	v := e.volunteer(t, "顾晓梅")
	e.earn(t, v.ID, 120) // lot A, earned 2025-03-10 11:00, expires 2026-03-10 11:00
	laterDay := day10.AddDate(0, 0, 30)
	b := e.newActivity(t, func(n *activity.NewActivity) { n.StartsAt, n.EndsAt = laterDay, laterDay.Add(3*time.Hour) })
	e.approved(t, b, v.ID, laterDay, laterDay.Add(time.Hour)) // lot B, 60, expires 2026-04-09 10:00
	donate := func(key string, amount int64) {
		t.Helper()
		if _, _, err := e.svc.Transfer(ctx, v.ID, key, activity.TransferRequest{To: activity.ToPool, Amount: amount}); err != nil {
			t.Fatalf("donate %d: %v", amount, err)
		}
	}
	e.clock.Set(laterDay.Add(24 * time.Hour))
	donate("give-1", 90) // spends 90 of A: A has 30 left, B 60

	records := func() string {
		var s string
		if err := e.db.Get(&s, `SELECT string_agg(id || ':' || minutes || ':' || credits || ':' || revision || ':' || status, ',' ORDER BY id)
FROM service_records WHERE user_id = $1`, v.ID); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := records()
	run := func(at time.Time) int {
		t.Helper()
		e.clock.Set(at)
		n, err := e.svc.ExpireCredits(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	expired := func() int64 {
		t.Helper()
		var n int64
		if err := e.db.Get(&n, `SELECT coalesce(sum(-p.amount), 0) FROM ledger_postings p JOIN ledger_transactions x ON x.id = p.tx_id
JOIN ledger_accounts a ON a.id = p.account_id WHERE x.kind = 'expire' AND a.code = $1`, v.AccountCode); err != nil {
			t.Fatal(err)
		}
		return n
	}
	notices := func() int {
		return e.count(t, `SELECT count(*) FROM notification_outbox WHERE user_id = $1 AND kind = 'credits_expiring'`, v.ID)
	}

	if n := run(time.Date(2026, 2, 1, 9, 0, 0, 0, cst)); n != 0 || notices() != 0 {
		t.Fatalf("six weeks before: %d handled, %d notices", n, notices())
	}
	run(time.Date(2026, 2, 10, 9, 0, 0, 0, cst))
	var told int64
	if err := e.db.Get(&told, `SELECT (params->>'credits')::bigint FROM notification_outbox
WHERE user_id = $1 AND kind = 'credits_expiring'`, v.ID); err != nil || told != 30 {
		t.Fatalf("the notice 30 days before tells %d credits (%v), want the 30 left of the first earning", told, err)
	}
	if expired() != 0 || e.balance(t, v.AccountCode) != 90 {
		t.Fatalf("expired before its time: %d", expired())
	}
	run(time.Date(2026, 2, 11, 9, 0, 0, 0, cst))
	if notices() != 1 {
		t.Errorf("told %d times of one earning", notices())
	}

	run(time.Date(2026, 3, 10, 12, 0, 0, 0, cst))
	if got, bal, sys := expired(), e.balance(t, v.AccountCode), e.balance(t, activity.ExpiryAccount); got != 30 || bal != 60 || sys != 30 {
		t.Fatalf("at the first earning's expiry: expired %d, balance %d, expiry account %d; want 30, 60, 30", got, bal, sys)
	}
	run(time.Date(2026, 3, 10, 13, 0, 0, 0, cst))
	if got := expired(); got != 30 {
		t.Fatalf("a second run expired more: %d", got)
	}

	e.clock.Set(time.Date(2026, 3, 20, 9, 0, 0, 0, cst))
	donate("give-2", 20) // from the second earning: 40 of it left
	run(time.Date(2026, 4, 9, 11, 0, 0, 0, cst))
	if got, bal := expired(), e.balance(t, v.AccountCode); got != 70 || bal != 0 {
		t.Fatalf("at the second earning's expiry: expired %d, balance %d; want 70, 0", got, bal)
	}
	if n := e.count(t, `SELECT count(*) FROM ledger_transactions WHERE kind = 'expire'`); n != 2 {
		t.Errorf("%d expire transactions, want 2", n)
	}
	if after := records(); after != before {
		t.Errorf("service records changed:\n%s\n%s", before, after)
	}
	e.verifyLedger(t)
}
