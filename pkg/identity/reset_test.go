package identity_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"

	"timebank/pkg/identity"
	"timebank/pkg/principal"
)

func TestStaffResetCode(t *testing.T) {
	users, db, _ := newUsers(t)
	ctx := context.Background()
	u, err := users.Register(ctx, identity.Registration{Phone: "13800138001", Password: goodPassword, Name: "王秀英"})
	if err != nil {
		t.Fatal(err)
	}
	ch := identity.Change{Actor: &principal.Principal{UserID: 99, Name: "沈建华"}, RequestID: "req-reset"}
	old, _, err := users.IssueReset(ctx, ch, 0, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	code, expires, err := users.IssueReset(ctx, ch, 0, u.ID)
	if err != nil || len(code) != 9 || code[4] != '-' || expires.IsZero() {
		t.Fatalf("issue: %q %v %v", code, expires, err)
	}
	var stored int
	if err := db.Get(&stored, `SELECT count(*) FROM password_resets WHERE code_hash = convert_to($1, 'UTF8')`, code); err != nil || stored != 0 {
		t.Fatalf("the code is stored as it is (%d, %v)", stored, err)
	}
	var audited string
	if err := db.Get(&audited, `SELECT action FROM audit_log WHERE target = $1 AND request_id = 'req-reset' ORDER BY id DESC LIMIT 1`,
		"user:"+itoa(u.ID)); err != nil || audited != "user.reset_issue" {
		t.Fatalf("audit: %q %v", audited, err)
	}
	if _, err := users.ResetPassword(ctx, "13800138001", old, "Xinde-mima-2026"); !errors.Is(err, identity.ErrResetCode) {
		t.Fatalf("a code voided by a newer one: %v", err)
	}
	// A weak password is refused and leaves the code usable; typed in lower case with a space, it works.
	if _, err := users.ResetPassword(ctx, "13800138001", code, "123456"); !errors.Is(err, identity.ErrInvalid) {
		t.Fatalf("weak password: %v", err)
	}
	typed := strings.ToLower(strings.Replace(code, "-", " ", 1))
	if got, err := users.ResetPassword(ctx, "138 0013 8001", typed, "Xinde-mima-2026"); err != nil || got.ID != u.ID {
		t.Fatalf("reset: %+v %v", got, err)
	}
	if _, err := users.Authenticate(ctx, "13800138001", "Xinde-mima-2026"); err != nil {
		t.Fatalf("the new password: %v", err)
	}
	if _, err := users.Authenticate(ctx, "13800138001", goodPassword); !errors.Is(err, identity.ErrBadCredentials) {
		t.Fatalf("the old password still works: %v", err)
	}
	if _, err := users.ResetPassword(ctx, "13800138001", code, "Zaici-mima-2026"); !errors.Is(err, identity.ErrResetCode) {
		t.Fatalf("a used code again: %v", err)
	}
	// An unknown number answers as a wrong code does.
	if _, err := users.ResetPassword(ctx, "13800138999", code, "Zaici-mima-2026"); !errors.Is(err, identity.ErrResetCode) {
		t.Fatalf("unknown number: %v", err)
	}
}

// Five wrong codes void the person's code, even when tried at once.
func TestResetCodeTriesAreLimited(t *testing.T) {
	users, _, _ := newUsers(t)
	ctx := context.Background()
	u, err := users.Register(ctx, identity.Registration{Phone: "13800138002", Password: goodPassword, Name: "李建国"})
	if err != nil {
		t.Fatal(err)
	}
	code, _, err := users.IssueReset(ctx, identity.Change{Actor: principal.Operator()}, 0, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := users.ResetPassword(ctx, "13800138002", "ZZZZ-ZZZ"+string(rune('2'+i%8)), "Xinde-mima-2026"); !errors.Is(err, identity.ErrResetCode) {
				t.Errorf("wrong code %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if _, err := users.ResetPassword(ctx, "13800138002", code, "Xinde-mima-2026"); !errors.Is(err, identity.ErrResetCode) {
		t.Fatalf("the right code after 20 wrong tries: %v", err)
	}
}

func TestSMSResetCode(t *testing.T) {
	users, _, _ := newUsers(t)
	ctx := context.Background()
	if _, err := users.Register(ctx, identity.Registration{Phone: "13800138003", Password: goodPassword, Name: "张丽华"}); err != nil {
		t.Fatal(err)
	}
	var sent []string
	send := func(_ context.Context, phone, code string) error {
		sent = append(sent, phone+" "+code)
		return nil
	}
	// An unknown number is answered as a known one, and nothing is sent.
	if err := users.RequestSMSReset(ctx, "13800138999", send); err != nil || len(sent) != 0 {
		t.Fatalf("unknown number: %v %v", err, sent)
	}
	if err := users.RequestSMSReset(ctx, "13800138003", send); err != nil || len(sent) != 1 {
		t.Fatalf("request: %v %v", err, sent)
	}
	if err := users.RequestSMSReset(ctx, "13800138003", send); !errors.Is(err, identity.ErrResetTooSoon) || len(sent) != 1 {
		t.Fatalf("a second code within a minute: %v %v", err, sent)
	}
	code := strings.Fields(sent[0])[1]
	if len(code) != 6 {
		t.Fatalf("code %q", code)
	}
	if _, err := users.ResetPassword(ctx, "13800138003", code, "Xinde-mima-2026"); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
