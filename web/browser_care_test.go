package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"timebank/pkg/care"
)

// The care board in a real browser: the coordinator registers a red-card person from the board and
// pairs the volunteer, on the pages; registered ten days ago and never visited, the person is
// overdue on the coordinator's board (1366 px, and the big screen); the paired volunteer, on a 360 px
// phone, opens the person's card code, records a 40-minute visit with a note, and lands on their list
// with the notice; the coordinator's board then shows the card visited and no longer overdue; the
// visit's service record credited the volunteer. The coordinator opens the
// person's full record, and that read is in the audit log. Screenshots of each screen are saved, and
// of the registration form and the pairings page at 360 px and 1366 px in Chinese and English.
func TestBrowserCareBoardTurnsVisited(t *testing.T) {
	t.Parallel() // a browser test mostly waits: two run at once
	base, d := browserApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	vol := w.users[volunteer]
	board := base + "/communities/" + w.regionIn + "/care-board"

	// The coordinator registers the person from the board and pairs the volunteer, through the pages
	// (in a browser of its own, so that the board's flow below keeps its time).
	reg := newChrome(t)
	step(t, reg, "a 1366 px screen", chromedp.EmulateViewport(1366, 900))
	signInWith(t, reg, base, worldPhone(coordA), testPassword)
	visit(t, reg, board)
	step(t, reg, "open the registration", chromedp.Click(chromedp.ID("care-register")), chromedp.WaitVisible(chromedp.ID("care-person-form")))
	fill(t, reg, "f-name", "王小芳", "f-phone", "13812345678", "f-address", "硖石街道东山路 8 号")
	step(t, reg, "tick the categories and consent", chromedp.Click(chromedp.CSS(`[data-testid=category-alone]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=category-tekun]`)), chromedp.SetValue(chromedp.ID("f-colour"), "red"),
		chromedp.Click(chromedp.ID("f-consent")))
	screenshot(t, reg, "register-filled")
	submitAndWait(t, reg, "care-person-submit", "care-pairings-link")
	if got := textOf(t, reg, "notice"); !strings.Contains(got, "已登记") {
		t.Errorf("the notice after registering: %q", got)
	}
	var p care.Person
	if err := d.DB.Get(&p.ID, `SELECT id FROM care_people`); err != nil {
		t.Fatal(err)
	}
	step(t, reg, "open the pairings", chromedp.Click(chromedp.ID("care-pairings-link")), chromedp.WaitVisible(chromedp.ID("care-pair-form")))
	step(t, reg, "choose the volunteer", chromedp.SetValue(chromedp.ID("f-who"), id(w.a.ID)+":"+id(vol)))
	submitAndWait(t, reg, "care-pair-submit", "notice")
	if got := textOf(t, reg, "pairings"); !strings.Contains(got, "volunteer of A") {
		t.Errorf("the pairings after pairing: %q", got)
	}
	screenshot(t, reg, "paired")
	// The registration form and the pairings page at 360 px and 1366 px, in Chinese and English, and
	// the change form on a phone.
	for _, width := range []int{phoneWidth, 1366} {
		for _, lang := range []string{"zh-CN", "en"} {
			useWidth(t, reg, width)
			useLang(t, reg, base, lang)
			visit(t, reg, base+"/care/people/new?region="+w.regionIn)
			fitsWidth(t, reg, "the registration form", width)
			screenshot(t, reg, fmt.Sprintf("register-%s-%d", lang, width))
			visit(t, reg, base+"/care/people/"+id(p.ID)+"/pairings")
			fitsWidth(t, reg, "the pairings page", width)
			screenshot(t, reg, fmt.Sprintf("pairings-%s-%d", lang, width))
			if width == phoneWidth {
				visit(t, reg, base+"/care/people/"+id(p.ID)+"/edit")
				fitsWidth(t, reg, "the change form", width)
				screenshot(t, reg, "change-"+lang+"-360")
			}
		}
	}
	if _, err := d.DB.Exec(`UPDATE care_people SET created_at = now() - interval '10 days' WHERE id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	_, cardURL, err := d.Care.Card(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	cardPath := cardURL[strings.Index(cardURL, "/q/"):]
	cardSel := "#care-card-" + id(p.ID)

	// The coordinator's board: the card is red and overdue.
	pc := newChrome(t)
	step(t, pc, "a 1366 px screen", chromedp.EmulateViewport(1366, 900))
	signInWith(t, pc, base, worldPhone(coordA), testPassword)
	visit(t, pc, board)
	if got := attrAt(t, pc, cardSel, "data-overdue"); got != "true" {
		t.Fatalf("before the visit the card's data-overdue is %q", got)
	}
	if got := textAt(t, pc, cardSel+" [data-testid=care-overdue]"); got != "已逾期 10 天" {
		t.Errorf("the overdue badge: %q", got)
	}
	if got := textOf(t, pc, "care-board"); strings.Contains(got, "王小芳") || strings.Contains(got, "13812345678") || !strings.Contains(got, "王*芳") {
		t.Errorf("the board shows the person unmasked, or not at all: %q", got)
	}
	screenshot(t, pc, "board-overdue")
	visit(t, pc, board+"?screen=1")
	screenshot(t, pc, "big-screen-overdue")

	// The volunteer, on a phone, scans the card at the door and records the visit.
	ph := newChrome(t)
	phone(t, ph)
	signInWith(t, ph, base, worldPhone(volunteer), testPassword)
	visit(t, ph, base+"/me/care")
	if got := attrAt(t, ph, cardSel, "data-overdue"); got != "true" {
		t.Errorf("the volunteer's list: data-overdue %q", got)
	}
	visit(t, ph, base+cardPath)
	if got := textOf(t, ph, "care-visit-person"); !strings.Contains(got, "王*芳") {
		t.Errorf("the visit form names %q", got)
	}
	step(t, ph, "set the minutes", chromedp.SetValue(chromedp.ID("f-minutes"), "40"))
	fill(t, ph, "f-health", "血压平稳", "f-needs", "代购药品")
	screenshot(t, ph, "visit-form")
	submitAndWait(t, ph, "care-visit-submit", "care-visit-done")
	if got := attrAt(t, ph, cardSel, "data-overdue"); got != "false" {
		t.Errorf("the volunteer's list after the visit: data-overdue %q", got)
	}
	screenshot(t, ph, "visit-list-after")
	// The visit's record earned the volunteer its credits (the organization's policy rounds the 40
	// minutes), through the ledger like an activity's.
	var credits int64
	if err := d.DB.Get(&credits, `SELECT r.credits FROM care_visit_records v JOIN service_records r ON r.id = v.record_id
JOIN care_visits c ON c.id = v.visit_id WHERE c.person_id = $1`, p.ID); err != nil || credits <= 0 {
		t.Fatalf("the visit's record: %d credits (%v)", credits, err)
	}
	if b, err := d.Ledger.Balance(ctx, "vol:"+id(vol)); err != nil || b.Posted != credits {
		t.Errorf("the volunteer's balance after the visit: %+v, %v; want %d", b, err, credits)
	}

	// The coordinator's board: visited, not overdue, due again in a week.
	visit(t, pc, board)
	if got := attrAt(t, pc, cardSel, "data-overdue"); got != "false" {
		t.Fatalf("after the visit the card's data-overdue is %q", got)
	}
	if got := textAt(t, pc, cardSel+" [data-testid=care-visited]"); got != "已探访" {
		t.Errorf("the visited badge: %q", got)
	}
	if got := textOf(t, pc, "care-board"); !strings.Contains(got, "逾期 0") {
		t.Errorf("the overdue count after the visit: %q", got)
	}
	screenshot(t, pc, "board-visited")
	visit(t, pc, board+"?screen=1")
	screenshot(t, pc, "big-screen-visited")

	// The full record, opened by the coordinator of the community, is audited.
	visit(t, pc, base+"/care/people/"+id(p.ID))
	submitAndWait(t, pc, "care-unmask", "care-person-details")
	if got := textOf(t, pc, "care-person-details"); !strings.Contains(got, "13812345678") {
		t.Errorf("the unmasked record: %q", got)
	}
	screenshot(t, pc, "person-unmasked")
	var reads int
	if err := d.DB.Get(&reads, `SELECT count(*) FROM audit_log WHERE action = 'care.read_unmasked' AND target = $1`,
		"care_person:"+id(p.ID)); err != nil || reads != 1 {
		t.Errorf("audited unmasked reads: %d (%v)", reads, err)
	}
}
