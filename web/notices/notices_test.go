package notices_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"timebank/pkg/notify"
	"timebank/web/i18n"
	"timebank/web/notices"
)

// Every kind reads as a sentence in both languages, with its durations, days and times written for
// people and its link to the page it is about; no id shows in the text, and a Chinese notice has no
// English in it.
func TestRenderEveryKind(t *testing.T) {
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	starts := time.Date(2026, 12, 3, 1, 30, 0, 0, time.UTC) // 09:30 in China
	cases := []struct {
		kind   string
		params map[string]any
		link   string
		zh, en string // a part of each language's text
	}{
		{notify.HoursVerified, map[string]any{"record": 9041, "activity": "社区助老", "date": "2026-12-03", "minutes": 120, "credits": 120},
			"/me/records/9041", "「社区助老」12月3日的服务已核实：服务时长 2 小时，计入 2 小时时间币", "3 Dec was verified: 2 h served, 2 h of time credits"},
		{notify.HoursVerified, map[string]any{"activity": "社区助老", "date": "2026-12-03", "minutes": 2, "credits": 0},
			"/me/records", "服务时长 2 分钟，按本组织政策不计时间币", "2 min served; by the organization's policy"},
		{notify.HoursAdjusted, map[string]any{"record": 9042, "activity": "社区助老", "date": "2026-12-03", "minutes": 90, "credits": 90},
			"/me/records/9042", "已更正为 1.5 小时，计入 1.5 小时时间币", "corrected to 1.5 h; 1.5 h of time credits"},
		{notify.HoursRejected, map[string]any{"activity": "社区助老", "reason": "未到场"},
			"/me/records", "未通过核实。原因：未到场", "were not verified. Reason: 未到场"},
		{notify.HoursRejected, map[string]any{"activity": "社区助老"}, "/me/records", "未通过核实。", "were not verified."},
		{notify.DisputeAnswered, map[string]any{"record": 9041, "activity": "社区助老", "outcome": "amended"}, "/me/records/9041", "异议已有答复", "has been answered"},
		{notify.DisputeAnswered, map[string]any{"activity": "社区助老", "outcome": "dismissed"}, "/me/records", "异议已有答复", "has been answered"},
		{notify.ActivityChanged, map[string]any{"activity_id": 5123, "activity": "敬老院探访", "starts_at": starts, "place": "硖石街道敬老院"},
			"/activities/5123", "有变动：现在 12月3日 09:30 开始，地点 硖石街道敬老院", "now starts 3 Dec 09:30 at 硖石街道敬老院"},
		{notify.ActivityCancelled, map[string]any{"activity_id": 5123, "activity": "敬老院探访", "starts_at": starts, "reason": "台风"},
			"/activities/5123", "（12月3日 09:30）已取消。原因：台风", "(3 Dec 09:30), which you signed up for, has been cancelled. Reason: 台风"},
		{notify.ActivityCancelled, map[string]any{"activity": "敬老院探访", "starts_at": starts},
			"/me/activities", "已取消。", "has been cancelled."},
		{notify.ActivityReminder, map[string]any{"activity_id": 5123, "activity": "敬老院探访", "starts_at": starts, "place": ""},
			"/activities/5123", "将于 12月3日 09:30 开始，地点 （未注明）", "starts 3 Dec 09:30 at (not given)"},
		{notify.OrderReady, map[string]any{"order": 77, "store": "硖石公益仓", "expires_at": starts, "total": 45},
			"/me/orders/77", "您在硖石公益仓的订单已备好，请在 12月3日 09:30 前", "at 硖石公益仓 is ready: show its pickup code at the store before 3 Dec 09:30"},
		{notify.OrderExpiring, map[string]any{"order": 77, "store": "硖石公益仓", "expires_at": starts},
			"/me/orders/77", "将于 12月3日 09:30 过期", "expires 3 Dec 09:30"},
		{notify.OrderExpired, map[string]any{"order": 77, "store": "硖石公益仓", "total": 45},
			"/me/orders/77", "预留的 45 分钟时间币已退回", "the 45 min of time credits held for it"},
		{notify.CertificateIssued, map[string]any{"certificate": "2026-3-00012", "certificate_id": 5123, "org": "硖石街道志愿者协会"},
			"/me/records", "硖石街道志愿者协会为您出具了志愿服务记录证明（编号 2026-3-00012）", "issued you a certificate of volunteer service (No. 2026-3-00012)"},
		{notify.CreditsExpiring, map[string]any{"credits": 90, "expires_at": starts},
			"/me/balance", "您有 1.5 小时时间币将于 12月3日 09:30 到期", "1.5 h of your time credits expire 3 Dec 09:30"},
		{notify.ServiceUnanswered, map[string]any{"desk": "东山社区幸福管家", "community": "东山社区", "org_id": 5123, "asked_at": starts},
			"/orgs/5123/service", "东山社区（东山社区幸福管家）一条居民服务请求于 12月3日 09:30 提出，超出承诺时限仍无人接单",
			"service request in 东山社区 (东山社区幸福管家), made 3 Dec 09:30, has had nobody assigned"},
		{notify.ServiceCancelled, map[string]any{"category": "meal", "community": "东山社区", "starts_at": starts, "reason": "家人已送饭"},
			"/service/tasks", "东山社区居民预约于 12月3日 09:30 的「助餐」服务已取消：家人已送饭",
			"request for Meals in 东山社区, for 3 Dec 09:30, was cancelled: 家人已送饭"},
		{notify.ServiceCancelled, map[string]any{"category": "repair", "community": "东山社区", "starts_at": starts},
			"/service/tasks", "东山社区居民预约于 12月3日 09:30 的「维修」服务已取消。",
			"request for Repairs in 东山社区, for 3 Dec 09:30, was cancelled."},
		{"something_new", map[string]any{"x": 1}, notices.Inbox, "您有一条新通知", "You have a new notice"},
	}
	ids := regexp.MustCompile(`\b(9041|9042|77|5123)\b`)
	latin := regexp.MustCompile(`[A-Za-z]`)
	for _, c := range cases {
		params, _ := json.Marshal(c.params)
		n := notify.Notification{ID: 31, Kind: c.kind, Params: params, CreatedAt: starts}
		for lang, want := range map[string]string{"zh-CN": c.zh, "en": c.en} {
			got := notices.Render(msgs, lang, n)
			if !strings.Contains(got.Text, want) || strings.Contains(got.Text, "%!") || strings.HasPrefix(got.Text, "notice.") {
				t.Errorf("%s in %s: %q, want it to contain %q", c.kind, lang, got.Text, want)
			}
			if got.Link != c.link || got.ID != 31 || got.Kind != c.kind || got.Read || !got.CreatedAt.Equal(starts) {
				t.Errorf("%s in %s: %+v, want link %s", c.kind, lang, got, c.link)
			}
			if ids.MatchString(got.Text) {
				t.Errorf("%s in %s shows an id: %q", c.kind, lang, got.Text)
			}
			if lang == "zh-CN" && latin.MatchString(got.Text) {
				t.Errorf("%s: English in the Chinese text %q", c.kind, got.Text)
			}
		}
	}
	// A notice read is said to be; parameters of an unknown shape still give a sentence.
	read := time.Now()
	got := notices.RenderAll(msgs, "en", []notify.Notification{
		{ID: 1, Kind: notify.OrderReady, Params: json.RawMessage(`{"order": "seven"}`), ReadAt: &read}})
	if len(got) != 1 || !got[0].Read || got[0].Text != "You have a new notice." || got[0].Link != notices.Inbox {
		t.Errorf("malformed parameters: %+v", got)
	}
}
