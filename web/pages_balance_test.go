package web

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"timebank/ledger"
	"timebank/pkg/access"
	"timebank/pkg/identity"
	"timebank/pkg/principal"
	"timebank/web/i18n"
)

var earnSeq atomic.Int64

// earn credits minutes to a volunteer account from an issuing account, as verified service does.
func earn(t *testing.T, d services, code string, minutes int64, memo string) {
	t.Helper()
	if err := postEarning(d, code, minutes, memo); err != nil {
		t.Fatal(err)
	}
}

// postEarning is earn for goroutines other than the test's.
func postEarning(d services, code string, minutes int64, memo string) error {
	ctx := context.Background()
	issuer := "org:9999:issued"
	if _, err := d.Ledger.CreateAccount(ctx, ledger.NewAccount{Code: issuer, Kind: ledger.KindIssuer, AllowNegative: true}); err != nil &&
		!errors.Is(err, ledger.ErrAccountExists) {
		return err
	}
	_, err := d.Ledger.Post(ctx, ledger.TransactionRequest{Kind: ledger.TxEarn, Memo: memo, CreatedBy: "test",
		IdempotencyKey: fmt.Sprintf("earn-%s-%d", code, earnSeq.Add(1)),
		Postings:       []ledger.PostingRequest{{Account: issuer, Amount: -minutes}, {Account: code, Amount: minutes}}})
	return err
}

func TestBalancePage(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	b, u := personIn(t, app, d, testPhone)
	if r := b.get("/me/balance"); r.status != 200 || !strings.Contains(r.body, `id="statement-empty"`) {
		t.Fatalf("empty balance page: %d", r.status)
	}
	earn(t, d, u.AccountCode, 90, "service record 20, revision 1")
	r := b.get("/me/balance")
	for _, want := range []string{`data-minutes="90"`, `>1.5</span>`, "志愿服务获得", "+1.5 小时",
		`data-events="/api/v1/me/balance/events"`, `aria-live="polite"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the balance page lacks %s", want)
		}
	}
	// The stored memo is for the ledger's readers: the statement says what happened from the
	// transaction's kind and reference (TestStatementNamesWhatHappened), never a stored text.
	if strings.Contains(r.body, "service record") {
		t.Error("the statement shows the stored memo")
	}
	b.jar[i18n.CookieLang] = "en"
	if r = b.get("/me/balance"); !strings.Contains(r.body, "Earned by service") || !strings.Contains(r.body, "1.5") {
		t.Error("the English statement")
	}
}

// The profile lists roles with the names of their scopes, in the person's language.
func TestProfileShowsRoles(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	b, u := personIn(t, app, d, testPhone)
	if r := b.get("/me"); !strings.Contains(r.body, "还没有加入任何组织的角色") {
		t.Error("a volunteer without roles")
	}
	ctx := context.Background()
	if _, err := d.DB.ExecContext(ctx, `INSERT INTO regions (code, name, level) VALUES ('339900000000', '测试省', 1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Users.Grant(ctx, identity.Change{Actor: principal.Operator(), RequestID: "test"}, u.ID,
		access.Grant{Role: access.RegionAdmin, Kind: access.Region, RegionCode: "339900000000"}); err != nil {
		t.Fatal(err)
	}
	if r := b.get("/me"); !strings.Contains(r.body, "<strong>区域管理员</strong> · 区域 · 测试省") {
		t.Errorf("the role is not listed:\n%s", r.body)
	}
	b.jar[i18n.CookieLang] = "en"
	if r := b.get("/me"); !strings.Contains(r.body, "<strong>Region admin</strong> · Region · 测试省") {
		t.Error("the role in English")
	}
}
