package main

import (
	"context"
	"fmt"
	"time"

	"timebank/pkg/activity"
	"timebank/pkg/app"
	"timebank/pkg/chinatime"
)

// demoTeamRoster is the list 东山社区志愿服务队 imported: volunteers who serve but have not
// registered their number, so they cannot log in. Their phone numbers follow the demo log-ins'.
var demoTeamRoster = []struct{ name, phone string }{
	{"陈美芳", "13900000101"}, {"朱伟明", "13900000102"}, {"钱桂英", "13900000103"}, {"顾志刚", "13900000104"},
	{"沈梅", "13900000105"}, {"陆永康", "13900000106"}, {"吴佳怡", "13900000107"}, {"褚建平", "13900000108"},
}

// demoActivity is an activity of the demo (or a weekly series of them) and what happens at each
// occurrence, in order.
type demoActivity struct {
	n activity.NewActivity
	// sameDay looks the activity up by its title and its day, not by its title alone: the duty at the
	// practice station is today's, so that a run on a later day shows a live kiosk code again.
	sameDay bool
	occ     []demoOccurrence
}

// demoOccurrence is what happens at one occurrence: who signed up beforehand (besides those who
// attend an activity taking only those signed up), who came, and whether the coordinator has
// verified it yet.
type demoOccurrence struct {
	signups []string
	attend  []demoAttendee
	verify  bool
}

// demoAttendee is a volunteer's attendance. Times are "15:04" on the activity's day (China Standard
// Time). An attendee without out forgot to check out (or is still there); one with manual minutes
// did not scan and had hours added by hand (补录) with the reason; adjust sets the minutes the
// coordinator records instead of the computed ones, with the reason.
type demoAttendee struct {
	name, in, out  string
	outside        bool
	manual, adjust int64
	reason, eval   string
}

// demoActivities runs the activities of 硖石街道志愿者协会 and 东山社区志愿服务队: finished ones whose
// records are verified (the demo volunteers have hours and credits, the coordinator a history),
// finished ones whose attendances wait in the verification queue (one near its deadline of 10
// working days, with a forgotten check-out, a scan outside the area and hours added by hand), the
// practice station's duty running now (the kiosk shows a live code) and upcoming ones with
// sign-ups. Past scans are made by the activity service on a clock set back to their time, so they
// pass through the same rules as live ones. Activities are looked up by title and people by phone,
// and each step is done only when its result is missing, so a second run changes nothing.
func demoActivities(ctx context.Context, d *app.Services, world *demoWorld) error {
	r, err := newDemoActivityRun(ctx, d, world)
	if err != nil {
		return err
	}
	cal, err := d.Activities.Calendar().Get(ctx)
	if err != nil {
		return err
	}
	for _, da := range demoSchedule(world, time.Now(), cal) {
		if err := r.activity(ctx, da); err != nil {
			return fmt.Errorf("demo activity %s: %w", da.n.Title, err)
		}
	}
	return nil
}

// demoSchedule is the demo's activities around now.
func demoSchedule(world *demoWorld, now time.Time, cal *activity.WorkCalendar) []demoActivity {
	today := activity.DateOf(now)
	on := func(days int, hhmm string) time.Time { return demoAt(today.AddDays(days), hhmm) }
	lat, lng := func(v float64) *float64 { return &v }, func(v float64) *float64 { return &v }
	radius, capacity := func(m int) *int { return &m }, func(n int) *int { return &n }
	assoc, team := world.assoc.ID, world.team.ID
	// The duty began an hour before the last half hour and lasts four hours, whenever the demo runs;
	// its volunteers came three minutes after it began (on its day, even when that was yesterday).
	duty := now.Truncate(30 * time.Minute).Add(-time.Hour).In(chinatime.Zone())
	arrived := duty.Add(3 * time.Minute).Format("15:04")
	dueSoon := demoDueSoonDay(now, cal)
	return []demoActivity{
		{n: activity.NewActivity{OrgID: team, Title: "独居老人探访", Category: "elderly",
			Content: "两人一组上门探访东山社区独居、空巢老人：陪老人聊天，测量血压，检查燃气灶和电线插座的安全，记下老人的需求反馈给社区。",
			Address: "海宁市硖石街道东山社区居委会（集合出发）", StartsAt: on(-24, "09:00"), EndsAt: on(-24, "11:30"),
			Capacity: capacity(10), SignupRequired: true, LeaderName: "张丽华", PeopleServed: "东山社区独居老人 12 户"},
			occ: []demoOccurrence{{verify: true, attend: []demoAttendee{
				{name: "王秀英", in: "08:50", out: "11:35", eval: "优秀"}, {name: "陈美芳", in: "08:55", out: "11:40", eval: "良好"},
				{name: "朱伟明", in: "08:58", out: "11:32", eval: "良好"}, {name: "钱桂英", in: "09:40", out: "11:35", eval: "良好"},
				{name: "顾志刚", in: "08:52", out: "10:20", adjust: 120, reason: "签退后继续整理探访记录，并电话回访两户老人，按 120 分钟记录"}}}}},
		{n: activity.NewActivity{OrgID: assoc, Title: "洛塘河清理", Category: "environment",
			Content: "沿洛塘河硖石段步道拾捡垃圾、打捞水面漂浮物，劝导游客不乱扔垃圾。协会提供长柄夹、网兜和垃圾袋，请自带手套和水。",
			Address: "海宁市硖石街道洛塘河西山公园段（西山公园南门集合）", Latitude: lat(30.5158), Longitude: lng(120.6772),
			RadiusM: radius(500), StartsAt: on(-17, "08:00"), EndsAt: on(-17, "11:00"), Capacity: capacity(30),
			SignupRequired: true, LeaderName: "沈建华", PeopleServed: "洛塘河沿岸居民和游客"},
			occ: []demoOccurrence{{verify: true, attend: []demoAttendee{
				{name: "李建国", in: "07:50", out: "11:05", eval: "优秀"}, {name: "王秀英", in: "07:55", out: "11:00", eval: "良好"},
				{name: "陈美芳", in: "07:58", out: "11:10", eval: "良好"}, {name: "陆永康", in: "08:05", out: "11:00", eval: "良好"},
				{name: "吴佳怡", in: "08:10", out: "10:45", eval: "良好"}, {name: "褚建平", in: "07:52", out: "11:02", eval: "良好"}}}}},
		{n: activity.NewActivity{OrgID: team, Title: "长者助餐点送餐", Category: "elderly",
			Content: "东山社区长者食堂的午餐送餐上门：按名单分装饭菜，送到行动不便的老人家中，顺带问问老人最近的身体和生活。",
			Address: "海宁市硖石街道东山社区长者食堂", StartsAt: on(-37, "10:30"), EndsAt: on(-37, "12:30"),
			Capacity: capacity(4), SignupRequired: true, LeaderName: "陈美芳", PeopleServed: "东山社区高龄、独居老人",
			RepeatWeeklyUntil: today.AddDays(19).String()},
			occ: []demoOccurrence{
				{verify: true, attend: []demoAttendee{{name: "王秀英", in: "10:20", out: "12:35", eval: "良好"}, {name: "陈美芳", in: "10:25", out: "12:40", eval: "良好"}}},
				{verify: true, attend: []demoAttendee{{name: "王秀英", in: "10:22", out: "12:30", eval: "良好"}, {name: "朱伟明", in: "10:28", out: "12:36", eval: "良好"}}},
				{verify: true, attend: []demoAttendee{{name: "王秀英", in: "10:18", out: "12:33", eval: "良好"}, {name: "陈美芳", in: "10:24", out: "12:31", eval: "良好"}}},
				{verify: true, attend: []demoAttendee{{name: "王秀英", in: "10:25", out: "12:40", eval: "良好"}, {name: "钱桂英", in: "10:29", out: "12:30", eval: "良好"}}},
				{verify: true, attend: []demoAttendee{{name: "王秀英", in: "10:21", out: "12:34", eval: "良好"}, {name: "陈美芳", in: "10:26", out: "12:38", eval: "良好"}}},
				{attend: []demoAttendee{{name: "王秀英", in: "10:23", out: "12:36"}, {name: "朱伟明", in: "10:27", out: "12:32"}}},
				{signups: []string{"王秀英", "陈美芳", "朱伟明"}},
				{signups: []string{"王秀英"}},
			}},
		{n: activity.NewActivity{OrgID: assoc, Title: "垃圾分类桶边督导", Category: "environment",
			Content: "晚间投放高峰在小区垃圾分类投放点值守：指导居民分类投放，对混投的垃圾二次分拣，记录投放情况。",
			Address: "海宁市硖石街道东山小区垃圾分类投放点", Latitude: lat(30.5101), Longitude: lng(120.6934), RadiusM: radius(200),
			StartsAt: demoAt(dueSoon, "18:00"), EndsAt: demoAt(dueSoon, "20:00"), LeaderName: "沈建华", PeopleServed: "东山小区 420 户居民"},
			occ: []demoOccurrence{{attend: []demoAttendee{
				{name: "李建国", in: "17:50", out: "20:05"}, {name: "陈美芳", in: "17:55", out: "20:00"},
				{name: "陆永康", in: "17:58"}, {name: "吴佳怡", in: "18:02", out: "19:58", outside: true},
				{name: "沈梅", manual: 120, reason: "手机没电未能扫码，督导组长沈建华确认其 18:00–20:00 全程在岗"}}}}},
		{n: activity.NewActivity{OrgID: team, Title: "反诈宣传进社区", Category: "community",
			Content: "在东山社区广场摆摊宣传防范电信网络诈骗：发放宣传册，帮居民安装国家反诈中心 App，讲解冒充客服、刷单返利等常见骗局。",
			Address: "海宁市硖石街道东山社区文化广场", StartsAt: on(-1, "14:00"), EndsAt: on(-1, "16:30"), LeaderName: "张丽华",
			PeopleServed: "东山社区居民约 150 人次"},
			occ: []demoOccurrence{{attend: []demoAttendee{
				{name: "王秀英", in: "13:50", out: "16:35"}, {name: "钱桂英", in: "13:55", out: "16:30"}, {name: "顾志刚", in: "14:05", out: "16:40"}}}}},
		{n: activity.NewActivity{OrgID: assoc, Title: "新时代文明实践站值班", Category: "civility",
			Content: "在文明实践站接待来访居民，登记服务需求，维护图书角和活动室秩序，协助开展当日的文明实践活动。",
			Address: "海宁市硖石街道工人路 88 号新时代文明实践站", StartsAt: duty, EndsAt: duty.Add(4 * time.Hour), LeaderName: "张丽华"},
			sameDay: true,
			occ:     []demoOccurrence{{attend: []demoAttendee{{name: "陈美芳", in: arrived}, {name: "褚建平", in: arrived}}}}},
		{n: activity.NewActivity{OrgID: assoc, Title: "老年人智能手机使用培训", Category: "elderly",
			Content: "一对一教老年人使用智能手机：视频通话、健康码和医保电子凭证、网上挂号，以及识别诈骗电话和短信。",
			Address: "海宁市硖石街道工人路 88 号新时代文明实践站二楼教室", StartsAt: on(5, "14:00"), EndsAt: on(5, "16:00"),
			Capacity: capacity(15), SignupRequired: true, LeaderName: "沈建华", PeopleServed: "硖石街道 60 岁以上老人 30 名"},
			occ: []demoOccurrence{{signups: []string{"李建国", "吴佳怡", "陆永康"}}}},
		{n: activity.NewActivity{OrgID: team, Title: "东山社区义诊志愿服务", Category: "health",
			Content: "配合海宁市人民医院的医生在社区义诊：引导居民排队，登记信息，协助测量血压和血糖，维持现场秩序。",
			Address: "海宁市硖石街道东山社区卫生服务站门前", StartsAt: on(9, "08:30"), EndsAt: on(9, "11:30"),
			Capacity: capacity(8), SignupRequired: true, LeaderName: "张丽华", PeopleServed: "东山社区居民"},
			occ: []demoOccurrence{{signups: []string{"王秀英", "钱桂英", "陈美芳"}}}},
	}
}

// demoAt is the time hhmm ("15:04") on the day, China Standard Time.
func demoAt(day activity.Date, hhmm string) time.Time {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		panic("demo: bad time " + hhmm) // the schedule is written above
	}
	return day.Start().Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute)
}

// demoDueSoonDay is the latest day before today whose activity's records are already due soon (the
// coordinator is warned), so that one activity in the queue is near its 10-working-day deadline.
func demoDueSoonDay(now time.Time, cal *activity.WorkCalendar) activity.Date {
	day := activity.DateOf(now).AddDays(-1)
	for range 30 {
		if due, _ := cal.Deadline(demoAt(day, "20:00"), activity.RecordDueWorkingDays); cal.DueStatus(due, now) != activity.DueOK {
			return day
		}
		day = day.AddDays(-1)
	}
	return day
}
