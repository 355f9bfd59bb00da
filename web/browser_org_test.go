package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"timebank/pkg/access"
	"timebank/pkg/identity"
	"timebank/web/pages"
)

// operatorCall sends a JSON request to the API with the operator's token, as automation does.
func operatorCall(t *testing.T, d services, base, method, path, body string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+d.Config.OperatorToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Idempotency-Key", fmt.Sprintf("browser-%s-%d", t.Name(), len(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("%s %s: %d", method, path, resp.StatusCode)
	}
}

// tablePhone is the phone number newWorld registered one of the authorization table's people with.
func tablePhone(t *testing.T, who string) string {
	t.Helper()
	i := slices.Index(people, who)
	if i < 0 {
		t.Fatalf("%q is not one of the table's people", who)
	}
	return fmt.Sprintf("1380000%04d", i)
}

// A visitor registers on a phone, signs out and in again, and sees the balance page; a transaction
// posted through the API changes the balance on the open page, without a reload.
func TestBrowserRegisterLogInLiveBalance(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d := browserApp(t)
	ctx := newChrome(t)
	phone(t, ctx)
	const number, pass = "13757571234", "qiantang-tide-2026"

	visit(t, ctx, base+"/register")
	fill(t, ctx, "f-phone", "137 5757 1234")
	screenshot(t, ctx, "1-register-number")
	submitAndWait(t, ctx, "register-send-code", "register-code-sent")
	fill(t, ctx, "f-code", regCode(t, d, number), "f-name", "沈小燕", "f-password", pass)
	step(t, ctx, "agree to the privacy notice", chromedp.Click(chromedp.ID("f-privacy_consent")))
	screenshot(t, ctx, "1-register")
	submitAndWait(t, ctx, "register-submit", "me-details")
	if got := textOf(t, ctx, "notice"); !strings.Contains(got, "注册成功") {
		t.Errorf("after registering: %q", got)
	}
	if got := textOf(t, ctx, "me-phone"); got != "137****1234" {
		t.Errorf("the profile shows the phone as %q", got)
	}
	screenshot(t, ctx, "2-profile")
	step(t, ctx, "sign out", inMenu("logout"), chromedp.WaitVisible(chromedp.ID("login-form")))

	signInWith(t, ctx, base, number, pass)
	if got := textOf(t, ctx, "balance-available"); got != "0" {
		t.Errorf("a new volunteer's balance: %q", got)
	}
	waitFor(t, ctx, "the live stream is open", `document.getElementById('balance-live').textContent.trim() !== ''`)
	screenshot(t, ctx, "3-balance")

	// A mark on the page survives only if the page is not reloaded.
	step(t, ctx, "mark the page", func(c context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](`window.notReloaded = true`)(c, tg)
		return chromedp.Void{}, err
	})
	u, err := d.Users.ByPhone(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	operatorCall(t, d, base, "POST", "/api/v1/accounts", `{"code":"system:adjustments","kind":"system","allow_negative":true}`)
	operatorCall(t, d, base, "POST", "/api/v1/transactions", fmt.Sprintf(
		`{"kind":"adjust","memo":"补记 3 月敬老院服务","postings":[{"account":"system:adjustments","amount":-150},{"account":"%s","amount":150}]}`,
		u.AccountCode))
	waitFor(t, ctx, "the balance changes without a reload",
		`window.notReloaded === true && document.getElementById('balance-available').textContent.trim() === '2.5'`)
	waitFor(t, ctx, "the statement lists the adjustment", `(document.getElementById('statement').textContent || '').includes('补记 3 月敬老院服务')`)
	screenshot(t, ctx, "4-balance-changed")
}

// The language switch turns the page English and back, on the same page, and the choice is kept
// with the person.
func TestBrowserLanguageSwitch(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d := browserApp(t)
	ctx := newChrome(t)
	phone(t, ctx)
	u, err := d.Users.Register(context.Background(), identity.Registration{Phone: "13757575678", Name: "Li Wei", Password: testPass})
	if err != nil {
		t.Fatal(err)
	}
	signInWith(t, ctx, base, "13757575678", testPass)
	if got := textOf(t, ctx, "page-title"); got != "我的时间币" {
		t.Errorf("the Chinese title: %q", got)
	}
	step(t, ctx, "switch to English", inMenu("lang-en"),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #balance`)))
	if got := textOf(t, ctx, "page-title"); got != "My time credits" {
		t.Errorf("the English title: %q", got)
	}
	if got, _ := d.Users.ByID(context.Background(), u.ID); got.Lang != "en" {
		t.Errorf("the stored language: %q", got.Lang)
	}
	screenshot(t, ctx, "1-english")
	step(t, ctx, "switch back to Chinese", inMenu("lang-zh"),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"] #balance`)))
	if got := textOf(t, ctx, "page-title"); got != "我的时间币" {
		t.Errorf("back in Chinese: %q", got)
	}
	screenshot(t, ctx, "2-chinese-again")
}

// An organization's administrator, at a counter PC, grants a registered volunteer a role on the
// organization page; the volunteer's profile, in a browser of their own, then lists it. The
// administrator also creates a device token and copies it.
func TestBrowserAdminGrantsRole(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d := browserApp(t)
	w := newWorld(t, d)
	ctx := newChrome(t)
	signInWith(t, ctx, base, tablePhone(t, adminA), testPassword)
	step(t, ctx, "open the organizations from the menu", inMenu("nav-orgs"),
		chromedp.WaitVisible(chromedp.ID("org-"+id(w.a.ID))))
	screenshot(t, ctx, "1-my-orgs")
	submitAndWait(t, ctx, "org-"+id(w.a.ID), "invite-form")
	fill(t, ctx, "f-phone", "13900000000")
	step(t, ctx, "choose the coordinator role", chromedp.SetValue(chromedp.ID("f-role"), "coordinator"))
	screenshot(t, ctx, "2-invite")
	submitAndWait(t, ctx, "invite-submit", "notice")
	if got := textOf(t, ctx, "notice"); !strings.Contains(got, "已授予角色") {
		t.Errorf("after granting: %q", got)
	}
	waitFor(t, ctx, "the member is listed", `[...document.querySelectorAll('#members [data-testid=member]')].some(li => li.textContent.includes('候补') && li.textContent.includes('活动协调员'))`)
	screenshot(t, ctx, "3-granted")

	// A kiosk token, shown once, copied with the button.
	fill(t, ctx, "f-label", "一楼签到屏")
	submitAndWait(t, ctx, "device-submit", "device-token")
	if tok := textOf(t, ctx, "device-token"); !identity.IsDeviceToken(tok) {
		t.Errorf("the token shown: %q", tok)
	}
	step(t, ctx, "copy the token", chromedp.Click(chromedp.ID("copy-token")))
	waitFor(t, ctx, "the copy is confirmed", `document.querySelector('#new-device .copy-status').textContent === '已复制'`)
	screenshot(t, ctx, "4-device-token")

	// The volunteer, in a browser of their own, on a phone.
	vol := newTab(t, ctx)
	phone(t, vol)
	signInWith(t, vol, base, "13900000000", testPassword)
	visit(t, vol, base+"/me")
	want := "活动协调员 · 组织 · " + w.a.Name
	if got := textAt(t, vol, `[data-testid="me-roles"]`); !strings.Contains(got, want) {
		t.Errorf("the volunteer's roles: %q, want %q", got, want)
	}
	screenshot(t, vol, "5-volunteer-profile")
	if r, err := d.Users.Principal(context.Background(), w.spare.ID); err != nil ||
		!r.Can(access.VerifyHours, access.Target{OrgIDs: []int64{w.a.ID}}) {
		t.Errorf("the volunteer cannot verify hours in A after the grant: %v", err)
	}
}

// A region administrator on a phone: the region page, an organization's page, the audit log, and the
// volunteer list import, whose check runs in place and keeps the chosen file for the import.
func TestBrowserRegionAuditImport(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d := browserApp(t)
	w := newWorld(t, d)
	ctx := newChrome(t)
	phone(t, ctx)
	signInWith(t, ctx, base, tablePhone(t, regionXS), testPassword)
	visit(t, ctx, base+"/regions/330481001000")
	if got := textOf(t, ctx, "region-orgs-title"); got == "" {
		t.Error("no organizations heading")
	}
	screenshot(t, ctx, "1-region")
	visit(t, ctx, base+"/audit")
	step(t, ctx, "open an entry's changes", chromedp.Click(chromedp.CSS(`.audit details summary`)),
		chromedp.WaitVisible(chromedp.CSS(`.audit details[open] pre`)))
	screenshot(t, ctx, "2-audit")

	list := filepath.Join(t.TempDir(), "名单.csv")
	if err := os.WriteFile(list, []byte("姓名,手机号\r\n张三,13911110001\r\n李四,13911110002\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	visit(t, ctx, base+pages.OrgPath(w.a.ID)+"/import")
	step(t, ctx, "choose the file", chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{list}))
	step(t, ctx, "mark the page", func(c context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](`window.notReloaded = true`)(c, tg)
		return chromedp.Void{}, err
	})
	submitAndWait(t, ctx, "roster-check", "roster-result-title")
	waitFor(t, ctx, "the check is shown in place", `window.notReloaded === true && document.getElementById('f-file').files.length === 1`)
	if got := textOf(t, ctx, "roster-result-title"); !strings.Contains(got, "检查通过") {
		t.Errorf("the check: %q", got)
	}
	screenshot(t, ctx, "3-import-checked")
	submitAndWait(t, ctx, "roster-import", "roster-back")
	if got := textOf(t, ctx, "roster-result-title"); !strings.Contains(got, "已导入 2 人") {
		t.Errorf("the import: %q", got)
	}
	screenshot(t, ctx, "4-imported")
	if _, err := d.Users.ByPhone(context.Background(), "13911110002"); err != nil {
		t.Errorf("the imported volunteer: %v", err)
	}
	visit(t, ctx, base+pages.OrgPath(w.a.ID))
	screenshot(t, ctx, "5-org-phone")
}
