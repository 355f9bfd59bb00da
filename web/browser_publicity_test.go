package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"timebank/pkg/access"
	"timebank/pkg/certificate"
)

// 公示 in a browser: a coordinator, at 1366 px, puts a certificate on public notice from the
// register; anyone, on a 360 px phone and without signing in, reads the notice (the name masked)
// and objects with a contact; the coordinator sees the objection in the register and dismisses it
// with a note. Screenshots of the notice page at 360 and 1366 px in Chinese and English, and of the
// register with the objection.
func TestBrowserPublicity(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d := browserApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	volID, _ := certPerson(t, d, w, "王秀英", access.Volunteer, w.a.ID)
	certRecord(t, d, w.a.ID, volID, "2025-06-01", "东山社区敬老院陪伴", 150)
	cert, err := d.Certificates.Issue(ctx, certIssuer, w.a.ID, certificate.NewCertificate{UserID: volID,
		Purpose: certificate.PurposeSchool, ResponsibleName: "李会长"})
	if err != nil {
		t.Fatal(err)
	}

	pc := newChrome(t)
	signInWith(t, pc, base, tablePhone(t, coordA), testPassword)
	useWidth(t, pc, pcWideWidth)
	visit(t, pc, fmt.Sprintf("%s/orgs/%d/certificates", base, w.a.ID))
	step(t, pc, "choose 14 days", chromedp.SetValue(chromedp.ID(fmt.Sprintf("days-%d", cert.ID)), "14"))
	submitAndWait(t, pc, fmt.Sprintf("publish-%d", cert.ID), "notice")
	if got := textAt(t, pc, `[data-testid="published"]`); !strings.Contains(got, "公示中") {
		t.Errorf("the register after publishing: %q", got)
	}

	anyone := newChrome(t)
	phone(t, anyone)
	visit(t, anyone, fmt.Sprintf("%s/orgs/%d/publicity", base, w.a.ID))
	if got := textAt(t, anyone, `[data-testid="publicity-row"]`); !strings.Contains(got, cert.Number) || !strings.Contains(got, "王**") || strings.Contains(got, "王秀英") {
		t.Errorf("the public notice: %q", got)
	}
	certScreens(t, anyone, "publicity-zh")
	phone(t, anyone)
	box := "#object-" + cert.Number
	step(t, anyone, "open the objection form", chromedp.Click(chromedp.CSS(box+" summary")))
	fill(t, anyone, "contact-"+cert.Number, "13900001111")
	// An empty textarea cannot be cleared (fill clears first): type into it.
	step(t, anyone, "give the reason", chromedp.SendKeys(chromedp.ID("body-"+cert.Number), "那天她不在场"))
	screenshot(t, anyone, "object-zh-360")
	step(t, anyone, "send the objection", chromedp.Click(chromedp.CSS(box+` button[type="submit"]`)), chromedp.WaitVisible(chromedp.ID("notice")))
	switchLang(t, anyone, "en")
	certScreens(t, anyone, "publicity-en")

	visit(t, pc, fmt.Sprintf("%s/orgs/%d/certificates#objections", base, w.a.ID))
	if got := textAt(t, pc, `[data-testid="objection"]`); !strings.Contains(got, "13900001111") || !strings.Contains(got, "那天她不在场") {
		t.Errorf("the objection in the register: %q", got)
	}
	step(t, pc, "scroll to the objections", chromedp.ScrollIntoView(chromedp.ID("objections")))
	certScreens(t, pc, "register-objection-zh")
	step(t, pc, "give the note", chromedp.SendKeys(chromedp.ID("note-1"), "签到记录为证"))
	step(t, pc, "dismiss the objection", chromedp.Click(chromedp.CSS(`[data-testid="dismiss"]`)), chromedp.WaitVisible(chromedp.ID("notice")))
	if got := textAt(t, pc, `[data-testid="objection"]`); !strings.Contains(got, "异议不成立") || !strings.Contains(got, "签到记录为证") {
		t.Errorf("the dismissed objection: %q", got)
	}
}
