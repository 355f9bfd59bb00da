package web

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"timebank/pkg/activity"
	who "timebank/pkg/principal"
)

// fixActivity creates an activity of the organization from actDay 09:00 to 12:00.
func fixActivity(t *testing.T, d services, orgID int64, title string) activity.Activity {
	t.Helper()
	as, err := d.Activities.CreateActivities(context.Background(), &who.Principal{Name: "测试"},
		activity.NewActivity{OrgID: orgID, Title: title, Category: "elderly", Address: "东山社区敬老院",
			StartsAt: actDay, EndsAt: actDay.Add(3 * time.Hour), LeaderName: "王队长"})
	if err != nil {
		t.Fatal(err)
	}
	return as[0]
}

// fixScanned checks the person in at in and out at out by the kiosk's codes.
func fixScanned(t *testing.T, d services, clk *actClock, actID, userID int64, in, out time.Time) activity.Attendance {
	t.Helper()
	ctx := context.Background()
	var att activity.Attendance
	for _, step := range []struct {
		at  time.Time
		out bool
	}{{in, false}, {out, true}} {
		clk.Set(step.at)
		code, err := d.Activities.KioskCode(ctx, actID, step.out)
		if err != nil {
			t.Fatal(err)
		}
		res, err := d.Activities.ScanKiosk(ctx, userID, activity.Scan{Token: code.Token})
		if err != nil {
			t.Fatal(err)
		}
		att = res.Attendance
	}
	return att
}

// fixOutside is what organization B has on the recording service's clock: an activity, an
// attendance waiting for a decision and a record with an open dispute.
type fixOutside struct {
	act, att, rec, dispute int64
}

func fixOutsideOf(t *testing.T, d services, clk *actClock, w *world) fixOutside {
	t.Helper()
	ctx := context.Background()
	kept := clk.Now()
	defer clk.Set(kept)
	a := fixActivity(t, d, w.b.ID, "桐乡的活动")
	out := fixOutside{act: a.ID}
	out.att = fixScanned(t, d, clk, a.ID, w.users[managerSA], actDay, actDay.Add(time.Hour)).ID
	done := fixScanned(t, d, clk, a.ID, w.users[auditorHN], actDay, actDay.Add(time.Hour))
	res, err := d.Activities.Verify(ctx, who.Operator(), activity.VerifyRequest{IDs: []int64{done.ID},
		Action: activity.ActionApprove})
	if err != nil {
		t.Fatal(err)
	}
	out.rec = res[0].Record.ID
	disp, err := d.Activities.Dispute(ctx, w.users[auditorHN], out.rec, "桐乡的异议")
	if err != nil {
		t.Fatal(err)
	}
	out.dispute = disp.ID
	return out
}

var fixRecordLink = regexp.MustCompile(`id="record-link-(\d+)"`)

// A volunteer disputes a record; the coordinator finds it among the open disputes and on the
// activity's records, is told beside each field what is wrong with an amendment, amends it (the
// old earning reversed, a new one posted, the history showing both), and answers a second dispute
// without changing the record. Outside their organization, nothing opens.
func TestActivityFixPagesAmendAndDismiss(t *testing.T) {
	t.Parallel()
	app, d, clk := newActivityApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	a := fixActivity(t, d, w.a.ID, "敬老院陪伴")
	f := fixOutsideOf(t, d, clk, w)
	att := fixScanned(t, d, clk, a.ID, w.users[volunteer], actDay, actDay.Add(time.Hour))
	if _, err := d.Activities.Verify(ctx, who.Operator(), activity.VerifyRequest{IDs: []int64{att.ID},
		Action: activity.ActionApprove}); err != nil {
		t.Fatal(err)
	}
	coord, vol := actSignIn(t, app, coordA), actSignIn(t, app, volunteer)

	records := coord.get(fmt.Sprintf("/activities/%d/records", a.ID))
	actWantPage(t, "the activity's records", records, 200, `data-status="verified"`, `id="fix-nav-manual"`)
	m := fixRecordLink.FindStringSubmatch(records.body)
	if m == nil {
		t.Fatalf("no record link:\n%s", records.body)
	}
	recPath := "/records/" + m[1]
	actFollow(t, vol, "dispute", vol.submit("/me/records/"+m[1]+"/dispute", url.Values{"reason": {"我待到了十一点"}}),
		"/me/records/"+m[1]+"?done=disputed")
	actWantPage(t, "open disputes", coord.get("/activities/disputes"), 200, "我待到了十一点", `href="`+recPath+`"`)
	actWantPage(t, "disputed records", coord.get(fmt.Sprintf("/activities/%d/records?status=disputed", a.ID)), 200,
		`data-status="disputed"`, "我待到了十一点")
	actWantPage(t, "the record", coord.get(recPath), 200, `id="amend-form"`, `id="dismiss-form"`, "我待到了十一点",
		`name="revision" value="1"`, "冲正第 1 版的入账，收回", "每 1 分钟服务计 1 分钟时间币", "更正后为第 2 版")

	amend := func(minutes, reason, revision string) response {
		return coord.submit(recPath+"/amend", url.Values{"minutes": {minutes}, "reason": {reason}, "revision": {revision}})
	}
	actWantPage(t, "no minutes", amend("", "签到表", "1"), 422, `data-testid="error-minutes"`, "签到表")
	actWantPage(t, "minutes that are none", amend("两小时", "签到表", "1"), 422, `data-testid="error-minutes"`, "必须是正整数")
	actWantPage(t, "longer than the activity", amend("181", "签到表", "1"), 422, `data-testid="error-minutes"`, "不能超过活动时长")
	actWantPage(t, "no reason", amend("120", " ", "1"), 422, `data-testid="error-reason"`, `value="120"`)
	actWantPage(t, "a revision since replaced", amend("120", "签到表", "7"), 409, "服务记录已被他人修改")
	coord.lang, coord.jar["lang"] = "en", "en"
	actWantPage(t, "no reason in English", amend("120", "", "1"), 422, `data-testid="error-reason"`, "required", "Correct the service time")
	coord.lang, coord.jar["lang"] = "", "zh-CN"

	done := actFollow(t, coord, "amend", amend("120", "签到表核实：9点到11点", "1"), recPath+"?done=amended")
	actWantPage(t, "amended", done, 200, "记录已更正", `id="revision-2"`, "60 → ", "签到表核实：9点到11点", "上一版的入账已冲正收回",
		`name="revision" value="2"`, `data-status="verified"`, "已更正")
	var reversals, balance int64
	if err := d.DB.Get(&reversals, `SELECT count(*) FROM ledger_transactions WHERE kind = 'reverse'`); err != nil || reversals != 1 {
		t.Errorf("%d reversals (%v), want 1", reversals, err)
	}
	if err := d.DB.Get(&balance, `SELECT b.posted FROM ledger_balances b JOIN ledger_accounts c ON c.id = b.account_id
JOIN users u ON u.account_code = c.code WHERE u.id = $1`, w.users[volunteer]); err != nil || balance != 120 {
		t.Errorf("balance %d (%v), want 120", balance, err)
	}
	actWantPage(t, "the volunteer's records", vol.get("/me/records"), 200, `data-minutes="120"`)

	actFollow(t, vol, "a second dispute", vol.submit("/me/records/"+m[1]+"/dispute", url.Values{"reason": {"应该是三小时"}}),
		"/me/records/"+m[1])
	r, err := d.Activities.Record(ctx, actInt(t, m[1]))
	if err != nil || len(r.Disputes) != 2 {
		t.Fatalf("disputes: %v %+v", err, r.Disputes)
	}
	open := id(r.Disputes[1].ID)
	dismiss := func(dispute, reason string) response {
		return coord.submit(recPath+"/dismiss", url.Values{"dispute": {dispute}, "dismiss_reason": {reason}})
	}
	actWantPage(t, "an answer without a reason", dismiss(open, ""), 422, `data-testid="error-dismiss_reason"`)
	actWantPage(t, "the dispute already closed", dismiss(id(r.Disputes[0].ID), "记录无误"), 422, "没有待处理的此项异议")
	actWantPage(t, "no dispute named", dismiss("abc", "记录无误"), 422, "没有待处理的此项异议")
	actWantPage(t, "answered", actFollow(t, coord, "dismiss", dismiss(open, "负责人确认11点离开"), recPath+"?done=dismissed"), 200,
		"异议已处理", "负责人确认11点离开", "未更正", `data-minutes="120"`)
	if _, err := d.Activities.Record(ctx, actInt(t, m[1])); err != nil {
		t.Fatal(err)
	}

	for what, r := range map[string]response{
		"another organization's record":         coord.get(fmt.Sprintf("/records/%d", f.rec)),
		"amending another organization's":       coord.submit(fmt.Sprintf("/records/%d/amend", f.rec), url.Values{"minutes": {"10"}, "reason": {"x"}, "revision": {"1"}}),
		"dismissing another organization's":     coord.submit(fmt.Sprintf("/records/%d/dismiss", f.rec), url.Values{"dispute": {id(f.dispute)}, "dismiss_reason": {"x"}}),
		"another organization's records":        coord.get(fmt.Sprintf("/activities/%d/records", f.act)),
		"a volunteer amending":                  vol.submit(recPath+"/amend", url.Values{"minutes": {"10"}, "reason": {"x"}, "revision": {"3"}}),
		"a volunteer on the coordinator's page": vol.get(recPath),
	} {
		if r.status != fiber.StatusForbidden {
			t.Errorf("%s: %d, want 403", what, r.status)
		}
	}
	var open1 int
	if err := d.DB.Get(&open1, `SELECT count(*) FROM record_disputes WHERE id = $1 AND status = 'open'`, f.dispute); err != nil || open1 != 1 {
		t.Errorf("the other organization's dispute: open %d (%v)", open1, err)
	}
}

// Hours added afterwards: errors beside each field, the volunteer found by phone number or
// volunteer number, the time as minutes or from and to; the person who entered them is told that
// someone else must approve and is refused if they try, a second coordinator approves, a rejection
// needs a reason, and an attendance of another organization cannot be decided through this page.
func TestActivityFixPagesManual(t *testing.T) {
	t.Parallel()
	app, d, clk := newActivityApp(t)
	w := newWorld(t, d)
	ctx := context.Background()
	a := fixActivity(t, d, w.a.ID, "社区清扫")
	f := fixOutsideOf(t, d, clk, w)
	coord, admin := actSignIn(t, app, coordA), actSignIn(t, app, adminA)
	page := fmt.Sprintf("/activities/%d/manual", a.ID)
	clk.Set(a.EndsAt.Add(-time.Minute))
	if r := coord.get(page); r.status != 200 || !strings.Contains(r.body, `id="manual-not-yet"`) ||
		strings.Contains(r.body, `id="manual-form"`) {
		t.Fatalf("before the end: status %d, the page offers the form or does not say when\n%s", r.status, r.body)
	}
	clk.Set(a.EndsAt.Add(time.Hour))
	actWantPage(t, "the form", coord.get(page), 200, `id="manual-form"`, `id="manual-none"`, "最多 180 分钟")

	add := func(b *browser, v url.Values) response { return b.submit(page, v) }
	actWantPage(t, "nothing given", add(coord, url.Values{}), 422, `data-testid="error-volunteer"`,
		`data-testid="error-minutes"`, `data-testid="error-reason"`)
	actWantPage(t, "a start that is no time", add(coord, url.Values{"volunteer": {"13800000000"}, "from": {"9点"}, "to": {"10:30"},
		"reason": {"手机没电"}}), 422, `data-testid="error-from"`, `value="13800000000"`)
	actWantPage(t, "an end before the start", add(coord, url.Values{"volunteer": {"13800000000"}, "from": {"10:30"}, "to": {"09:00"},
		"reason": {"手机没电"}}), 422, `data-testid="error-to"`)
	actWantPage(t, "nobody with that phone", add(coord, url.Values{"volunteer": {"13999999999"}, "minutes": {"60"},
		"reason": {"手机没电"}}), 422, `data-testid="error-volunteer"`, "没有使用这个手机号或志愿者编号的志愿者")
	actWantPage(t, "nobody with that number", add(coord, url.Values{"volunteer": {"V-NOBODY"}, "minutes": {"60"},
		"reason": {"手机没电"}}), 422, `data-testid="error-volunteer"`)
	actWantPage(t, "longer than the activity", add(coord, url.Values{"volunteer": {"13800000000"}, "minutes": {"200"},
		"reason": {"手机没电"}}), 422, `data-testid="error-minutes"`, "不能超过活动时长")

	actFollow(t, coord, "added by phone", add(coord, url.Values{"volunteer": {"138 0000 0000"}, "from": {"09:00"}, "to": {"10:30"},
		"reason": {"手机没电，签到表为证"}}), page+"?done=manual-added")
	pending, err := d.Activities.PendingManual(ctx, a.ID)
	if err != nil || len(pending) != 1 || *pending[0].ManualMinutes != 90 || pending[0].UserID != w.users[volunteer] {
		t.Fatalf("pending after the form: %v %+v", err, pending)
	}
	entry := id(pending[0].ID)
	mine := coord.get(page)
	actWantPage(t, "one's own entry", mine, 200, `id="manual-mine-`+entry+`"`, "录入人：coordinator of A", "手机没电，签到表为证",
		`id="reject-manual-`+entry+`"`)
	if regexp.MustCompile(`id="approve-manual-` + entry + `"`).MatchString(mine.body) {
		t.Errorf("the entrant is offered to approve their own entry")
	}
	decide := func(b *browser, att, action, reason string) response {
		return b.submit(page+"/decide", url.Values{"att": {att}, "action": {action}, "decide_reason": {reason}})
	}
	actWantPage(t, "approving one's own entry", decide(coord, entry, "approve", ""), 409, "补录时长须由另一位工作人员审核")

	other := admin.get(page)
	actWantPage(t, "someone else's entry", other, 200, `id="approve-manual-`+entry+`"`)
	if regexp.MustCompile(`id="manual-mine-`).MatchString(other.body) {
		t.Errorf("a second coordinator is told the entry is theirs")
	}
	actWantPage(t, "an attendance of another organization", decide(admin, id(f.att), "approve", ""), 422, "error-summary")
	actWantPage(t, "an unknown action", decide(admin, entry, "erase", ""), 422, "error-summary")
	actFollow(t, admin, "approve", decide(admin, entry, "approve", ""), page+"?done=manual-approved")
	var rec activity.Record
	if err := d.DB.Get(&rec.Minutes, `SELECT minutes FROM service_records WHERE attendance_id = $1 AND kind = 'manual'`, pending[0].ID); err != nil || rec.Minutes != 90 {
		t.Errorf("the record of the approved entry: %d minutes (%v)", rec.Minutes, err)
	}
	var decided int
	if err := d.DB.Get(&decided, `SELECT count(*) FROM attendances WHERE id = $1 AND status <> 'closed'`, f.att); err != nil || decided != 0 {
		t.Errorf("the other organization's attendance was decided (%d, %v)", decided, err)
	}

	clerk, err := d.Users.ByID(ctx, w.users[clerkSA])
	if err != nil {
		t.Fatal(err)
	}
	actFollow(t, coord, "added by volunteer number", add(coord, url.Values{"volunteer": {clerk.VolunteerNo}, "minutes": {"60"},
		"reason": {"忘记扫码"}}), page+"?done=manual-added")
	pending, err = d.Activities.PendingManual(ctx, a.ID)
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending: %v %+v", err, pending)
	}
	second := id(pending[0].ID)
	actWantPage(t, "a rejection without a reason", decide(admin, second, "reject", " "), 422, `data-testid="error-decide_reason"`)
	actFollow(t, admin, "reject", decide(admin, second, "reject", "当天未到场"), page+"?done=manual-rejected")
	actWantPage(t, "nothing pending", admin.get(page+"?done=manual-rejected"), 200, `id="manual-none"`, "补录已驳回")
	records := coord.get(fmt.Sprintf("/activities/%d/records", a.ID))
	actWantPage(t, "records after both", records, 200, `data-status="verified"`, `data-status="rejected"`, "当天未到场")

	vol, clerkB := actSignIn(t, app, volunteer), actSignIn(t, app, clerkSA)
	for what, r := range map[string]response{
		"another organization's form":      coord.get(fmt.Sprintf("/activities/%d/manual", f.act)),
		"adding at another organization":   coord.submit(fmt.Sprintf("/activities/%d/manual", f.act), url.Values{"volunteer": {"13800000000"}, "minutes": {"10"}, "reason": {"x"}}),
		"deciding at another organization": coord.submit(fmt.Sprintf("/activities/%d/manual/decide", f.act), url.Values{"att": {id(f.att)}, "action": {"approve"}}),
		"a volunteer adding hours":         vol.submit(page, url.Values{"volunteer": {"13800000000"}, "minutes": {"10"}, "reason": {"x"}}),
		"a clerk on the page":              clerkB.get(page),
	} {
		if r.status != fiber.StatusForbidden {
			t.Errorf("%s: %d, want 403", what, r.status)
		}
	}
}
