package web

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"timebank/pkg/care"
)

// The coordinators' care pages: the coordinator of the street registers a person from the board (a
// form without consent and with a bad phone refused beside its fields, the name typed never shown
// again), changes the person's phone and categories, pairs the volunteer and ends the pairing; the
// region's administrator sets the visit frequencies (a word for a number refused); an auditor (who
// reads the registry but does not manage it) and the coordinator (who does not manage the region)
// are refused; every write is in the audit log. In Chinese, then in English.
func TestCarePages(t *testing.T) {
	t.Parallel()
	app, d := newTestApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	coord, region, auditor := signedInAs(t, app, coordA), signedInAs(t, app, regionXS), signedInAs(t, app, auditorHN)
	board := "/communities/" + w.regionIn + "/care-board"
	newPage := "/care/people/new?region=" + w.regionIn
	want(t, "the board", coord.get(board), 200, `href="`+newPage+`"`)
	r := coord.get(newPage)
	want(t, "the registration form", r, 200, "登记关爱对象", `name="_csrf"`, "所在社区：<strong>硖石街道", "独居老人", ">监护人<")
	inputsLabelled(t, "registration", r.body)
	if strings.Contains(r.body, w.regionIn) && strings.Contains(r.body, ">"+w.regionIn+"<") {
		t.Error("the form shows the division code")
	}

	form := url.Values{"region_code": {w.regionIn}, "name": {"陈阿婆"}, "phone": {"12345"}, "address": {"东山路 8 号"},
		"categories": {"alone", "tekun"}, "colour": {"red"}, "consent_of": {"guardian"}, "key": {formKey(t, r.body)}}
	r = coord.submit("/care/people", form)
	want(t, "a refused registration", r, 422, `data-testid="error-consent"`, `data-testid="error-phone"`, "有效的 11 位大陆手机号码")
	if strings.Contains(r.body, "陈阿婆") || strings.Contains(r.body, "东山路") {
		t.Error("the refused form shows the name or the address again")
	}
	want(t, "an auditor's registration", auditor.submit("/care/people", form), 403)
	outside := url.Values{"region_code": {w.regionOu}, "name": {"外地人"}, "categories": {"alone"}, "colour": {"green"}, "consent": {"1"}}
	want(t, "a registration outside the coordinator's street", coord.submit("/care/people", outside), 403)

	form.Set("phone", "13812345678")
	form.Set("consent", "1")
	r = coord.submit("/care/people", form)
	want(t, "registered", r, 303)
	m := regexp.MustCompile(`^/care/people/(\d+)\?notice=care-registered$`).FindStringSubmatch(r.location())
	if m == nil {
		t.Fatalf("registered to %q", r.location())
	}
	person := "/care/people/" + m[1]
	// The form sent again (a double tap, a retry) registers nobody new: it goes to the same person.
	want(t, "the registration sent again", coord.submit("/care/people", form), 303)
	if again := coord.submit("/care/people", form); again.location() != r.location() {
		t.Fatalf("the form sent again went to %q, not %q", again.location(), r.location())
	}
	r = coord.get(r.location())
	want(t, "the new person", r, 200, "陈*婆", "138****5678", "独居老人", "监护人书面同意", `href="`+person+`/pairings"`, `href="`+person+`/edit"`)
	if strings.Contains(r.body, "陈阿婆") || strings.Contains(r.body, "13812345678") {
		t.Error("the person's page shows the name or phone unmasked without asking")
	}

	// A change: a new phone and categories; the name left empty is kept.
	want(t, "the change form", coord.get(person+"/edit"), 200, "现为 陈*婆，留空则不变", "现为 138****5678")
	want(t, "a refused change", coord.submit(person, url.Values{"phone": {"999"}, "categories": {"alone"}}), 422, `data-testid="error-phone"`)
	r = coord.submit(person, url.Values{"phone": {"13912340000"}, "categories": {"alone", "disabled"}, "note": {"耳背，敲门要重"}})
	want(t, "changed", r, 303)
	want(t, "after the change", coord.get(r.location()), 200, "陈*婆", "139****0000", "残疾人", "耳背，敲门要重")

	// Pairing the volunteer, then ending it.
	r = coord.get(person + "/pairings")
	pick := id(w.a.ID) + ":" + id(w.users[volunteer])
	want(t, "the pairings page", r, 200, "与谁结对", `value="`+pick+`"`, "（138****0000）", "整个团队")
	want(t, "a pairing with nobody", coord.submit(person+"/pairings", url.Values{"who": {""}, "starts_on": {"2026-01-05"}}), 422, `data-testid="error-who"`)
	want(t, "a pairing ending before it starts", coord.submit(person+"/pairings",
		url.Values{"who": {pick}, "starts_on": {"2026-01-05"}, "ends_on": {"2026-01-01"}}), 422, `data-testid="error-ends_on"`)
	pair := url.Values{"who": {pick}, "starts_on": {"2026-01-05"}, "key": {formKey(t, r.body)}}
	r = coord.submit(person+"/pairings", pair)
	want(t, "paired", r, 303)
	want(t, "the pairing sent again", coord.submit(person+"/pairings", pair), 303) // the same pairing: audited once below
	r = coord.get(r.location())
	want(t, "the pairing", r, 200, "已结对", "volunteer of A · 硖石街道志愿者协会", `data-open="true"`)
	end := regexp.MustCompile(`action="(/care/pairings/\d+/end)"`).FindStringSubmatch(r.body)
	if end == nil {
		t.Fatal("no form to end the pairing")
	}
	r = coord.submit(end[1], url.Values{})
	want(t, "ended", r, 303)
	want(t, "after the end", coord.get(r.location()), 200, "结对已结束", `data-open="false"`, "已结束")

	// The region's visit frequencies.
	freq := "/regions/" + w.regionIn + "/care-frequency"
	want(t, "the region page links the frequencies", region.get("/regions/"+w.regionIn), 200, `href="`+freq+`"`)
	r = region.get(freq)
	want(t, "the frequencies", r, 200, "探访频次", "现行：每 7 天一次", "默认每 30 天", `name="_csrf"`)
	inputsLabelled(t, "frequencies", r.body)
	want(t, "a word for a number", region.submit(freq, url.Values{"red_days": {"三"}, "yellow_days": {""}, "green_days": {""}}), 422,
		`data-testid="error-red_days"`, "必须是正整数")
	want(t, "out of range", region.submit(freq, url.Values{"red_days": {"0"}}), 422, `data-testid="error-red_days"`, "数值超出允许范围")
	want(t, "the coordinator's frequencies", coord.submit(freq, url.Values{"red_days": {"3"}}), 403)
	want(t, "saved", region.submit(freq, url.Values{"red_days": {"3"}, "yellow_days": {""}, "green_days": {"60"}}), 303)
	if f, err := d.Care.Frequency(ctx, w.regionIn); err != nil || f.Effective != (care.Frequency{Red: 3, Yellow: 30, Green: 60}) {
		t.Fatalf("the frequencies saved: %+v %v", f, err)
	}
	want(t, "after saving", region.get(freq+"?notice=care-frequency-saved"), 200, "探访频次已保存", `value="3"`, "现行：每 60 天一次")

	var actions []string
	if err := d.DB.Select(&actions, `SELECT action FROM audit_log WHERE action LIKE 'care.%' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(actions, " "); got != "care.register care.update care.pair care.unpair care.frequency" {
		t.Errorf("audited: %s", got)
	}

	// In English: every page, and a refusal in English.
	want(t, "switching to English", coord.submit("/lang", url.Values{"lang": {"en"}, "next": {"/"}}), 303)
	want(t, "the English form", coord.get(newPage), 200, "Register a person", "Elderly living alone", "Written consent")
	want(t, "an English refusal", coord.submit("/care/people", url.Values{"region_code": {w.regionIn}, "name": {"林"},
		"categories": {"alone"}, "colour": {"green"}}), 422, "written consent is required")
	want(t, "the English change form", coord.get(person+"/edit"), 200, "Change details", "leave empty to keep")
	want(t, "the English pairings", coord.get(person+"/pairings"), 200, "Pair with", "whole team", "Ended")
	want(t, "switching to English", region.submit("/lang", url.Values{"lang": {"en"}, "next": {"/"}}), 303)
	want(t, "the English frequencies", region.get(freq), 200, "Visit frequencies", "In force: every 3 days")
}

// formKey is the idempotency key a page rendered into its form.
func formKey(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no idempotency key in the form")
	}
	return m[1]
}
