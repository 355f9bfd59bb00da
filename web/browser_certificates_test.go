package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"timebank/pkg/access"
	"timebank/pkg/certificate"
	"timebank/pkg/identity"
	who "timebank/pkg/principal"
)

// certScreens saves a screenshot of the page at a phone's width (360 px) and a PC's (1366 px), and
// leaves the tab at the PC's.
func certScreens(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	phone(t, ctx)
	screenshot(t, ctx, name+"-360")
	step(t, ctx, "a 1366 px screen", chromedp.EmulateViewport(1366, 900))
	screenshot(t, ctx, name+"-1366")
}

// switchLang presses the header's language button and waits for the page in that language.
func switchLang(t *testing.T, ctx context.Context, lang string) {
	t.Helper()
	button := map[string]string{"en": "lang-en", "zh-CN": "lang-zh"}[lang]
	step(t, ctx, "switch to "+lang, inMenu(button),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="`+lang+`"] #page-title`)))
}

// Certificates in a real browser: a volunteer asks for one on a phone; the coordinator opens the
// queue from the organization page, handles the request with a 经办人 and lands on the printable
// certificate, then sees it in the register; anyone checks its code on a phone without signing in:
// genuine, a changed code not genuine, and revoked with the reason. Screenshots at 360 and 1366 px,
// in Chinese and English, of the queue, the register, the certificate and the check page.
func TestBrowserCertificates(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d := browserApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	const volPhone = "13655550001"
	vu, err := d.Users.Register(ctx, identity.Registration{Phone: volPhone, Password: testPassword, Name: "王秀英"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Users.Grant(ctx, identity.Change{Actor: who.Operator()}, vu.ID, access.Grant{Role: access.Volunteer, Kind: access.Org, OrgID: w.a.ID}); err != nil {
		t.Fatal(err)
	}
	certRecord(t, d, w.a.ID, vu.ID, "2025-06-01", "东山社区敬老院陪伴", 150)
	certRecord(t, d, w.a.ID, vu.ID, "2025-07-12", "垃圾分类入户宣传", 90)
	other, err := d.Users.Register(ctx, identity.Registration{Phone: "13655550002", Password: testPassword, Name: "李建国"})
	if err != nil {
		t.Fatal(err)
	}
	certRecord(t, d, w.a.ID, other.ID, "2025-08-03", "助老送餐", 120)
	if _, err := d.Certificates.Apply(ctx, &who.Principal{UserID: other.ID, Name: other.Name}, certificate.NewRequest{UserID: other.ID,
		OrgID: w.a.ID, From: "2025-08-01", To: "2025-08-31", Purpose: certificate.PurposeAward, PurposeNote: "优秀志愿者评选"}); err != nil {
		t.Fatal(err)
	}

	// The volunteer asks on a phone.
	vol := newChrome(t)
	phone(t, vol)
	signInWith(t, vol, base, volPhone, testPassword)
	visit(t, vol, base+"/me")
	submitAndWait(t, vol, "to-my-certificates", "cert-request-form")
	step(t, vol, "choose the purpose", chromedp.SetValue(chromedp.ID("f-purpose"), certificate.PurposeSchool))
	fill(t, vol, "f-purpose_note", "高校志愿服务经历")
	screenshot(t, vol, "volunteer-ask-360")
	submitAndWait(t, vol, "cert-request-submit", "notice")
	if got := textAt(t, vol, "#cert-requests .badge"); got != "待受理" {
		t.Errorf("the request's status on the volunteer's page: %q", got)
	}

	// The coordinator handles it from the queue, reached from the organization page.
	pc := newChrome(t)
	signInWith(t, pc, base, worldPhone(coordA), testPassword)
	visit(t, pc, fmt.Sprintf("%s/orgs/%d", base, w.a.ID))
	screenshot(t, pc, "org-page-zh-1280")
	submitAndWait(t, pc, "to-cert-queue", "cert-queue")
	if n := evalIn[int](t, pc, "count the queue", `document.querySelectorAll('[data-testid="queue-request"]').length`); n != 2 {
		t.Fatalf("%d requests in the queue, want 2", n)
	}
	if got := textAt(t, pc, "#cert-queue .days-left"); !strings.Contains(got, "剩 10 个工作日") && !strings.Contains(got, "剩 9 个工作日") {
		t.Errorf("the days left: %q", got)
	}
	certScreens(t, pc, "queue-zh")
	step(t, pc, "handle the volunteer's request", chromedp.Click(chromedp.CSS(`#cert-queue li:last-child [data-testid="handle-request"]`)),
		chromedp.WaitVisible(chromedp.ID("issue-form")))
	fill(t, pc, "f-handler", "周经办", "f-responsible_name", "李会长")
	submitAndWait(t, pc, "issue-submit", "certificate")
	if got := textOf(t, pc, "print-statement"); !strings.Contains(got, "王秀英") || !strings.Contains(got, "累计志愿服务时长 4 小时") {
		t.Errorf("the statement: %q", got)
	}
	certs, err := d.Certificates.OfUser(ctx, vu.ID)
	if err != nil || len(certs) != 1 {
		t.Fatalf("certificates of the volunteer: %v %v", certs, err)
	}
	cert := certs[0]
	if got := textOf(t, pc, "print-number"); got != cert.Number {
		t.Errorf("the printed number %q, want %s", got, cert.Number)
	}
	certScreens(t, pc, "certificate-zh")
	visit(t, pc, fmt.Sprintf("%s/orgs/%d/certificates", base, w.a.ID))
	if got := textAt(t, pc, `[data-testid="register-row"] strong`); got != cert.Number {
		t.Errorf("the register's first row: %q", got)
	}
	var registered int
	if err := d.DB.Get(&registered, `SELECT count(*) FROM certificates WHERE org_id = $1`, w.a.ID); err != nil {
		t.Fatal(err)
	}
	step(t, pc, "export the register as Excel", chromedp.Click(chromedp.ID("export-certificates-xlsx")))
	waitFor(t, pc, "the download finishes", `document.querySelector('#register-exports-status.done') !== null`)
	if got := evalString(t, pc, "rows", `document.getElementById('register-exports').dataset.rows`); got != fmt.Sprint(registered) {
		t.Errorf("the register's export counted %s rows, want %d", got, registered)
	}
	certScreens(t, pc, "register-zh")
	switchLang(t, pc, "en")
	certScreens(t, pc, "register-en")
	visit(t, pc, fmt.Sprintf("%s/certificates/%d", base, cert.ID))
	textOf(t, pc, "print-official")
	certScreens(t, pc, "certificate-en")
	visit(t, pc, fmt.Sprintf("%s/orgs/%d/certificates/requests", base, w.a.ID))
	if got := textAt(t, pc, "#cert-queue .days-left"); !strings.Contains(got, "working days left") {
		t.Errorf("the days left in English: %q", got)
	}
	certScreens(t, pc, "queue-en")

	// Anyone checks the code on a phone, without signing in.
	check := newTab(t, vol)
	phone(t, check)
	visit(t, check, base+"/c/"+cert.Token)
	if got := textOf(t, check, "page-title"); got != "证明真实有效" {
		t.Errorf("the check's title: %q", got)
	}
	if got := textOf(t, check, "cert-name"); got != "王**" {
		t.Errorf("the name on the check: %q", got)
	}
	certScreens(t, check, "check-zh")
	switchLang(t, check, "en")
	certScreens(t, check, "check-en")
	visit(t, check, base+"/c/"+tamper(cert.Token))
	textOf(t, check, "cert-check-text")
	phone(t, check)
	screenshot(t, check, "check-tampered-en-360")
	if _, err := d.Certificates.Revoke(ctx, certIssuer, w.a.ID, cert.ID, "服务期间填写有误，已重新开具"); err != nil {
		t.Fatal(err)
	}
	switchLang(t, check, "zh-CN")
	visit(t, check, base+"/c/"+cert.Token)
	if got := textOf(t, check, "cert-revoked-reason"); !strings.Contains(got, "服务期间填写有误") {
		t.Errorf("the revocation's reason: %q", got)
	}
	screenshot(t, check, "check-revoked-zh-360")
}
