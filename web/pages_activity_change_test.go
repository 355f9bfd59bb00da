package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"timebank/pkg/activity"
	who "timebank/pkg/principal"
)

// changeActivity creates an activity of the organization from 09:00 to 12:00 on actDay, for ten
// people, with a position when lat is not 0.
func changeActivity(t *testing.T, d services, orgID int64, title string, lat, lng float64) activity.Activity {
	t.Helper()
	capacity, radius := 10, 300
	n := activity.NewActivity{OrgID: orgID, Title: title, Content: "陪老人聊天、读报\n打扫活动室", Category: "elderly",
		Address: "硖石街道东山社区敬老院", StartsAt: actDay, EndsAt: actDay.Add(3 * time.Hour), Capacity: &capacity,
		LeaderName: "王队长", PeopleServed: "社区老人"}
	if lat != 0 {
		n.Latitude, n.Longitude, n.RadiusM = &lat, &lng, &radius
	}
	as, err := d.Activities.CreateActivities(context.Background(), &who.Principal{Name: "王队长"}, n)
	if err != nil {
		t.Fatal(err)
	}
	return as[0]
}

// The coordinator's forms: the activity's page is reached from the coordinator's activities; the
// edit form comes filled in; refused fields are shown beside their fields, in the reader's language,
// with what was typed, and change nothing; a good change shows the activity changed. The cancel
// form asks for a reason and a ticked box, keeps what was typed when either is missing, and cancels;
// the volunteer then reads that it was cancelled and why. Volunteers cannot open the forms.
func TestActivityChangePages(t *testing.T) {
	t.Parallel()
	app, d, clk := newChangeApp(t)
	w := newWorld(t, d)
	a := changeActivity(t, d, w.a.ID, "敬老院陪伴", 30.5275, 120.6892)
	id := fmt.Sprint(a.ID)
	coord, vol := actSignIn(t, app, coordA), actSignIn(t, app, volunteer)
	for _, b := range []*browser{coord, vol} {
		actFollow(t, b, "sign-up", b.submit("/activities/"+id+"/signup", url.Values{"back": {"/activities/" + id}}), "/activities/"+id)
	}

	actWantPage(t, "manage", coord.get("/activities/manage"), 200, `id="edit-link-`+id+`"`, `id="call-off-link-`+id+`"`,
		`href="/activities/`+id+`"`)
	actWantPage(t, "the volunteer's list", vol.get("/activities"), 200, `id="detail-link-`+id+`"`, `data-testid="badge-`+id+`"`, "即将开始")
	actWantPage(t, "a volunteer's edit form", vol.get("/activities/"+id+"/edit"), 403)
	actWantPage(t, "a volunteer's cancel form", vol.get("/activities/"+id+"/cancellation"), 403)
	if r := vol.submit("/activities/"+id+"/cancellation", url.Values{"reason": {"不想去了"}, "confirm": {"1"}}); r.status != 403 ||
		actGet(t, d, a.ID).Status != activity.StatusActivityOpen {
		t.Fatalf("a volunteer's cancel: %d", r.status)
	}

	actWantPage(t, "the edit form", coord.get("/activities/"+id+"/edit"), 200, `value="敬老院陪伴"`, `value="2025-03-10"`,
		`value="09:00"`, `value="12:00"`, `value="10"`, `value="30.5275"`, `value="120.6892"`, `value="300"`, "打扫活动室",
		"不能少于已报名的 2 人")
	form := url.Values{"title": {"敬老院陪伴（改期）"}, "content": {"陪老人聊天"}, "address": {"硖石街道西山社区敬老院"},
		"date": {"2025-03-10"}, "starts_at": {"08:00"}, "ends_at": {"23:30"}, "capacity": {"1"}, "leader_name": {"王队长"},
		"people_served": {"社区老人"}, "latitude": {"30.5275"}, "longitude": {"120.6892"}, "radius_m": {"300"}}
	actWantPage(t, "a start in the past", coord.submit("/activities/"+id+"/edit", form), 422,
		`data-testid="error-starts_at"`, "开始时间不能早于现在", `value="08:00"`, `value="敬老院陪伴（改期）"`, `value="硖石街道西山社区敬老院"`)
	form.Set("starts_at", "10:00")
	actWantPage(t, "too long", coord.submit("/activities/"+id+"/edit", form), 422,
		`data-testid="error-ends_at"`, "超过本组织允许的最长时长", `value="23:30"`, `value="1"`)
	coord.jar["lang"] = "en"
	actWantPage(t, "too long, in English", coord.submit("/activities/"+id+"/edit", form), 422, "longer than the organization allows")
	form.Set("ends_at", "13:00")
	actWantPage(t, "too few places, in English", coord.submit("/activities/"+id+"/edit", form), 422,
		`data-testid="error-capacity"`, "fewer than the volunteers already signed up")
	delete(coord.jar, "lang")
	actWantPage(t, "too few places", coord.submit("/activities/"+id+"/edit", form), 422,
		`data-testid="error-capacity"`, "不能少于已报名的人数", `value="13:00"`, `value="1"`)
	if got := actGet(t, d, a.ID); got.Revision != 1 || got.Title != "敬老院陪伴" {
		t.Fatalf("a refused form changed the activity: %+v", got)
	}
	form.Set("capacity", "12")
	done := actFollow(t, coord, "change", coord.submit("/activities/"+id+"/edit", form), "/activities/"+id+"?done=updated")
	actWantPage(t, "changed", done, 200, "活动已修改", "敬老院陪伴（改期）", "2025年3月10日 星期一 10:00 – 13:00", "硖石街道西山社区敬老院",
		"还剩 10 个名额（共 12 个）", `id="detail-edit"`)
	if got := actGet(t, d, a.ID); got.Revision != 2 || !got.StartsAt.Equal(actDay.Add(time.Hour)) || *got.Capacity != 12 {
		t.Fatalf("changed: %+v", got)
	}

	// Cancelling: a ticked box and a reason.
	actWantPage(t, "the cancel form", coord.get("/activities/"+id+"/cancellation"), 200, "将通知已报名的 2 位志愿者", `id="f-confirm"`)
	actWantPage(t, "not confirmed", coord.submit("/activities/"+id+"/cancellation", url.Values{"reason": {"暴雨预警，改期"}}), 422,
		`data-testid="error-confirm"`, "请勾选确认", "暴雨预警，改期")
	actWantPage(t, "no reason", coord.submit("/activities/"+id+"/cancellation", url.Values{"reason": {" "}, "confirm": {"1"}}), 422,
		`data-testid="error-reason"`, `name="confirm" value="1" required checked`)
	if got := actGet(t, d, a.ID); got.Status != activity.StatusActivityOpen {
		t.Fatalf("a refused cancel cancelled: %+v", got)
	}
	clk.Set(actDay.Add(-10 * time.Minute))
	cancel := url.Values{"reason": {"暴雨预警，改期"}, "confirm": {"1"}}
	actWantPage(t, "cancelled", actFollow(t, coord, "cancel", coord.submit("/activities/"+id+"/cancellation", cancel),
		"/activities/manage?done=activity-cancelled"), 200, "活动已取消，已报名的志愿者会收到通知")
	actFollow(t, coord, "cancel again", coord.submit("/activities/"+id+"/cancellation", cancel), "/activities/manage?done=activity-cancelled")
	actFollow(t, coord, "the cancel form of a cancelled activity", coord.get("/activities/"+id+"/cancellation"), "/activities/"+id)
	actWantPage(t, "the edit form of a cancelled activity", coord.get("/activities/"+id+"/edit"), 200, `data-testid="edit-locked"`, "活动已取消，不能再修改")

	page := vol.get("/activities/" + id)
	actWantPage(t, "the volunteer reads it cancelled", page, 200, `data-testid="detail-cancelled"`, "此活动已取消", "暴雨预警，改期",
		`data-testid="badge-`+id+`"`, "已取消")
	if strings.Contains(page.body, `id="cancel-`+id+`"`) || strings.Contains(page.body, `id="signup-`+id+`"`) || strings.Contains(page.body, `id="detail-manage"`) {
		t.Errorf("a cancelled activity offers sign-up or management:\n%s", page.body)
	}
	actWantPage(t, "my activities", vol.get("/me/activities"), 200, `id="detail-link-`+id+`"`, "已取消")
}

// The activity's page for volunteers: content, place with a map link (a marker at its coordinates,
// else a search by address), organizer, leader, time with the weekday in the reader's language, the
// hours it counts for, places left, sign-up and its cancelling; the badges follow the clock, and a
// begun activity can no longer be changed.
func TestActivityDetailPage(t *testing.T) {
	t.Parallel()
	app, d, clk := newChangeApp(t)
	w := newWorld(t, d)
	at := changeActivity(t, d, w.a.ID, "敬老院陪伴", 30.5275, 120.6892)
	plain := changeActivity(t, d, w.a.ID, "社区清扫", 0, 0)
	vol, coord := actSignIn(t, app, volunteer), actSignIn(t, app, coordA)
	id := fmt.Sprint(at.ID)

	page := vol.get("/activities/" + id)
	actWantPage(t, "the page", page, 200, "敬老院陪伴", "2025年3月10日 星期一 09:00 – 12:00", "硖石街道东山社区敬老院",
		"https://uri.amap.com/marker?", "position=120.689200%2C30.527500", "coordinate=wgs84", "硖石街道志愿者协会", "王队长",
		"3 小时", "还剩 10 个名额（共 10 个）", "打扫活动室", "社区老人", `id="signup-`+id+`"`, "即将开始")
	if strings.Contains(page.body, `id="detail-manage"`) {
		t.Errorf("a volunteer is offered the management of the activity")
	}
	actWantPage(t, "an activity without a position", vol.get(fmt.Sprintf("/activities/%d", plain.ID)), 200,
		"https://uri.amap.com/search?", "keyword="+url.QueryEscape("硖石街道东山社区敬老院"))
	actWantPage(t, "the coordinator's view", coord.get("/activities/"+id), 200, `id="detail-edit"`, `id="detail-call-off"`)

	signed := actFollow(t, vol, "sign-up", vol.submit("/activities/"+id+"/signup", url.Values{"back": {"/activities/" + id}}), "/activities/"+id+"?done=signed-up")
	actWantPage(t, "signed up", signed, 200, "报名成功", `id="cancel-`+id+`"`, "还剩 9 个名额")
	vol.jar["lang"] = "en"
	actWantPage(t, "in English", vol.get("/activities/"+id), 200, "Monday, 10 March 2025 09:00 – 12:00", "Open in Amap",
		"9 of 10 places left", "3 h", "Starting soon")
	delete(vol.jar, "lang")

	clk.Set(actDay.Add(30 * time.Minute))
	running := vol.get("/activities/" + id)
	actWantPage(t, "running", running, 200, "进行中", `id="detail-begun"`)
	if strings.Contains(running.body, `id="cancel-`+id+`"`) {
		t.Errorf("a running activity offers to cancel the sign-up")
	}
	actWantPage(t, "the list while it runs", vol.get("/me/activities"), 200, `data-testid="badge-`+id+`"`, "进行中")
	actWantPage(t, "the coordinator's view while it runs", coord.get("/activities/"+id), 200, `id="detail-call-off"`)
	if strings.Contains(coord.get("/activities/"+id).body, `id="detail-edit"`) {
		t.Errorf("a running activity offers its edit form")
	}
	actWantPage(t, "the edit form while it runs", coord.get("/activities/"+id+"/edit"), 200, "活动已开始，不能再修改", `id="edit-call-off"`)
	if r := coord.submit("/activities/"+id+"/edit", url.Values{"title": {"晚了"}, "date": {"2025-03-10"}, "starts_at": {"10:00"},
		"ends_at": {"12:00"}, "address": {"社区"}, "leader_name": {"王队长"}}); r.status != 409 || !strings.Contains(r.body, "活动已开始，不能再修改，只能取消") {
		t.Errorf("a change after the start: %d\n%s", r.status, r.body)
	}
	actWantPage(t, "no such activity", vol.get("/activities/999999"), 404)
	actWantPage(t, "not an id", vol.get("/activities/abc"), 400)
}
